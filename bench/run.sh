#!/usr/bin/env bash
# vigia vs ClickHouse and DuckDB on the same data, same machine, same run (issues 6, 20).
#
#   bench/run.sh [--events N] [--smoke] [--reps R] [--connections C] [--batch B] [--keep]
#
# 1. vigia-gen writes N events (seed 1, the 24 h ending now) and their ground truth, and the
#    peer's copy: the same lines plus the fields vigia derives from ua (--derived-out).
# 2. ClickHouse 18.16 starts from bench/clickhouse/ in a temp dir; vigia-load posts its copy
#    to INSERT ... FORMAT JSONEachRow; bytes on disk from system.parts after OPTIMIZE FINAL.
# 2b. DuckDB (bench/duckdb, @duckdb/node-api from its package-lock.json; `make bench` runs
#    npm ci, the smoke run skips DuckDB when it is not installed) loads the peer's copy with
#    read_json into a database file; bytes on disk = that file after CHECKPOINT.
# 3. `vigia serve` starts on a temp data dir; vigia-load posts the same file with the same
#    connections and batches to /v1/events; bytes on disk = du of the data dir after stop.
# 4. Each query of bench/queries.tsv runs once cold, then R times warm on each system: vigia
#    is restarted before each query (its chunk cache empty, the OS page cache warm) and
#    queried over HTTP (curl's total time, round trip included); ClickHouse over HTTP (its
#    "cold" is its first run of the query: it is not restarted); DuckDB in-process, a fresh
#    instance per query (bench/duckdb/duckdb_bench.mjs). The warm median is the table's
#    figure, the cold run is printed apart; each answer is checked against the generator's
#    ground truth and compared with the peers' (bench/compare_answers.py).
# 5. The SDK micro-benchmark (vigia SDK vs spdlog async), when built, joins the report; it runs
#    first, before any server starts (section 0), so it measures the SDK on a quiet machine.
# 6. alert_bench (bench/alerting): 200 rules evaluated on vigia's loaded store, and the
#    event-to-webhook latency of the real binary.
# Prints one table (metric | vigia | ClickHouse | DuckDB | ratio to the best peer) and
# writes it as JSON under
# bench/results/. Exit status: 0 all good; 1 ClickHouse or the harness failed; 3 a system
# gave a wrong answer. A vigia feature that does not exist yet prints "n/a (not implemented)".
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
EVENTS=10000000
SMOKE=0
REPS=""
CONNS=2
BATCH=20000
KEEP=0
SEED=1
while [ $# -gt 0 ]; do
  case "$1" in
    --events) EVENTS=$2; shift 2 ;;
    --smoke) SMOKE=1; shift ;;
    --reps) REPS=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --batch) BATCH=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
[ -n "$REPS" ] || { [ "$SMOKE" = 1 ] && REPS=5 || REPS=11; }

