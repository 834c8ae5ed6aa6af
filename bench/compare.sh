#!/usr/bin/env bash
# Side-by-side comparison of tiercel with its peers on the same generated
# Falcon data, in one run. See bench/README.md.
#
#   bench/compare.sh [--size-mb N] [--threads "1 2"] [--runs N] [--scaling] [--out DIR]
#                    [--data FILE.ndjson] [--query FILE.cql --duckdb-sql FILE.sql]
#                    [--rules N]
#
# Needs Go, Node.js/npm (DuckDB's Node API is installed from npm into
# bench/node_modules), and installs ripgrep, jq, zstd and time with apt-get
# when missing. Prints a Markdown table (also in DIR/table.md).
set -euo pipefail

size_mb=1024
threads="1 2"
runs=3
scaling=0
data_in=""
query_in=""
sql_in=""
nrules=0
here=$(cd "$(dirname "$0")" && pwd)
. "$here/warm.sh"
out="$here/out"
while [ $# -gt 0 ]; do
  case "$1" in
    --size-mb) size_mb=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --scaling) scaling=1; shift ;;
    --out) out=$2; shift 2 ;;
    --data) data_in=$(realpath "$2"); shift 2 ;;
    --query) query_in=$(realpath "$2"); shift 2 ;;
    --duckdb-sql) sql_in=$(realpath "$2"); shift 2 ;;
    --rules) nrules=$2; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
done
if [ -n "$query_in" ] && [ -z "$sql_in" ]; then
  echo "--query needs --duckdb-sql, the same query in SQL for the DuckDB peer ({{FILE}} for the input)" >&2
  exit 2
fi
mkdir -p "$out"
cd "$here/.."

say() { printf '\n== %s\n' "$*" >&2; }

load=$(cut -d' ' -f1-3 /proc/loadavg)
say "setup"
missing=()
command -v rg >/dev/null || missing+=(ripgrep)
command -v jq >/dev/null || missing+=(jq)
command -v zstd >/dev/null || missing+=(zstd)
[ -x /usr/bin/time ] || missing+=(time)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq >/dev/null && apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ ! -d "$here/node_modules/@duckdb/node-api" ]; then
  (cd "$here" && npm install --no-audit --no-fund --silent >/dev/null)
