#!/usr/bin/env bash
# Query shapes beyond the seed, tiercel (default flags: enrichment on) next to
# DuckDB on the same NDJSON file, in one run: a field regex, free text, a
# broad count, top, groupBy with many groups, and the seed query on plain,
# gzip and zstd input. Prints a Markdown table of median wall and CPU
# seconds, peak RSS and the ratio to DuckDB (also in DIR/shapes.md).
#
#   bench/shapes.sh FILE.ndjson [--threads N] [--runs N] [--out DIR] [--exports]
#
# FILE is any Falcon NDJSON, e.g. from `go run ./bench/fdrgen -size-mb 1024`.
# --exports adds the seed over the same events as exports write them (a
# one-line JSON array, an indented array, jq's stream, CSV: exportforms.py,
# made once beside the results), DuckDB reading the JSON ones with
# read_json's format; their rows must be the NDJSON file's.
# Needs what compare.sh needs (it installs DuckDB's Node API the same way).
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/warm.sh"
data=$(realpath "$1"); shift
threads=2
runs=3
out="$here/out"
exports=0
while [ $# -gt 0 ]; do
  case "$1" in
    --exports) exports=1; shift ;;
    --threads) threads=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --out) out=$2; shift 2 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
mkdir -p "$out"
cd "$here/.."
[ -d "$here/node_modules/@duckdb/node-api" ] || (cd "$here" && npm install --no-audit --no-fund --silent >/dev/null)
go build -o "$out/tiercel" ./cmd/tiercel
tiercel="$out/tiercel"
[ -f "$data.gz" ] || gzip -6 -c "$data" > "$data.gz"
[ -f "$data.zst" ] || zstd -q -3 -T0 -f "$data" -o "$data.zst"
load=$(cut -d' ' -f1-3 /proc/loadavg)
bytes=$(stat -L -c %s "$data")

# median of stdin numbers
median() { sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
# run NAME CMD...: prints "wall cpu rssKB" (medians; largest RSS)
run() {
  local name=$1; shift
  local walls=() cpus=() rss=0 t u k r
  for _ in $(seq "$runs"); do
    warm "$@"
    /usr/bin/time -f '%e %U %S %M' -o "$out/time.txt" "$@" > "$out/shape.$name" 2> "$out/shape-err.$name" || {
      echo "$name failed:" >&2; tail -5 "$out/shape-err.$name" >&2; return 1; }
    read -r t u k r < "$out/time.txt"
    walls+=("$t"); cpus+=("$(awk -v a="$u" -v b="$k" 'BEGIN{printf "%.2f", a+b}')")
    [ "$r" -gt "$rss" ] && rss=$r
  done
  echo "$(printf '%s\n' "${walls[@]}" | median) $(printf '%s\n' "${cpus[@]}" | median) $rss"
}

cols='"event_simpleName": '"'"'VARCHAR'"'"', "CommandLine": '"'"'VARCHAR'"'"', "aid": '"'"'VARCHAR'"'"', "aip": '"'"'VARCHAR'"'"', "id": '"'"'VARCHAR'"'"''
json="read_json({{FILE}}, format = 'newline_delimited', columns = {$cols}, ignore_errors = true)"
lines="read_csv({{FILE}}, columns = {'line': 'VARCHAR'}, delim = '\x01', quote = '', escape = '', header = false)"
re10='(?i)(mimikatz|procdump|rclone|certutil|bitsadmin|psexec|wevtutil|nltest|adfind|rubeus)'
# each shape: a name, the tiercel query, the DuckDB SQL
names=(); queries=(); sqls=()
shape() { names+=("$1"); queries+=("$2"); sqls+=("$3"); }
shape "field regex" "CommandLine=/$re10/ | table([aid, CommandLine], limit=max)" "SELECT aid, CommandLine FROM $json WHERE regexp_matches(CommandLine, '$re10')"
shape "free text" "shodan | count()" "SELECT count(*) FROM $lines WHERE contains(line, 'shodan')"
shape "broad count" "#event_simpleName=* | count()" "SELECT count(*) FROM $json WHERE event_simpleName IS NOT NULL"
shape "top" "top(event_simpleName)" "SELECT event_simpleName, count(*) AS _count FROM $json GROUP BY 1 ORDER BY 2 DESC LIMIT 10"
shape "groupBy aip (65k groups)" "groupBy([aip], limit=max)" "SELECT aip, count(*) AS _count FROM $json GROUP BY 1"
shape "groupBy id (1 group per event)" "groupBy([id], limit=max)" "SELECT id, count(*) AS _count FROM $json GROUP BY 1"
{
  echo "| shape | tiercel s | tiercel CPU s | tiercel RSS MB | DuckDB s | DuckDB CPU s | DuckDB RSS MB | vs DuckDB (wall) | vs DuckDB (CPU) | rows | bytes/group (tiercel, DuckDB) |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|"
} > "$out/shapes.md"
for i in "${!names[@]}"; do
  name=${names[$i]}; q=${queries[$i]}; sql=${sqls[$i]}
  printf '%s\n' "$sql" > "$out/shape-$i.sql"
  read -r tw tc tr <<<"$(run "t$i" env GOMAXPROCS="$threads" "$tiercel" search --quiet --workers "$threads" --format json "$q" "$data")"
  read -r dw dc dr <<<"$(run "d$i" node "$here/duckdb_sql.mjs" "$out/shape-$i.sql" "$data" "$threads")"
  rows=$(wc -l < "$out/shape.t$i")
  drows=$(wc -l < "$out/shape.d$i")
  per=""
  case "$name" in groupBy*) per="$(awk -v r="$tr" -v n="$rows" 'BEGIN{printf "%.0f", r*1024/n}'), $(awk -v r="$dr" -v n="$drows" 'BEGIN{printf "%.0f", r*1024/n}')" ;; esac
  echo "| $name | $tw | $tc | $((tr / 1024)) | $dw | $dc | $((dr / 1024)) | $(awk -v a="$tw" -v b="$dw" 'BEGIN{printf "%.2f", b/a}')× | $(awk -v a="$tc" -v b="$dc" 'BEGIN{printf "%.2f", b/a}')× | $rows / $drows | $per |" | tee -a "$out/shapes.md" >&2