GEN=$BUILD/vigia-gen
LOAD=$BUILD/vigia-load
VIGIA=$BUILD/vigia
for b in "$GEN" "$LOAD"; do
  [ -x "$b" ] || { echo "run.sh: $b missing: build first (make build, or BUILD=dir)" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigia-bench.XXXXXX")
CH_DIR=$WORK/clickhouse
VIGIA_PID=""
cleanup() {
  [ -n "$VIGIA_PID" ] && kill "$VIGIA_PID" 2>/dev/null && wait "$VIGIA_PID" 2>/dev/null
  "$ROOT/bench/clickhouse/clickhouse.sh" stop "$CH_DIR" || true
  if [ "$KEEP" = 1 ]; then echo "run.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# shellcheck source=bench/bench_lib.sh
. "$ROOT/bench/bench_lib.sh"
log() { printf '[bench %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf '\n*** bench FAILED: %s ***\n\n' "$*" >&2; exit 1; }
# --- 0. SDK: vigia SDK vs spdlog async (caller-side cost of one log call) -------------------
# Measured first, on a quiet machine: later the ClickHouse server (up until cleanup), vigia and
# DuckDB would have run, and the page cache would be writing back the run's gigabytes. The
# table is printed in section 6.
SDK_BENCH=$BUILD/sdk/bench/sdk_bench
SDK_JSON=""
if [ -x "$SDK_BENCH" ]; then
  log "SDK micro-benchmark (vigia SDK vs spdlog async)"
  if "$SDK_BENCH" --benchmark_filter='BM_vigia|BM_spdlog_async' --benchmark_format=json \
    >"$WORK/sdk.json" 2>"$WORK/sdk.log"; then
    SDK_JSON=$(python3 - "$WORK/sdk.json" <<'PY'
import json, sys
runs = {b["name"]: b for b in json.load(open(sys.argv[1]))["benchmarks"]}
out = {}
for threads in (1, 4):
    for lib, key in (("BM_vigia", "vigia"), ("BM_spdlog_async", "spdlog")):
        b = next((v for n, v in runs.items() if n.startswith(lib + "/") and n.endswith(f"threads:{threads}")), None)
        if b:
            out[f"{key}_t{threads}"] = {k: b[k] for k in ("median_ns", "mean_ns", "p99_9_ns", "caller_events_per_s") if k in b}
print(json.dumps(out))
PY
) || SDK_JSON=""
  else
    log "sdk_bench failed: $(tail -n 3 "$WORK/sdk.log" | tr '\n' ' ')"
  fi
fi
# --- 1. data -------------------------------------------------------------------------------
DATA=$WORK/events.ndjson
CH_DATA=$WORK/events.clickhouse.ndjson
log "generating $EVENTS events (and the peer's copy with vigia's ua-derived fields)"
"$GEN" --events "$EVENTS" --seed "$SEED" --out "$DATA" --derived-out "$CH_DATA" \
  --truth "$WORK/truth.env" 2>"$WORK/gen.log" ||
  die "vigia-gen: $(cat "$WORK/gen.log")"
cat "$WORK/gen.log" >&2
set -a
# shellcheck disable=SC1091
. "$WORK/truth.env"
ERROR_HOUR_END_MS=$((ERROR_HOUR_START_MS + 3600000))
LOGIN_HOUR_END_MS=$((LOGIN_HOUR_START_MS + 3600000))
set +a
DATA_BYTES=$(stat -c %s "$DATA")

# --- 2. ClickHouse -------------------------------------------------------------------------
log "starting ClickHouse"
CH_PORTS=$("$ROOT/bench/clickhouse/clickhouse.sh" start "$CH_DIR") ||
  die "ClickHouse could not start (see above); the benchmark needs its peer"
CH_HTTP=${CH_PORTS%% *}
CH_URL="http://127.0.0.1:$CH_HTTP/"
ch() { curl -sS --fail-with-body "$CH_URL" --data-binary "$1"; }
CH_VERSION=$(ch "SELECT version()") || die "ClickHouse does not answer queries"
ch "$(cat "$ROOT/bench/clickhouse/schema.sql")" >/dev/null || die "ClickHouse rejected bench/clickhouse/schema.sql"

log "loading ClickHouse (INSERT ... FORMAT JSONEachRow, $CONNS connections, $BATCH events/batch)"
CH_LOAD=$("$LOAD" --url "${CH_URL}?query=INSERT%20INTO%20events%20FORMAT%20JSONEachRow" --file "$CH_DATA" \
  -c "$CONNS" -b "$BATCH" --content-type text/plain --json) || die "loading ClickHouse failed: $CH_LOAD"
CH_EPS=$(json_num events_per_sec <<<"$CH_LOAD")
CH_P99=$(json_num batch_p99_ms <<<"$CH_LOAD")
CH_ROWS=$(ch "SELECT count() FROM events")
[ "$CH_ROWS" = "$EVENTS" ] || die "ClickHouse holds $CH_ROWS rows, expected $EVENTS"
log "ClickHouse: OPTIMIZE TABLE events FINAL (merges to its most compact form before measuring)"
t0=$(date +%s.%N)
# ClickHouse returns from OPTIMIZE at once, having merged nothing, when a background merge
# holds some of the parts (a run at 23:06 on 2026-12-05 measured the peer on unmerged parts:
# "OPTIMIZE FINAL took 0.0s"). With optimize_throw_if_noop it says so, and it is retried
# until it merges or every partition is one part, for up to 5 minutes.
ch_parts() { ch "SELECT count() FROM system.parts WHERE database = 'default' AND table = 'events' AND active"; }
ch_partitions() { ch "SELECT uniqExact(partition) FROM system.parts WHERE database = 'default' AND table = 'events' AND active"; }
for _ in $(seq 300); do
  curl -sS --fail-with-body "${CH_URL}?optimize_throw_if_noop=1" \
    --data-binary "OPTIMIZE TABLE events FINAL" >/dev/null 2>&1 && break
  [ "$(ch_parts)" = "$(ch_partitions)" ] && break
  sleep 1
done
CH_OPTIMIZE_S=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
CH_PARTS=$(ch_parts)
CH_PARTITIONS=$(ch_partitions)
log "ClickHouse: $CH_PARTS active parts in $CH_PARTITIONS partitions after OPTIMIZE FINAL (${CH_OPTIMIZE_S}s)"
[ "$CH_PARTS" = "$CH_PARTITIONS" ] || log "warning: ClickHouse has more than one part per partition"
CH_BYTES=$(ch "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = 'default' AND table = 'events' AND active")
CH_BPE=$(awk -v b="$CH_BYTES" -v n="$EVENTS" 'BEGIN { printf "%.2f", b / n }')

# --- 2b. DuckDB ----------------------------------------------------------------------------
DUCK_DIR=$ROOT/bench/duckdb
DUCK_STATE="ok"
DUCK_EPS="" DUCK_BPE="" DUCK_VERSION="n/a"
if ! command -v node >/dev/null 2>&1 || [ ! -d "$DUCK_DIR/node_modules/@duckdb/node-api" ]; then
  DUCK_STATE="n/a (not installed: make bench runs npm ci in bench/duckdb)"
  [ "$SMOKE" = 1 ] || die "DuckDB is not installed (cd bench/duckdb && npm ci)"
else
  log "loading DuckDB (read_json of the same file into $WORK/duck.db)"
  if D_LOAD=$(node "$DUCK_DIR/duckdb_bench.mjs" load "$WORK/duck.db" "$CH_DATA" 2>"$WORK/duck.log"); then
    DUCK_VERSION=$(grep -o '"version":"[^"]*"' <<<"$D_LOAD" | cut -d'"' -f4)
    DUCK_EPS=$(json_num events_per_sec <<<"$D_LOAD")
    DUCK_ROWS=$(json_num rows <<<"$D_LOAD")
    [ "$DUCK_ROWS" = "$EVENTS" ] || die "DuckDB holds $DUCK_ROWS rows, expected $EVENTS"
    DUCK_BPE=$(awk -v b="$(json_num bytes <<<"$D_LOAD")" -v n="$EVENTS" 'BEGIN { printf "%.2f", b / n }')
  else
    die "loading DuckDB failed: $(tail -n 3 "$WORK/duck.log" | tr '\n' ' ')"
  fi
fi

# --- 3. vigia ------------------------------------------------------------------------------
VIGIA_STATE="ok"
V_EPS="" V_P99="" V_BPE="" V_WAL_BPE="" V_VERSION="n/a" V_QUERY=0
VDATA=$WORK/vigia-data
if [ ! -x "$VIGIA" ]; then
  VIGIA_STATE="n/a (no $VIGIA)"
else
  V_VERSION=$("$VIGIA" version 2>/dev/null | head -1 || echo unknown)
  VPORT=17070
  while ! port_free "$VPORT"; do VPORT=$((VPORT + 1)); done
  V_URL="http://127.0.0.1:$VPORT"
  log "starting vigia serve on $V_URL"
  if ! vigia_start; then
    VIGIA_STATE="n/a (vigia serve did not start: $(tail -n 3 "$WORK/vigia.log" | tr '\n' ' ' | cut -c1-160))"
    kill "$VIGIA_PID" 2>/dev/null || true
    VIGIA_PID=""
  else
    log "loading vigia (POST /v1/events, $CONNS connections, $BATCH events/batch)"
    if V_LOAD=$("$LOAD" --url "$V_URL/v1/events" --file "$DATA" -c "$CONNS" -b "$BATCH" --json); then
      V_EPS=$(json_num events_per_sec <<<"$V_LOAD")
      V_P99=$(json_num batch_p99_ms <<<"$V_LOAD")
      log "vigia: waiting for the memtable flush and merges to settle"
      V_SETTLE_S=$(vigia_settle)
    else
      VIGIA_STATE="FAILED to ingest: $(echo "$V_LOAD" | cut -c1-300)"
    fi
    # Only "no such route" means not implemented; a slow or failing query is reported per
    # query instead. An empty q is a cheap 400 when the route exists.
    probe=$(curl -s -o /dev/null -w '%{http_code}' "$V_URL/v1/query" || true)
    case "$probe" in 404|405|000) ;; *) V_QUERY=1 ;; esac
  fi
fi

# --- 4. queries ----------------------------------------------------------------------------
declare -a Q_NAMES Q_V Q_V2 Q_C Q_D Q_VCOLD Q_CCOLD Q_DCOLD Q_VCHK Q_CCHK Q_DCHK Q_SAME Q_DSAME Q_MODE Q_SPEC
WRONG=0
ANS=$WORK/answers
mkdir -p "$ANS"
: >"$WORK/duckdb_queries.tsv"
while IFS=$'\t' read -r name spec vql sql cmpmode dsql; do
  case "$name" in ''|'#'*) continue ;; esac
  sql=$(subst "$sql")
  vql=$(subst "$vql")
  printf '%s\t%s\n' "$name" "$(subst "${dsql:-$sql}")" >>"$WORK/duckdb_queries.tsv"
  log "query $name"
  cms=$(time_query ch "$sql" "$WORK/ch.out")
  if [[ "$cms" == ERR:* ]]; then
    die "ClickHouse query $name failed: ${cms#ERR:} — SQL: $sql"
  fi
  read -r ccold cms _ <<<"$cms"
  cchk=$(check_answer "$spec" "$(rows_of "$WORK/ch.out")" "$(first_last_value "$WORK/ch.out" ch)")
  [ "$cchk" = ok ] || [ "$cchk" = unchecked ] || { log "ClickHouse $name: $cchk"; WRONG=1; }
  cp "$WORK/ch.out" "$WORK/ch.answer"
  vms="" vcold="" vsecond="" vchk="n/a (not implemented)" same="n/a"
  if [ "$VIGIA_STATE" != ok ]; then
    vchk="n/a"
  elif [ -n "$vql" ] && [ "$V_QUERY" = 1 ]; then
    vigia_restart || die "vigia serve did not restart: $(tail -n 3 "$WORK/vigia.log" | tr '\n' ' ')"
    vms=$(time_query vigia "$vql" "$WORK/v.out")
    if [[ "$vms" == ERR:* ]]; then
      vchk="n/a (${vms#ERR:})"
      vms=""
    else
      read -r vcold vms vsecond <<<"$vms"
      cp "$WORK/v.out" "$ANS/$name.vigia.ndjson"
      vchk=$(check_answer "$spec" "$(rows_of "$WORK/v.out")" "$(first_last_value "$WORK/v.out" vigia)")
      same=$(python3 "$ROOT/bench/compare_answers.py" "${cmpmode:-rows}" "$WORK/v.out" "$WORK/ch.answer" || true)
      log "vigia vs ClickHouse $name: $same"
      # A differing answer is a wrong answer too (unless ClickHouse's is the wrong one).
      if [[ "$same" == DIFFERENT* ]] && { [ "$vchk" = ok ] || [ "$vchk" = unchecked ]; } &&
        { [ "$cchk" = ok ] || [ "$cchk" = unchecked ]; }; then
        vchk="WRONG(differs from ClickHouse)"
      fi
      gap=$(awk -F'\t' -v n="$name" '$1 == n { print $2 }' "$ROOT/bench/known_gaps.tsv")
      if [ "$vchk" = ok ] || [ "$vchk" = unchecked ]; then
        [ -z "$gap" ] || log "vigia $name now answers right: remove it from bench/known_gaps.tsv"
      elif [ -n "$gap" ]; then
        log "vigia $name: $vchk — known gap: $gap"
        vchk="$vchk known gap"
      else
        log "vigia $name: $vchk"
        WRONG=1
      fi
    fi
  fi
  Q_NAMES+=("$name"); Q_V+=("$vms"); Q_C+=("$cms"); Q_VCHK+=("$vchk"); Q_CCHK+=("$cchk")
  Q_VCOLD+=("$vcold"); Q_V2+=("$vsecond"); Q_CCOLD+=("$ccold"); Q_MODE+=("${cmpmode:-rows}"); Q_SPEC+=("$spec")
  Q_SAME+=("${same%% (*}")
