#!/usr/bin/env bash
# The log-analyzer comparison (issue 20): questions asked of one NDJSON file, plain and gzip,
# before any server runs — `vigia query --file` against DuckDB's read_json (@duckdb/node-api,
# bench/duckdb) and jq.
#
#   bench/file_bench.sh [--events N] [--reps R] [--no-jq]
#
# vigia-gen writes N events (default 2,900,000: ~1 GB of NDJSON) and a gzip copy. Each
# question runs R times per system and file (the OS page cache warm after the first); the
# median wall time is printed, with MB/s of the plain file. vigia's and DuckDB's answers are
# compared (bench/compare_answers.py); jq's are timed only (one run: it takes seconds).
# Prints a table and writes bench/results/<date>-file-<N>.json.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
EVENTS=2900000
REPS=3
JQ=1
while [ $# -gt 0 ]; do
  case "$1" in
    --events) EVENTS=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --no-jq) JQ=0; shift ;;
    -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
    *) echo "file_bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
VIGIA=$BUILD/vigia
DUCK=$ROOT/bench/duckdb/duckdb_bench.mjs
[ -x "$VIGIA" ] && [ -x "$BUILD/vigia-gen" ] || { echo "file_bench.sh: build vigia and vigia-gen first" >&2; exit 1; }
[ -d "$ROOT/bench/duckdb/node_modules/@duckdb/node-api" ] ||
  { echo "file_bench.sh: DuckDB is not installed (cd bench/duckdb && npm ci)" >&2; exit 1; }
command -v jq >/dev/null || JQ=0

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigia-file-bench.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
log() { printf '[file-bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }

F=$WORK/events.ndjson
log "generating $EVENTS events"
"$BUILD/vigia-gen" --events "$EVENTS" --seed 1 --out "$F" 2>/dev/null
gzip -1 -k "$F"
BYTES=$(stat -c %s "$F")

# name <TAB> VQL <TAB> SQL <TAB> jq program (over the stream of events, -n with inputs)
cat >"$WORK/questions.tsv" <<'EOF'
count_by_level	* | stats count() by (level)	SELECT level, count() FROM events GROUP BY level	reduce inputs as $e ({}; .[$e.level // "null"] += 1)
p95_by_route	kind:request | stats p95(duration_ms) by (route)	SELECT route, quantile_disc(duration_ms, 0.95) FROM events WHERE kind = 'request' GROUP BY route	[inputs | select(.kind == "request") | [.route, .duration_ms]] | group_by(.[0]) | map([.[0][0], (map(.[1]) | sort | .[((length * 0.95) | ceil) - 1])])
top_error_messages	kind:error | stats count() as n by (error.message) | sort by (n desc) | limit 10	SELECT "error.message", count() AS n FROM events WHERE kind = 'error' GROUP BY "error.message" ORDER BY n DESC LIMIT 10	reduce (inputs | select(.kind == "error") | .["error.message"]) as $m ({}; .[$m] += 1) | to_entries | sort_by(-.value) | .[:10]
login_failures_by_ip	msg:"Login failed*" | stats count() as failures by (ip) | where failures > 10	SELECT ip, count() AS failures FROM events WHERE msg LIKE 'Login failed%' GROUP BY ip HAVING count() > 10	reduce (inputs | select(.msg // "" | startswith("Login failed")) | .ip) as $ip ({}; .[$ip] += 1) | with_entries(select(.value > 10))
EOF
median() { sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
wall() { # wall CMD... → seconds (stdout of CMD to $WORK/out)
  local t0 t1
  t0=$(date +%s.%N)
  "$@" >"$WORK/out" 2>"$WORK/err" || { echo "FAILED: $* $(head -c 300 "$WORK/err")" >&2; return 1; }
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }'
}

RESULTS=()
printf '\n`vigia query --file` vs DuckDB read_json vs jq — %s events, %.0f MB NDJSON (gzip -1: %.0f MB), %s\n' \
  "$EVENTS" "$(awk -v b="$BYTES" 'BEGIN { print b / 1e6 }')" \
  "$(awk -v b="$(stat -c %s "$F.gz")" 'BEGIN { print b / 1e6 }')" "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')); median of $REPS runs, wall time, OS page cache warm"
printf '| %-22s | %-5s | %-12s | %-12s | %-10s | %-22s | %-14s |\n' question file "vigia s" "DuckDB s" "jq s" "vigia vs DuckDB" "same answer"
printf '|%s|%s|%s|%s|%s|%s|%s|\n' ------------------------ ------- -------------- -------------- ------------ ------------------------ ----------------
while IFS=$'\t' read -r name vql sql jqp; do
  printf '%s\t%s\n' "$name" "$sql" >"$WORK/q.tsv"
  for kind in plain gzip; do
    file=$F
    [ "$kind" = gzip ] && file=$F.gz
    log "$name ($kind)"
    vt=()
    for _ in $(seq "$REPS"); do vt+=("$(wall "$VIGIA" query --file "$file" --format ndjson "$vql")"); done
    cp "$WORK/out" "$WORK/vigia.ndjson"
    v=$(printf '%s\n' "${vt[@]}" | median)
    mkdir -p "$WORK/duck"
    node "$DUCK" file "$file" "$WORK/q.tsv" "$WORK/duck" "$((REPS - 1))" >"$WORK/duck.json"
    d=$(python3 -c 'import json,sys; r=json.loads(open(sys.argv[1]).readline()); t=sorted([r["cold_ms"]]+r["warm_ms"]); print("%.3f" % (t[len(t)//2]/1000))' "$WORK/duck.json")
    same=$(python3 "$ROOT/bench/compare_answers.py" values "$WORK/vigia.ndjson" "$WORK/duck/$name.tsv" DuckDB || true)
    j=""
    if [ "$JQ" = 1 ]; then
      if [ "$kind" = plain ]; then j=$(wall jq -n "$jqp" "$file")
      else j=$(wall bash -c 'gzip -dc "$1" | jq -n "$2"' _ "$file" "$jqp"); fi
    fi
    r=$(awk -v v="$v" -v d="$d" 'BEGIN { printf "%.2fx %s", d / v, (d / v >= 2 ? "(target >= 2x met)" : "(target 2x)") }')
    printf '| %-22s | %-5s | %-12s | %-12s | %-10s | %-22s | %-14s |\n' "$name" "$kind" \
      "$v ($(awk -v b="$BYTES" -v s="$v" 'BEGIN { printf "%.0f MB/s", b / 1e6 / s }'))" "$d" "${j:-n/a}" "$r" "${same%% (*}"
    RESULTS+=("{\"question\":\"$name\",\"file\":\"$kind\",\"vigia_s\":$v,\"duckdb_s\":$d,\"jq_s\":${j:-null},\"same_answer\":\"${same%% (*}\"}")
  done
done <"$WORK/questions.tsv"
mkdir -p "$ROOT/bench/results"
OUT=$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-file-$EVENTS.json
(IFS=,; printf '{"events":%s,"ndjson_bytes":%s,"date":"%s","reps":%s,"results":[%s]}\n' "$EVENTS" "$BYTES" \
  "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$REPS" "${RESULTS[*]}") >"$OUT"
echo "results: $OUT"
