#!/usr/bin/env python3
"""Writes the events of a Falcon NDJSON file in the shapes exports come in:
a one-line JSON array (LogScale's search API answering application/json),
an indented array (export buttons, ConvertTo-Json), jq's stream of indented
objects (`jq . file`), and CSV with a header row of the field names.

    python3 bench/exportforms.py FILE.ndjson PREFIX

writes PREFIX.array.json, PREFIX.pretty.json, PREFIX.jq.json and PREFIX.csv.
"""
import csv
import json
import sys


def main():
    src, prefix = sys.argv[1], sys.argv[2]
    keys = {}
    with open(src, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                for k in json.loads(line):
                    keys.setdefault(k, None)
    header = list(keys)
    with open(src, encoding="utf-8") as f, \
            open(prefix + ".array.json", "w", encoding="utf-8") as arr, \
            open(prefix + ".pretty.json", "w", encoding="utf-8") as pretty, \
            open(prefix + ".jq.json", "w", encoding="utf-8") as jq, \
            open(prefix + ".csv", "w", encoding="utf-8", newline="") as c:
        w = csv.writer(c)
        w.writerow(header)
        arr.write("[")
        pretty.write("[\n")
        first = True
        for line in f:
            if not line.strip():
                continue
            ev = json.loads(line)
            if not first:
                arr.write(",")
                pretty.write(",\n")
            first = False
            arr.write(line.strip())
            indented = json.dumps(ev, indent=2)
            pretty.write(indented)
            jq.write(indented + "\n")
            w.writerow(["" if ev.get(k) is None else str(ev[k]) for k in header])
        arr.write("]")
        pretty.write("\n]\n")


if __name__ == "__main__":
    main()