done <"$ROOT/bench/queries.tsv"

# --- vigia's bytes on disk: after a clean stop (Close) -------------------------------------
if [ -n "$VIGIA_PID" ]; then
  kill "$VIGIA_PID" 2>/dev/null || true
  wait "$VIGIA_PID" 2>/dev/null || true
  VIGIA_PID=""
  # Store::Close flushes the memtable into parts, so every event is in parts now. Like
  # ClickHouse's system.parts figure, this counts the columnar parts; the WAL (which
  # ClickHouse 18.16 does not have) is reported apart.
  if [ -n "$V_EPS" ]; then
    V_BYTES=$(du -sb "$VDATA/parts" 2>/dev/null | cut -f1)
    V_WAL_BYTES=$(du -sb "$VDATA/wal" 2>/dev/null | cut -f1)
    V_BPE=$(awk -v b="${V_BYTES:-0}" -v n="$EVENTS" 'BEGIN { if (b > 0) printf "%.2f", b / n }')
    V_WAL_BPE=$(awk -v b="${V_WAL_BYTES:-0}" -v n="$EVENTS" 'BEGIN { printf "%.2f", b / n }')
  fi
fi

# --- 4b. DuckDB queries (after vigia's stop: one system at a time on the CPUs) -------------
for i in "${!Q_NAMES[@]}"; do Q_D[i]=""; Q_DCOLD[i]=""; Q_DCHK[i]="$DUCK_STATE"; Q_DSAME[i]="n/a"; done
if [ "$DUCK_STATE" = ok ]; then
  log "DuckDB queries (a fresh instance per query: 1 cold run + $REPS warm)"
  mkdir -p "$ANS/duckdb"
  node "$DUCK_DIR/duckdb_bench.mjs" queries "$WORK/duck.db" "$WORK/duckdb_queries.tsv" "$ANS/duckdb" "$REPS" \
    >"$WORK/duckdb_times.ndjson" 2>"$WORK/duck.log" ||
    die "DuckDB queries failed: $(tail -n 3 "$WORK/duck.log" | tr '\n' ' ')"
  for i in "${!Q_NAMES[@]}"; do
    name=${Q_NAMES[$i]}
    line=$(grep -F "\"name\":\"$name\"" "$WORK/duckdb_times.ndjson" | head -1)
    Q_DCOLD[i]=$(json_num cold_ms <<<"$line")
    Q_D[i]=$(grep -o '"warm_ms":\[[^]]*' <<<"$line" | cut -d[ -f2 | tr ',' '\n' | median)
    out=$ANS/duckdb/$name.tsv
    Q_DCHK[i]=$(check_answer "${Q_SPEC[$i]}" "$(rows_of "$out")" "$(first_last_value "$out" ch)")
    [ "${Q_DCHK[$i]}" = ok ] || [ "${Q_DCHK[$i]}" = unchecked ] || { log "DuckDB $name: ${Q_DCHK[$i]}"; WRONG=1; }
    if [ -f "$ANS/$name.vigia.ndjson" ]; then
      d=$(python3 "$ROOT/bench/compare_answers.py" "${Q_MODE[$i]}" "$ANS/$name.vigia.ndjson" "$out" DuckDB || true)
      log "vigia vs DuckDB $name: $d"
      Q_DSAME[i]=${d%% (*}
      if [[ "$d" == DIFFERENT* ]] && { [ "${Q_VCHK[$i]}" = ok ] || [ "${Q_VCHK[$i]}" = unchecked ]; } &&
        { [ "${Q_DCHK[$i]}" = ok ] || [ "${Q_DCHK[$i]}" = unchecked ]; }; then
        Q_VCHK[i]="WRONG(differs from DuckDB)"
        WRONG=1
      fi
    fi
  done
fi

# --- 5. report -----------------------------------------------------------------------------
CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
MACHINE="$(nproc) cores ($CPU), $(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr)"
ratio() { # "higher is better" metric: vigia/CH; "lower is better": CH/vigia. Always "×, >1 = vigia better".
  awk -v v="$1" -v c="$2" -v hib="$3" 'BEGIN {
    if (v == "" || c == "" || v + 0 == 0 || c + 0 == 0) { print "n/a"; exit }
    r = hib ? v / c : c / v; printf "%.2fx %s", r, (r >= 1 ? "vigia better" : "vigia WORSE") }'
}
best() { # best PEER_A PEER_B HIGHER_IS_BETTER → the better of two peer figures (either may be empty)
  awk -v a="$1" -v b="$2" -v hib="$3" 'BEGIN {
    if (a == "") { print b; exit } if (b == "") { print a; exit }
    if (hib) print (a + 0 > b + 0 ? a : b); else print (a + 0 < b + 0 ? a : b) }'
}
row() { printf '| %-28s | %-30s | %-12s | %-12s | %-24s | %-18s |\n' "$1" "$2" "$3" "$4" "${5:-}" "${6:-}"; }
vcell() { # vcell VALUE CHECK
  if [ -z "$1" ]; then echo "${2:-n/a}"; elif [ "$2" = ok ] || [ "$2" = unchecked ] || [ -z "$2" ]; then echo "$(fmt "$1")"; else echo "$(fmt "$1") $2"; fi
}
pcell() { # pcell VALUE CHECK → a peer's cell
  if [ -z "$1" ]; then echo "n/a"; elif [ "$2" = ok ] || [ "$2" = unchecked ] || [ -z "$2" ]; then fmt "$1"; else echo "$(fmt "$1") $2"; fi
}