fi
go build -o "$out/tiercel" ./cmd/tiercel
tiercel="$out/tiercel"
query_file=$(ls rules/*/query.cql | head -1)
[ -n "$query_in" ] && query_file=$query_in
query=$(cat "$query_file")
# the DuckDB peer for the query: ${duck[@]} FILE THREADS COMPRESSION
duck=(node "$here/duckdb_seed.mjs")
[ -n "$sql_in" ] && duck=(node "$here/duckdb_sql.mjs" "$sql_in")
# same_rows A B: the seed's rows must agree; other queries are only timed
same_rows() {
  if [ -z "$sql_in" ]; then node "$here/same_rows.mjs" "$1" "$2" >&2; fi
}

# Data: the LogScale view (ComputerName, UserName, ContextProcessName filled
# in) so that DuckDB, which has no enrichment, sees the same fields; tiercel
# runs with --no-enrich on it.
data="$out/events.ndjson"
want=$((size_mb * 1024 * 1024))
source_note="tiercel emulate --view logscale --seed 7"
if [ -n "$data_in" ]; then
  # Someone else's data: compressed copies are made once, beside the results.
  source_note="$data_in"
  data="$out/given.ndjson"
  if [ ! "$data" -ef "$data_in" ]; then ln -sf "$data_in" "$data"; rm -f "$data.gz" "$data.zst"; fi
  [ -f "$data.gz" ] || gzip -6 -c "$data" > "$data.gz"
  [ -f "$data.zst" ] || zstd -q -3 -T0 -f "$data" -o "$data.zst"
elif [ ! -f "$data" ] || [ "$(stat -c %s "$data")" -lt $((want * 95 / 100)) ] || [ "$(stat -c %s "$data")" -gt $((want * 105 / 100)) ]; then
  say "generating ~${size_mb} MiB of Falcon telemetry with tiercel emulate"
  "$tiercel" emulate --view logscale --seed 7 --events 20000 > "$out/probe.ndjson"
  per_event=$(( $(stat -c %s "$out/probe.ndjson") / 20000 ))
  events=$(( want / per_event ))
  hosts=$(( events / 20000 + 40 ))
  "$tiercel" emulate --view logscale --seed 7 --events "$events" --hosts "$hosts" --duration 24h > "$data"
  rm -f "$out/probe.ndjson"
  gzip -6 -c "$data" > "$data.gz"
  zstd -q -3 -T0 -f "$data" -o "$data.zst"
fi
bytes=$(stat -L -c %s "$data")
lines=$(wc -l < "$data")
mb=$(awk -v b="$bytes" 'BEGIN{printf "%.1f", b/1e6}')
say "input: $mb MB, $lines events ($data)"

# measure NAME CMD...: the median wall time of $runs runs, the median CPU
# time (user+system) and the largest peak RSS.
results=()
measure() {
  local name=$1; shift
  local walls=() cpus=() rss=0 t u k r
  for _ in $(seq "$runs"); do
    warm "$@"
    /usr/bin/time -f '%e %U %S %M' -o "$out/time.txt" "$@" > "$out/result.$name" 2> "$out/stderr.$name" || {
      echo "$name failed:" >&2; tail -5 "$out/stderr.$name" >&2; return 1; }
    read -r t u k r < "$out/time.txt"
    walls+=("$t")
    cpus+=("$(awk -v a="$u" -v b="$k" 'BEGIN{printf "%.2f", a+b}')")
    [ "$r" -gt "$rss" ] && rss=$r
  done
  local wall cpu
  wall=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  cpu=$(printf '%s\n' "${cpus[@]}" | sort -g | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}')
  results+=("$name $wall $rss $cpu")
  printf '%-28s %8.2f s %8.2f cpu-s %8d KB\n' "$name" "$wall" "$cpu" "$rss" >&2
}

get() { local target=$1; for r in "${results[@]}"; do set -- $r; if [ "$1" = "$target" ]; then echo "$2 $3 $4"; return; fi; done; }

say "floor: ripgrep literal count (1 thread)"
measure rg-floor rg -c -j1 --no-mmap '"NetworkConnectIP4"' "$data"

# "threads" is the same for both: tiercel gets GOMAXPROCS=N and --workers N
# (its reader and decompressor share those N cores), DuckDB threads=N.
for th in $threads; do
  say "threads=$th"
  measure "tiercel-plain-t$th" env GOMAXPROCS="$th" "$tiercel" search --no-enrich --workers "$th" --format json "$query" "$data"
  # the default flags, enrichment on: its cost is this row over the one above
  measure "tiercel-enrich-t$th" env GOMAXPROCS="$th" "$tiercel" search --quiet --workers "$th" --format json "$query" "$data"
  measure "duckdb-plain-t$th" "${duck[@]}" "$data" "$th" uncompressed
  same_rows "$out/result.tiercel-plain-t$th" "$out/result.duckdb-plain-t$th"
  measure "tiercel-gzip-t$th" env GOMAXPROCS="$th" "$tiercel" search --no-enrich --workers "$th" --format json "$query" "$data.gz"
  measure "duckdb-gzip-t$th" "${duck[@]}" "$data.gz" "$th" gzip
  same_rows "$out/result.tiercel-gzip-t$th" "$out/result.duckdb-gzip-t$th"
  measure "tiercel-zstd-t$th" env GOMAXPROCS="$th" "$tiercel" search --no-enrich --workers "$th" --format json "$query" "$data.zst"
  measure "duckdb-zstd-t$th" "${duck[@]}" "$data.zst" "$th" zstd
  same_rows "$out/result.tiercel-zstd-t$th" "$out/result.duckdb-zstd-t$th"
  cmp -s "$out/result.tiercel-plain-t$th" "$out/result.tiercel-gzip-t$th" || { echo "gzip result differs from plain" >&2; exit 1; }
  cmp -s "$out/result.tiercel-plain-t$th" "$out/result.tiercel-zstd-t$th" || { echo "zstd result differs from plain" >&2; exit 1; }
done
first_th=${threads%% *}
cmp -s "$out/result.tiercel-plain-t$first_th" "$out/result.tiercel-plain-t${threads##* }" || { echo "results differ between thread counts" >&2; exit 1; }

say "decompression floors (1 thread)"
measure gunzip-floor gzip -dc "$data.gz"
measure unzstd-floor zstd -dc -T1 "$data.zst"

say "jq on a slice (first 100,000 events)"
head -n 100000 "$data" > "$out/slice.ndjson"
slice_bytes=$(stat -c %s "$out/slice.ndjson")
measure jq-slice jq -c 'select(.event_simpleName=="DnsRequest" and ((.DomainName // "") | test("(shodan\\.io|censys\\.io|ipinfo\\.io|bgp\\.he\\.net|arin\\.net|dnsdumpster\\.com|greynoise\\.io)"; "i")))' "$out/slice.ndjson"

rate() { awk -v b="$1" -v s="$2" 'BEGIN{ if (s<=0) s=0.001; printf "%.0f", b/1e6/s }'; }
evs() { awk -v n="$1" -v s="$2" 'BEGIN{ if (s<=0) s=0.001; printf "%.2f", n/s/1e6 }'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (a<=0) a=0.001; printf "%.2f", b/a }'; }

{
  echo "| run | threads | seconds | CPU s | MB/s | M events/s | peak RSS MB | vs DuckDB | vs floor |"
  echo "|---|---|---|---|---|---|---|---|---|"
  read -r floor_s _ <<<"$(get rg-floor)"
  for fmt in plain enrich gzip zstd; do
    for th in $threads; do
      read -r ts trss tcpu <<<"$(get "tiercel-$fmt-t$th")"
      peer=$fmt
      [ "$fmt" = enrich ] && peer=plain
      read -r ds drss dcpu <<<"$(get "duckdb-$peer-t$th")"
      floor=$floor_s
      [ "$fmt" = gzip ] && read -r floor _ <<<"$(get gunzip-floor)"
      [ "$fmt" = zstd ] && read -r floor _ <<<"$(get unzstd-floor)"
      label="tiercel $fmt"
      if [ "$fmt" = enrich ]; then
        read -r ps _ pcpu <<<"$(get "tiercel-plain-t$th")"
        label="tiercel plain, default flags (enrichment +$(awk -v a="$tcpu" -v b="$pcpu" 'BEGIN{ if (b<=0) b=0.01; printf "%.0f", (a/b-1)*100 }')% CPU)"
      fi
      echo "| $label | $th | $ts | $tcpu | $(rate "$bytes" "$ts") | $(evs "$lines" "$ts") | $((trss / 1024)) | $(ratio "$ts" "$ds")× | $(ratio "$ts" "$floor")× |"
      [ "$fmt" = enrich ] && continue
      echo "| DuckDB $fmt | $th | $ds | $dcpu | $(rate "$bytes" "$ds") | $(evs "$lines" "$ds") | $((drss / 1024)) | 1.00× | $(ratio "$ds" "$floor")× |"
    done
  done
  for f in rg-floor gunzip-floor unzstd-floor; do
    read -r s r c <<<"$(get "$f")"
    echo "| $f | 1 | $s | $c | $(rate "$bytes" "$s") | $(evs "$lines" "$s") | $((r / 1024)) | | 1.00× |"
  done
  read -r js jr jc <<<"$(get jq-slice)"
  echo "| jq (100k-event slice) | 1 | $js | $jc | $(rate "$slice_bytes" "$js") | $(evs 100000 "$js") | $((jr / 1024)) | | |"
} > "$out/table.md"

# groupBy memory: peak RSS must follow the number of groups kept (bounded
# by the limit), not the number of events read.
say "groupBy memory (1 worker)"
{
  echo ""
  echo "| groupBy query | groups out | seconds | peak RSS MB |"
  echo "|---|---|---|---|"
} >> "$out/table.md"
gb_queries=(
  'groupBy([event_simpleName])'
  'groupBy([aid, event_simpleName])'
  'groupBy([id])'
  'groupBy([id], limit=max)'
)
for i in "${!gb_queries[@]}"; do
  gq=${gb_queries[$i]}
  measure "groupby-$i" "$tiercel" search --no-enrich --workers 1 --format json "$gq" "$data"
  read -r s r _ <<<"$(get "groupby-$i")"
  echo "| \`$gq\` | $(wc -l < "$out/result.groupby-$i") | $s | $((r / 1024)) |" >> "$out/table.md"
done

if [ "$nrules" -gt 0 ]; then
  # Many rules in one pass: N generated rules (bench/rulegen) against one,
  # and DuckDB counting every rule's matches in one scan (a FILTERed count
  # per rule). The per-rule counts must agree.
  say "many rules: $nrules generated rules"
  rules_dir="$out/rules-$nrules"
  rm -rf "$rules_dir" "$out/rules-1"
  go run ./bench/rulegen -n "$nrules" -out "$rules_dir" -sql "$out/rules-$nrules.sql"
  go run ./bench/rulegen -n 1 -out "$out/rules-1" -sql "$out/rules-1.sql"
  th=${threads##* }
  measure "hunt-1" env GOMAXPROCS="$th" "$tiercel" hunt --quiet --workers "$th" --format json --rules "$out/rules-1" "$data"
  measure "hunt-$nrules" env GOMAXPROCS="$th" "$tiercel" hunt --quiet --workers "$th" --format json --rules "$rules_dir" "$data"
  measure "hunt-$nrules-gzip" env GOMAXPROCS="$th" "$tiercel" hunt --quiet --workers "$th" --format json --rules "$rules_dir" "$data.gz"
  measure "duckdb-rules-$nrules" node "$here/duckdb_sql.mjs" "$out/rules-$nrules.sql" "$data" "$th"
  node "$here/same_counts.mjs" "$out/result.hunt-$nrules" "$out/result.duckdb-rules-$nrules"
  {
    echo ""
    echo "| many rules ($th threads; hunts also run the shipped seed rule) | seconds | CPU s | MB/s | peak RSS MB | vs DuckDB |"
    echo "|---|---|---|---|---|---|"
    read -r ds dr dc <<<"$(get "duckdb-rules-$nrules")"
    for n in hunt-1 "hunt-$nrules" "hunt-$nrules-gzip" "duckdb-rules-$nrules"; do
      read -r s r c <<<"$(get "$n")"
      echo "| $n | $s | $c | $(rate "$bytes" "$s") | $((r / 1024)) | $(ratio "$s" "$ds")× |"
    done
  } >> "$out/table.md"
fi

if [ "$scaling" = 1 ]; then
  say "scaling: the seed query over 0.25, 0.5, 1 and 2 GiB (1 worker)"
  echo "" >> "$out/table.md"
  echo "| input GiB | seconds | MB/s | peak RSS MB |" >> "$out/table.md"
  echo "|---|---|---|---|" >> "$out/table.md"
  for frac in 0.25 0.5 1 2; do
    n=$(awk -v f="$frac" -v s="$bytes" 'BEGIN{printf "%d", f*1073741824}')
    f="$out/scale-$frac.ndjson"
    : > "$f"
    while [ "$(stat -c %s "$f")" -lt "$n" ]; do cat "$data" >> "$f"; done
    truncate -s "$n" "$f"
    sed -i '$ d' "$f" # drop the cut last line
    measure "scale-$frac" "$tiercel" search --no-enrich --workers 1 --format json "$query" "$f"
    read -r s r _ <<<"$(get "scale-$frac")"
    echo "| $frac | $s | $(rate "$(stat -c %s "$f")" "$s") | $((r / 1024)) |" >> "$out/table.md"
    rm -f "$f"
  done
fi

echo
echo "Machine: $(nproc) cores (load average before the run: $load), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'); $(go version | cut -d' ' -f3); DuckDB $(cd "$here" && node --input-type=module -e "import('@duckdb/node-api').then(async m=>{const i=await m.DuckDBInstance.create(':memory:');const c=await i.connect();const r=await c.runAndReadAll('select version() v');console.log(r.getRowObjects()[0].v)})" 2>/dev/null || echo '?'); $(rg --version 2>/dev/null | head -1)"
echo "Input: $mb MB, $lines events ($source_note); query $query_file; medians of $runs runs"
echo
cat "$out/table.md"