done
seed=$(cat rules/*/query.cql | head -c 100000)
for f in "$data" "$data.gz" "$data.zst"; do
  comp=uncompressed; label=plain
  case "$f" in *.gz) comp=gzip; label=gzip ;; *.zst) comp=zstd; label=zstd ;; esac
  read -r tw tc tr <<<"$(run "seed-$label" env GOMAXPROCS="$threads" "$tiercel" search --quiet --workers "$threads" --format json "$seed" "$f")"
  read -r nw nc nr <<<"$(run "seed-noenrich-$label" env GOMAXPROCS="$threads" "$tiercel" search --no-enrich --workers "$threads" --format json "$seed" "$f")"
  read -r dw dc dr <<<"$(run "seed-duck-$label" node "$here/duckdb_seed.mjs" "$f" "$threads" "$comp")"
  echo "| seed, $label (default flags; --no-enrich: $nw s, $nc CPU s, enrichment +$(awk -v a="$tc" -v b="$nc" 'BEGIN{printf "%.0f", (a/b-1)*100}')% CPU) | $tw | $tc | $((tr / 1024)) | $dw | $dc | $((dr / 1024)) | $(awk -v a="$tw" -v b="$dw" 'BEGIN{printf "%.2f", b/a}')× | $(awk -v a="$tc" -v b="$dc" 'BEGIN{printf "%.2f", b/a}')× | $(wc -l < "$out/shape.seed-$label") | |" | tee -a "$out/shapes.md" >&2
done
if [ "$exports" = 1 ]; then
  forms="$out/$(basename "$data")"
  [ "$forms.csv" -nt "$data" ] || python3 "$here/exportforms.py" "$data" "$forms"
  for form in array:array pretty:array jq:unstructured csv:; do
    name=${form%%:*}; fmt=${form#*:}
    f="$forms.$name.json"; [ "$name" = csv ] && f="$forms.csv"
    read -r tw tc tr <<<"$(run "seed-$name" env GOMAXPROCS="$threads" "$tiercel" search --quiet --workers "$threads" --format json "$seed" "$f")"
    cmp -s "$out/shape.seed-plain" "$out/shape.seed-$name" || { echo "seed over $f: rows differ from the NDJSON file's" >&2; exit 1; }
    duck=" | | |"; vs=" | |" # DuckDB's read_csv would need every column the seed names
    if [ -n "$fmt" ]; then
      read -r dw dc dr <<<"$(run "seed-duck-$name" node "$here/duckdb_seed.mjs" "$f" "$threads" uncompressed "$fmt")"
      duck=" | $dw | $dc | $((dr / 1024))"
      vs=" | $(awk -v a="$tw" -v b="$dw" 'BEGIN{printf "%.2f", b/a}')× | $(awk -v a="$tc" -v b="$dc" 'BEGIN{printf "%.2f", b/a}')×"
    fi
    echo "| seed, $name export ($(($(stat -L -c %s "$f") / 1000000)) MB; rows as NDJSON's) | $tw | $tc | $((tr / 1024))$duck$vs | $(wc -l < "$out/shape.seed-$name") | |" | tee -a "$out/shapes.md" >&2
  done
fi
echo
echo "Input: $data, $((bytes / 1000000)) MB, $(wc -l < "$data") events; $threads threads each (tiercel GOMAXPROCS=$threads --workers $threads, DuckDB threads=$threads); medians of $runs runs; load average before: $load"
echo
cat "$out/shapes.md"