echo
echo "vigia vs ClickHouse and DuckDB — $EVENTS events ($(awk -v b="$DATA_BYTES" -v n="$EVENTS" 'BEGIN { printf "%.0f", b / n }') B/event NDJSON, seed $SEED), $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $MACHINE"
echo "vigia: $V_VERSION (vigia serve defaults) | ClickHouse $CH_VERSION (MergeTree, zstd, LowCardinality; see bench/clickhouse/README.md) | DuckDB $DUCK_VERSION (@duckdb/node-api, in-process, default threads)"
echo "load: vigia-load -c $CONNS -b $BATCH to vigia and ClickHouse; DuckDB: one read_json of the file"
echo "queries: vigia and ClickHouse over HTTP (round trip), DuckDB in-process; warm = median of $REPS runs after the cold one"
echo
row "metric" "vigia" "ClickHouse" "DuckDB" "vigia vs best peer" "same answer CH/DDB"
row "----------------------------" "------------------------------" "------------" "------------" "------------------------" "------------------"
VS=""
[ "$VIGIA_STATE" = ok ] || VS="n/a"
row "ingest events/s" "$(vcell "$V_EPS" "$VS")" "$(fmt "$CH_EPS")" "$(pcell "$DUCK_EPS" "")" "$(ratio "$V_EPS" "$(best "$CH_EPS" "$DUCK_EPS" 1)" 1)"
row "ingest batch p99 ms" "$(vcell "$V_P99" "$VS")" "$(fmt "$CH_P99")" "n/a" "$(ratio "$V_P99" "$CH_P99" 0)"
row "bytes on disk per event" "$(vcell "$V_BPE" "$VS")" "$(fmt "$CH_BPE")" "$(pcell "$DUCK_BPE" "")" "$(ratio "$V_BPE" "$(best "$CH_BPE" "$DUCK_BPE" 0)" 0)"
for i in "${!Q_NAMES[@]}"; do
  cc=$(pcell "${Q_C[$i]}" "${Q_CCHK[$i]}")
  dc=$(pcell "${Q_D[$i]}" "${Q_DCHK[$i]}")
  row "${Q_NAMES[$i]} ms (warm)" "$(vcell "${Q_V[$i]}" "${Q_VCHK[$i]}")" "$cc" "$dc" \
    "$(ratio "${Q_V[$i]}" "$(best "${Q_C[$i]}" "${Q_D[$i]}" 0)" 0)" "${Q_SAME[$i]}/${Q_DSAME[$i]}"
