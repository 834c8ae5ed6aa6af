#!/usr/bin/env python3
"""A third Falcon-like generator, unlike fdrgen and the emulator: short lines
with event_simpleName first, numeric timestamps, \\u escapes in some command
lines, random values of high cardinality (300 hosts, 5,000 SIDs, a fresh
process id per start) and logon events naming users.

    python3 bench/randfalcon.py SIZE_MB [--seed N] [--mix seed-hits|linked|sparse]

  seed-hits  20% process starts, 8% logons; events name recent processes of
             any host (most of them unknown on theirs); tool and domain names
             the seed looks for (a tenth of its candidates match)
  linked     the same, but events name their own host's recent processes and
             the tools and domains are near misses (the seed matches little)
  sparse     8% starts, 1% logons, more event types, a few SIDs per host

Written for the performance work (BENCHMARKS.md, rounds 17 and 18).
"""
import argparse
import json
import random
import sys

p = argparse.ArgumentParser()
p.add_argument("size_mb", type=int)
p.add_argument("--seed", type=int, default=7)
p.add_argument("--mix", choices=["seed-hits", "linked", "sparse"], default="seed-hits")
a = p.parse_args()
rng = random.Random(a.seed)

hosts = ["%032x" % rng.getrandbits(128) for _ in range(300)]
if a.mix == "seed-hits":
    tools = ["chrome.exe", "svchost.exe", "powershell.exe", "curl.exe", "python.exe", "nmap.exe",
             "explorer.exe", "Teams.exe", "wget.exe", "java.exe"]
    domains = ["www.google.com", "login.microsoftonline.com", "api.shodan.io", "ipinfo.io",
               "cdn.example.net", "update.vendor.com", "x%d.corp.local"]
    args = ["-x", "--help", "search shodan", "-sS 10.0.0.0/8", "/c whoami", "caf\u00e9 \u2603"]
else:
    tools = ["chrome.exe", "svchost.exe", "powershell.exe", "curk.exe", "pythan.exe", "nmep.exe",
             "explorer.exe", "Teams.exe", "wgat.exe", "java.exe"]
    domains = ["www.google.com", "login.microsoftonline.com", "api.shodon.xo", "ipinfa.xo",
               "cdn.example.net", "update.vendor.com", "x%d.corp.local"]
    args = ["-x", "--help", "search shodon", "-sS 10.0.0.0/8", "/c whoami", "caf\u00e9 \u2603"]
starts, dns, net = (0.08, 0.2, 0.3) if a.mix == "sparse" else (0.2, 0.4, 0.5)
others = ["FileWritten", "RegSystemConfigValueUpdate", "ImageHash", "EndOfProcess", "SensorHeartbeat"]
others += ["FileOpenInfo", "DirectoryCreate", "ImageHash", "SensorHeartbeat", "EndOfProcess",
           "RegGenericValueUpdate"] if a.mix == "sparse" else ["UserLogon"]


def sid(aid):
    if a.mix == "sparse":
        return "S-1-5-21-%d" % (rng.randint(1, 8) + 1000 * (hosts.index(aid) % 97))
    return "S-1-5-21-%d" % rng.randint(1, 5000)


target = a.size_mb * 1024 * 1024
ts, written = 1733000000000, 0
recent, by_host = [], {}
out = sys.stdout
while written < target:
    ts += rng.randint(0, 5)
    aid = rng.choice(hosts)
    pids = recent if a.mix == "seed-hits" else by_host.setdefault(aid, [])
    ctx = rng.choice(pids) if pids else "1"
    r = rng.random()
    if r < starts:
        pid = str(rng.randint(10**9, 10**10))
        img = rng.choice(tools)
        ev = {"event_simpleName": "ProcessRollup2", "aid": aid, "timestamp": ts, "TargetProcessId": pid,
              "ParentProcessId": ctx if pids else "0",
              "ImageFileName": "\\Device\\HarddiskVolume3\\Windows\\System32\\" + img,
              "CommandLine": img + " " + rng.choice(args), "UserSid": sid(aid)}
        pids.append(pid)
        if a.mix == "seed-hits":
            del pids[:-5000]
        elif len(pids) > 200:
            del pids[:100]
    elif r < dns:
        ev = {"event_simpleName": "DnsRequest", "aid": aid, "timestamp": ts, "ContextProcessId": ctx,
              "DomainName": rng.choice(domains).replace("%d", str(rng.randint(0, 999))), "RequestType": "1"}
    elif r < net:
        ev = {"event_simpleName": "NetworkConnectIP4", "aid": aid, "timestamp": ts, "ContextProcessId": ctx,
              "RemoteAddressIP4": "%d.%d.%d.%d" % tuple(rng.randint(1, 254) for _ in range(4)),
              "RemotePort": str(rng.choice([80, 443, 53, 8080, 22])),
              "LocalPort": str(rng.randint(1024, 65535)), "Protocol": "6"}
    else:
        name = rng.choice(others)
        if a.mix == "sparse" and rng.random() < 0.01:
            name = "UserLogon"
        ev = {"event_simpleName": name, "aid": aid, "timestamp": ts, "ContextProcessId": ctx,
              "TargetFileName": "C:\\Users\\u%d\\AppData\\Local\\Temp\\%x.tmp" % (rng.randint(1, 99), rng.getrandbits(32))}
        if name == "UserLogon":
            ev["UserName"] = "user%d" % rng.randint(1, 200)
            ev["UserSid"] = sid(aid)
    line = json.dumps(ev, ensure_ascii=True, separators=(",", ":")) + "\n"
    out.write(line)
    written += len(line)