done
echo
echo "Cold: the first run of each query (vigia restarted before it: empty chunk cache, OS page cache warm; DuckDB a fresh instance; ClickHouse not restarted)"
echo "(vigia's 2nd run: its chunk cache keeps a chunk on its second read, so that run fills the cache; the warm median is of the runs after the cold one, this one included)"
row "query" "vigia cold ms" "ClickHouse" "DuckDB" "vigia vs best peer" "vigia 2nd run ms"
row "----------------------------" "------------------------------" "------------" "------------" "------------------------" "----------------"
for i in "${!Q_NAMES[@]}"; do
  row "${Q_NAMES[$i]} ms (cold)" "$(fmt "${Q_VCOLD[$i]}")" "$(fmt "${Q_CCOLD[$i]}")" "$(pcell "${Q_DCOLD[$i]}" "")" \
    "$(ratio "${Q_VCOLD[$i]}" "$(best "${Q_CCOLD[$i]}" "${Q_DCOLD[$i]}" 0)" 0)" "$(fmt "${Q_V2[$i]}")"
done
echo
[ "$VIGIA_STATE" = ok ] || echo "vigia: $VIGIA_STATE"
[ "$DUCK_STATE" = ok ] || echo "DuckDB: $DUCK_STATE"
[ "$VIGIA_STATE" != ok ] || [ "$V_QUERY" = 1 ] || echo "vigia: GET /v1/query is not available yet (HTTP $probe): its queries print n/a (not implemented)."
echo "ClickHouse OPTIMIZE FINAL took ${CH_OPTIMIZE_S}s, vigia's settling (memtable flushed, merges idle) ${V_SETTLE_S:-0}s; neither is counted in ingest. Ratio: >1 means vigia is better (issue 20's target: >= 1.5x on every query)."
[ -z "$V_BPE" ] || echo "vigia bytes on disk: its columnar parts after a clean stop (which flushes the memtable); the WAL left beside them: ${V_WAL_BPE:-0} B/event. DuckDB: its database file after CHECKPOINT."
echo "ClickHouse and DuckDB are loaded with the fields vigia derives from ua already filled in (vigia-gen --derived-out): vigia's ingest figure includes that derivation, theirs does not. DuckDB's ingest is a bulk read_json of the file, not HTTP."

# --- 6. SDK: the figures measured at the start (section 0), printed here ------------------
sdk_val() { python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d.get(sys.argv[2],{}).get(sys.argv[3],""))' "$SDK_JSON" "$1" "$2" 2>/dev/null; }
if [ -n "$SDK_JSON" ]; then
  echo
  echo "SDK: caller-side cost of one structured log call (sdk/bench/sdk_bench, run before the servers started: median and p99.9 from rdtsc around each call, quantized by the TSC; mean from 2,000-call bursts timed as a whole)"
  row "metric" "vigia SDK" "spdlog async" "ratio"
  row "--------------------------------" "----------------------------------" "--------------" "----------------------"
  for t in 1 4; do
    row "log call median ns, $t thr" "$(fmt "$(sdk_val vigia_t$t median_ns)")" "$(fmt "$(sdk_val spdlog_t$t median_ns)")" \
      "$(ratio "$(sdk_val vigia_t$t median_ns)" "$(sdk_val spdlog_t$t median_ns)" 0)"
    row "log call mean ns (untimed), $t thr" "$(fmt "$(sdk_val vigia_t$t mean_ns)")" "$(fmt "$(sdk_val spdlog_t$t mean_ns)")" \
      "$(ratio "$(sdk_val vigia_t$t mean_ns)" "$(sdk_val spdlog_t$t mean_ns)" 0)"
    row "log call p99.9 ns, $t thr" "$(fmt "$(sdk_val vigia_t$t p99_9_ns)")" "$(fmt "$(sdk_val spdlog_t$t p99_9_ns)")" \
      "$(ratio "$(sdk_val vigia_t$t p99_9_ns)" "$(sdk_val spdlog_t$t p99_9_ns)" 0)"
    row "caller events/s, $t thr" "$(fmt "$(sdk_val vigia_t$t caller_events_per_s)")" "$(fmt "$(sdk_val spdlog_t$t caller_events_per_s)")" \
      "$(ratio "$(sdk_val vigia_t$t caller_events_per_s)" "$(sdk_val spdlog_t$t caller_events_per_s)" 1)"
  done
else
  echo
  echo "SDK: n/a (no $SDK_BENCH; build the sdk_bench target)"
fi

# --- 7. alerting: N rules on this very store, event → webhook latency (bench/alerting) ------
ALERT_BENCH=$BUILD/alert_bench
echo
if [ -x "$ALERT_BENCH" ] && [ -d "$VDATA/parts" ] && [ -z "$VIGIA_PID" ]; then
  if [ "$SMOKE" = 1 ]; then
    aargs=(--rules 20 --cycles 2 --latency-samples 1 --latency-interval 2)
  else
    aargs=(--rules 200 --cycles 10 --latency-samples 5 --latency-interval 10)
  fi
  log "alerting: rule evaluation on the loaded store, event-to-webhook latency"
  if ! "$ALERT_BENCH" --data "$VDATA" --vigia "$VIGIA" "${aargs[@]}" 2>"$WORK/alert_bench.log"; then
    echo "alerting: alert_bench FAILED: $(tail -n 3 "$WORK/alert_bench.log" | tr '\n' ' ' | cut -c1-300)"
  fi
else
  echo "alerting: n/a (no $ALERT_BENCH or no vigia data)"
fi

# --- 8. Ingest protocols: decode events/s per core next to NDJSON (issue 16: >= 50 % each) ---
PROTO_BENCH=$BUILD/protocol_decoder_bench
PROTO_JSON=""
if [ -x "$PROTO_BENCH" ]; then
  log "ingest protocol decode benchmark (protocol_decoder_bench)"
  if [ "$SMOKE" = 1 ]; then proto_args="--events 20000 --rounds 2"; else proto_args="--events 200000 --rounds 5"; fi
  # shellcheck disable=SC2086
  PROTO_JSON=$("$PROTO_BENCH" $proto_args --json 2>"$WORK/proto.log") || {
    log "protocol_decoder_bench failed: $(tail -n 3 "$WORK/proto.log" | tr '\n' ' ')"
    PROTO_JSON=""
  }
fi
echo
if [ -n "$PROTO_JSON" ]; then
  echo "Ingest protocols: decode events per CPU-second of one thread on the same events (bench/protocols/protocol_decoder_bench.cpp; target >= 50 % of NDJSON)"
  python3 - "$PROTO_JSON" <<'PY'
import json, sys
d = json.loads(sys.argv[1])
print("| %-14s | %12s | %8s | %9s | %-16s |" % ("protocol", "events/s/core", "MB/s", "bytes/ev", "vs NDJSON"))
print("|%s|%s|%s|%s|%s|" % ("-" * 16, "-" * 14, "-" * 10, "-" * 11, "-" * 18))
for p in d["protocols"]:
    share = 100 * p["vs_ndjson"]
    mark = "" if share >= 50 else "  BELOW TARGET"
    print("| %-14s | %12.0f | %8.1f | %9.0f | %5.0f %%%-10s |" % (p["name"], p["events_per_cpu_sec"], p["mb_per_cpu_sec"], p["bytes_per_event"], share, mark))
PY
else
  echo "Ingest protocols: n/a (no $PROTO_BENCH; build the protocol_decoder_bench target)"
fi

mkdir -p "$ROOT/bench/results"
RESULT=$ROOT/bench/results/$(date -u +%Y%m%dT%H%M%SZ)-$EVENTS.json
jstr() { printf '"%s"' "$(printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g')"; }
jnum() { if [ -z "$1" ]; then echo null; else echo "$1"; fi; }
{
  printf '{"events":%s,"seed":%s,"ndjson_bytes":%s,"date":%s,"machine":%s,' "$EVENTS" "$SEED" "$DATA_BYTES" \
    "$(jstr "$(date -u +%Y-%m-%dT%H:%M:%SZ)")" "$(jstr "$MACHINE")"
  printf '"settings":{"connections":%s,"batch":%s,"reps":%s},' "$CONNS" "$BATCH" "$REPS"
  printf '"vigia":{"version":%s,"state":%s,"ingest_events_per_sec":%s,"ingest_batch_p99_ms":%s,"bytes_per_event":%s,"wal_bytes_per_event":%s,"settle_sec":%s},' \
    "$(jstr "$V_VERSION")" "$(jstr "$VIGIA_STATE")" "$(jnum "$V_EPS")" "$(jnum "$V_P99")" "$(jnum "$V_BPE")" "$(jnum "$V_WAL_BPE")" "$(jnum "$V_SETTLE_S")"
  printf '"clickhouse":{"version":%s,"ingest_events_per_sec":%s,"ingest_batch_p99_ms":%s,"bytes_per_event":%s,"optimize_final_sec":%s},' \
    "$(jstr "$CH_VERSION")" "$(jnum "$CH_EPS")" "$(jnum "$CH_P99")" "$(jnum "$CH_BPE")" "$CH_OPTIMIZE_S"
  printf '"duckdb":{"version":%s,"state":%s,"ingest_events_per_sec":%s,"bytes_per_event":%s},' \
    "$(jstr "$DUCK_VERSION")" "$(jstr "$DUCK_STATE")" "$(jnum "$DUCK_EPS")" "$(jnum "$DUCK_BPE")"
  printf '"queries":['
  for i in "${!Q_NAMES[@]}"; do
    [ "$i" -gt 0 ] && printf ','
    printf '{"name":%s,"vigia_median_ms":%s,"vigia_cold_ms":%s,"vigia_second_ms":%s,"vigia_check":%s,"clickhouse_median_ms":%s,"clickhouse_cold_ms":%s,"clickhouse_check":%s,"same_answer":%s,' \
      "$(jstr "${Q_NAMES[$i]}")" "$(jnum "${Q_V[$i]}")" "$(jnum "${Q_VCOLD[$i]}")" "$(jnum "${Q_V2[$i]}")" "$(jstr "${Q_VCHK[$i]}")" "$(jnum "${Q_C[$i]}")" \
      "$(jnum "${Q_CCOLD[$i]}")" "$(jstr "${Q_CCHK[$i]}")" "$(jstr "${Q_SAME[$i]}")"
    printf '"duckdb_median_ms":%s,"duckdb_cold_ms":%s,"duckdb_check":%s,"same_answer_duckdb":%s}' \
      "$(jnum "${Q_D[$i]}")" "$(jnum "${Q_DCOLD[$i]}")" "$(jstr "${Q_DCHK[$i]}")" "$(jstr "${Q_DSAME[$i]}")"
  done
  printf '],"sdk":%s,"protocols":%s,"truth":{' "${SDK_JSON:-null}" "${PROTO_JSON:-null}"
  grep -v '^#' "$WORK/truth.env" | awk -F= 'NR > 1 { printf "," } { printf "\"%s\":\"%s\"", $1, $2 }'
  printf '}}\n'
} >"$RESULT"
python3 "$ROOT/bench/results_chart.py" "$RESULT" "${RESULT%.json}.svg" || log "results_chart.py failed"
echo "results: $RESULT (chart: ${RESULT%.json}.svg)"
if [ "$WRONG" = 1 ]; then
  printf '\n*** bench: WRONG ANSWERS (see the table) ***\n\n' >&2
  exit 3
fi
