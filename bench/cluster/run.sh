#!/usr/bin/env bash
# make bench-cluster: one vigia node on ClickHouse (storage.backend = "clickhouse") against
# 1- and 2-shard clusters on loopback, and against the embedded store, on the same events
# (issue 19, "Numbers"). Not part of `make test`; time-boxed (see --events).
#
#   bench/cluster/run.sh [--events N] [--reps R] [--connections C] [--batch B] [--shards "1 2"] [--keep]
#
# 1. vigia-gen writes N events (seed 1) and their ground truth.
# 2. Embedded: `vigia serve` on a temp data dir, vigia-load posts the file to /v1/events;
#    CPU-seconds of the vigia process (utime+stime from /proc/PID/stat) per event; then every
#    VQL query of bench/queries.tsv: one warm-up run, the median of R runs (curl's total time).
# 3. For each shard count S: S `clickhouse-server` processes from bench/clickhouse/
#    (bench/clickhouse/clickhouse.sh: the benchmark peer's stock config, 127.0.0.1), a
#    `remote_servers` cluster `vigia_bench` of S shards (S = 1: a Distributed table over one
#    shard, so 1 → 2 changes only the shard count), the schema by `vigia clickhouse init
#    --cluster`, one `vigia serve` with storage.backend = "clickhouse" on the first server.
#    vigia-load posts the same file; ingest events/s = N / (first batch sent → the node's
#    outbox has shipped all N: /health/ready's shipped_events), the acknowledged rate is
#    printed apart; the vigia process's CPU per event at that point, the ClickHouse servers'
#    CPU per event at that point and again once their merges stopped (system.merges empty for
#    3 s, at most 60 s); bytes on disk per event from system.parts (active parts, unmerged
#    further: no OPTIMIZE). Then the same queries through the node; every answer compared
#    with the embedded store's (bench/cluster/compare_vigia.py) and checked against the
#    ground truth like bench/run.sh does.
# Writes the table to stdout and bench/results/cluster-<UTC date>.md. Exit 0; 3 when an
# answer is wrong or differs; 1 when the harness failed.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
EVENTS=${EVENTS:-4000000}
REPS=5
CONNS=2
BATCH=20000
SHARDS="1 2"
KEEP=0
SEED=1
while [ $# -gt 0 ]; do
  case "$1" in
    --events) EVENTS=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --batch) BATCH=$2; shift 2 ;;
    --shards) SHARDS=$2; shift 2 ;;
    --seed) SEED=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
    *) echo "bench-cluster: unknown argument $1" >&2; exit 2 ;;
  esac
done

GEN=$BUILD/vigia-gen
LOAD=$BUILD/vigia-load
VIGIA=$BUILD/vigia
for b in "$GEN" "$LOAD" "$VIGIA"; do
  [ -x "$b" ] || { echo "bench-cluster: $b missing: build first (make build, or BUILD=dir)" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigia-bench-cluster.XXXXXX")
VIGIA_PID=""
CH_DIRS=()
stop_vigia() {
  if [ -n "$VIGIA_PID" ]; then
    kill "$VIGIA_PID" 2>/dev/null || true
    wait "$VIGIA_PID" 2>/dev/null || true
    VIGIA_PID=""
  fi
}
stop_clickhouse() {
  local d
  for d in "${CH_DIRS[@]}"; do "$ROOT/bench/clickhouse/clickhouse.sh" stop "$d" || true; done
  CH_DIRS=()
}
cleanup() {
  stop_vigia
  stop_clickhouse
  if [ "$KEEP" = 1 ]; then echo "bench-cluster: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

T_START=$(date +%s)
# json_num, median, port_free, subst, check_answer (vigia_start is this script's own, below).
# shellcheck source=bench/bench_lib.sh
. "$ROOT/bench/bench_lib.sh"
log() { printf '[bench-cluster %s +%ss] %s\n' "$(date -u +%H:%M:%S)" "$(($(date +%s) - T_START))" "$*" >&2; }
die() { printf '\n*** bench-cluster FAILED: %s ***\n\n' "$*" >&2; exit 1; }
now() { date +%s.%N; }
calc() { awk "BEGIN { printf \"$1\", $2 }"; }
CLK_TCK=$(getconf CLK_TCK)
# cpu_s PID... → utime+stime of the processes, in seconds (fields 14 and 15 of /proc/PID/stat,
# counted after the command name, which may hold spaces)
cpu_s() {
  local total=0 p t
  for p in "$@"; do
    t=$(sed 's/.*) //' "/proc/$p/stat" | awk '{ print $12 + $13 }')
    total=$((total + t))
  done
  calc "%.2f" "$total / $CLK_TCK"
}

# --- 1. data -------------------------------------------------------------------------------
DATA=$WORK/events.ndjson
log "generating $EVENTS events (seed $SEED)"
"$GEN" --events "$EVENTS" --seed "$SEED" --out "$DATA" --truth "$WORK/truth.env" 2>"$WORK/gen.log" ||
  die "vigia-gen: $(cat "$WORK/gen.log")"
set -a # exported: subst reads the queries' ${VARS} from the environment
# shellcheck disable=SC1091
. "$WORK/truth.env"
# shellcheck disable=SC2034
ERROR_HOUR_END_MS=$((ERROR_HOUR_START_MS + 3600000))
# shellcheck disable=SC2034
LOGIN_HOUR_END_MS=$((LOGIN_HOUR_START_MS + 3600000))
set +a
DATA_BYTES=$(stat -c %s "$DATA")

# --- vigia node ----------------------------------------------------------------------------
VPORT=17170
while ! port_free "$VPORT"; do VPORT=$((VPORT + 1)); done
V_URL="http://127.0.0.1:$VPORT"
# vigia_start DATA_DIR [ENV=VALUE...] → `vigia serve` on V_URL, ready within 30 s. The
# built-in error-group alerts would store kind=alert events of their own (bench/README.md):
# off, so both stores hold exactly the generated events.
vigia_start() {
  local dir=$1
  shift
  env VIGIA_ALERTS_ERROR_GROUP_ALERTS=false "$@" "$VIGIA" serve --data "$dir" --listen "127.0.0.1:$VPORT" \
    >>"$WORK/vigia.log" 2>&1 &
  VIGIA_PID=$!
  for _ in $(seq 1 300); do
    curl -sf "$V_URL/health/ready" >/dev/null 2>&1 && return 0
    kill -0 "$VIGIA_PID" 2>/dev/null || break
    sleep 0.1
  done
  die "vigia serve did not start: $(tail -n 5 "$WORK/vigia.log" | tr '\n' ' ')"
}

# --- queries -------------------------------------------------------------------------------
Q_NAMES=() Q_VQL=() Q_SPEC=()
while IFS=$'\t' read -r name spec vql _sql _cmp _dsql; do
  case "$name" in ''|'#'*) continue ;; esac
  [ -n "$vql" ] || continue
  Q_NAMES+=("$name"); Q_SPEC+=("$spec"); Q_VQL+=("$(subst "$vql")")
done <"$ROOT/bench/queries.tsv"

# run_queries LABEL → Q_MS_<LABEL>[i] (warm median ms) and answers in $WORK/answers/LABEL/
declare -A Q_MS Q_CHK
run_queries() {
  local label=$1 i r code ms times out
  mkdir -p "$WORK/answers/$label"
  for i in "${!Q_NAMES[@]}"; do
    out=$WORK/answers/$label/${Q_NAMES[$i]}.ndjson
    times=()
    for rep in $(seq 0 "$REPS"); do
      r=$(curl -s --max-time 300 -o "$out" -w '%{http_code} %{time_total}' -G "$V_URL/v1/query" \
        --data-urlencode "q=${Q_VQL[$i]}" --data-urlencode "format=ndjson" --data-urlencode "limit=1000000")
      code=${r%% *}
      if [ "$code" != 200 ]; then
        Q_MS[$label,$i]=""
        Q_CHK[$label,$i]="ERROR(HTTP $code: $(head -c 160 "$out" | tr '\n' ' '))"
        log "$label ${Q_NAMES[$i]}: ${Q_CHK[$label,$i]}"
        continue 2
      fi
      ms=$(calc "%.2f" "${r#* } * 1000")
      [ "$rep" = 0 ] || times+=("$ms") # rep 0 is the warm-up
      # A multi-second query: 3 timed runs bound the run time.
      if [ "$rep" -ge 3 ] && awk -v m="$ms" 'BEGIN { exit !(m > 2000) }'; then break; fi
    done
    Q_MS[$label,$i]=$(printf '%s\n' "${times[@]}" | median)
    local rows value
    rows=$(grep -c . "$out" || true)
    value=$(head -1 "$out" | grep -o '[-0-9.eE+]*}$' | tr -d '}' || true)
    Q_CHK[$label,$i]=$(check_answer "${Q_SPEC[$i]}" "$rows" "$value")
    log "$label ${Q_NAMES[$i]}: ${Q_MS[$label,$i]} ms, $rows rows, ${Q_CHK[$label,$i]}"
  done
}

# --- 2. embedded ---------------------------------------------------------------------------
declare -a SHARD_ROWS
declare -A EPS ACK_EPS V_CPU CH_CPU CH_CPU_SETTLED BPE LOAD_P99 SHIP_S
log "embedded: vigia serve, loading $EVENTS events ($CONNS connections, $BATCH/batch)"
vigia_start "$WORK/embedded"
c0=$(cpu_s "$VIGIA_PID")
t0=$(now)
L=$("$LOAD" --url "$V_URL/v1/events" --file "$DATA" -c "$CONNS" -b "$BATCH" --json) || die "loading vigia failed: $L"
t1=$(now)
c1=$(cpu_s "$VIGIA_PID")
EPS[embedded]=$(calc "%.0f" "$EVENTS / ($t1 - $t0)")
ACK_EPS[embedded]=${EPS[embedded]}
LOAD_P99[embedded]=$(calc "%.0f" "$(json_num batch_p99_ms <<<"$L")")
V_CPU[embedded]=$(calc "%.2f" "$c1 - $c0")
log "embedded: ${EPS[embedded]} events/s, vigia ${V_CPU[embedded]} CPU-s; waiting for the memtable flush"
for _ in $(seq 1 240); do
  s=$(curl -sf "$V_URL/v1/stats") || break
  [ "$(grep -o '"memtable":{"events":[0-9]*' <<<"$s" | grep -o '[0-9]*$')" = 0 ] && break
  sleep 0.5
done
V_CPU_SETTLED_EMB=$(calc "%.2f" "$(cpu_s "$VIGIA_PID") - $c0")
run_queries embedded
stop_vigia
BPE[embedded]=$(calc "%.1f" "$(du -sb "$WORK/embedded/parts" | cut -f1) / $EVENTS")
rm -rf "$WORK/embedded"

# --- 3. ClickHouse clusters ----------------------------------------------------------------
CH_VERSION=""
for S in $SHARDS; do
  label="${S}shard"
  log "$label: starting $S clickhouse-server"
  urls=() pids=() cfg="<?xml version=\"1.0\"?>
<yandex><remote_servers><vigia_bench>"
  for k in $(seq 1 "$S"); do
    d=$WORK/ch-$label-$k
    mkdir -p "$d"
    CH_DIRS+=("$d")
    ports=$("$ROOT/bench/clickhouse/clickhouse.sh" start "$d") || die "ClickHouse did not start"
    urls+=("http://127.0.0.1:${ports%% *}")
    pids+=("$(cat "$d/pid")")
    cfg+="<shard><replica><host>127.0.0.1</host><port>${ports#* }</port></replica></shard>"
  done
  cfg+="</vigia_bench></remote_servers></yandex>"
  for d in "${CH_DIRS[@]}"; do mkdir -p "$d/config.d" && printf '%s\n' "$cfg" >"$d/config.d/remote_servers.xml"; done
  # ClickHouse reloads config.d by itself; wait until every server sees the whole cluster.
  for u in "${urls[@]}"; do
    for _ in $(seq 1 300); do
      [ "$(curl -s "$u" --data-binary "SELECT count() FROM system.clusters WHERE cluster = 'vigia_bench'")" = "$S" ] && break
      sleep 0.2
    done
  done
  CH_VERSION=$(curl -s "${urls[0]}" --data-binary "SELECT version()")
  init_args=()
  for u in "${urls[@]}"; do init_args+=(--url "$u"); done
  "$VIGIA" clickhouse init "${init_args[@]}" --cluster vigia_bench >"$WORK/init.log" 2>&1 ||
    die "vigia clickhouse init: $(tail -n 5 "$WORK/init.log")"

  log "$label: vigia serve (storage.backend = clickhouse, ${urls[0]}), loading $EVENTS events"
  # The outbox may hold the whole load while ClickHouse catches up: vigia-load stops at the
  # first 503, so the backlog bound is raised above the data's size.
  vigia_start "$WORK/node-$label" VIGIA_STORAGE_BACKEND=clickhouse VIGIA_CLICKHOUSE_URL="${urls[0]}" \
    VIGIA_CLICKHOUSE_CLUSTER=vigia_bench VIGIA_CLICKHOUSE_MAX_BACKLOG_BYTES=$((DATA_BYTES * 4 + 1073741824))
  vc0=$(cpu_s "$VIGIA_PID")
  cc0=$(cpu_s "${pids[@]}")
  t0=$(now)
  L=$("$LOAD" --url "$V_URL/v1/events" --file "$DATA" -c "$CONNS" -b "$BATCH" --json) || die "loading the node failed: $L"
  t1=$(now)
  LOAD_P99[$label]=$(calc "%.0f" "$(json_num batch_p99_ms <<<"$L")")
  shipped=0
  for _ in $(seq 1 6000); do # ≤ 10 min
    shipped=$(curl -sf "$V_URL/health/ready" | json_num shipped_events || echo 0)
    [ "${shipped:-0}" -ge "$EVENTS" ] && break
    sleep 0.1
  done
  t2=$(now)
  [ "${shipped:-0}" -ge "$EVENTS" ] || die "$label: only $shipped of $EVENTS events shipped to ClickHouse after 10 min"
  V_CPU[$label]=$(calc "%.2f" "$(cpu_s "$VIGIA_PID") - $vc0")
  CH_CPU[$label]=$(calc "%.2f" "$(cpu_s "${pids[@]}") - $cc0")
  ACK_EPS[$label]=$(calc "%.0f" "$EVENTS / ($t1 - $t0)")
  EPS[$label]=$(calc "%.0f" "$EVENTS / ($t2 - $t0)")
  SHIP_S[$label]=$(calc "%.1f" "$t2 - $t1")
  rows=$(curl -s "${urls[0]}" --data-binary "SELECT count() FROM vigia.events")
  [ "$rows" = "$EVENTS" ] || die "$label: ClickHouse holds $rows rows, expected $EVENTS"
  log "$label: ${EPS[$label]} events/s into ClickHouse (acknowledged at ${ACK_EPS[$label]}/s), vigia ${V_CPU[$label]} CPU-s, ClickHouse ${CH_CPU[$label]} CPU-s; waiting for merges"
  quiet=0
  for _ in $(seq 1 120); do
    busy=0
    for u in "${urls[@]}"; do
      m=$(curl -s "$u" --data-binary "SELECT count() FROM system.merges")
      busy=$((busy + ${m:-0}))
    done
    if [ "$busy" = 0 ]; then quiet=$((quiet + 1)); else quiet=0; fi
    [ "$quiet" -ge 6 ] && break
    sleep 0.5
  done
  CH_CPU_SETTLED[$label]=$(calc "%.2f" "$(cpu_s "${pids[@]}") - $cc0")
  bytes=0 per_shard=""
  for u in "${urls[@]}"; do
    b=$(curl -s "$u" --data-binary "SELECT sum(bytes_on_disk) FROM system.parts WHERE database = 'vigia' AND table = 'events_local' AND active")
    n=$(curl -s "$u" --data-binary "SELECT count() FROM vigia.events_local")
    bytes=$((bytes + b))
    per_shard+="${per_shard:+, }$n"
  done
  BPE[$label]=$(calc "%.1f" "$bytes / $EVENTS")
  SHARD_ROWS[S]=$per_shard
  run_queries "$label"
  stop_vigia
  stop_clickhouse
done

# --- 4. report -----------------------------------------------------------------------------
declare -A SAME
DIFFS=0
for S in $SHARDS; do
  for i in "${!Q_NAMES[@]}"; do
    a=$WORK/answers/embedded/${Q_NAMES[$i]}.ndjson b=$WORK/answers/${S}shard/${Q_NAMES[$i]}.ndjson
    if [ -n "${Q_MS[embedded,$i]}" ] && [ -n "${Q_MS[${S}shard,$i]}" ]; then
      SAME[$S,$i]=$(python3 "$ROOT/bench/cluster/compare_vigia.py" "$a" "$b" 2>&1) || DIFFS=1
    else
      SAME[$S,$i]="n/a"
      DIFFS=1
    fi
  done
done
WRONG=0
for k in "${!Q_CHK[@]}"; do
  case "${Q_CHK[$k]}" in ok|unchecked) ;; *) WRONG=1 ;; esac
done

CPU=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
per_ev() { calc "%.2f" "$1 * 1000000 / $EVENTS"; } # CPU-s → CPU-µs per event
fmtn() { awk -v x="$1" 'BEGIN { if (x == "") print "n/a"; else { s = sprintf("%.0f", x); r = ""; while (length(s) > 3) { r = "," substr(s, length(s) - 2) r; s = substr(s, 1, length(s) - 3) } print s r } }'; }
fmtms() { awk -v x="$1" 'BEGIN { if (x == "") print "n/a"; else if (x >= 100) printf "%.0f", x; else printf "%.1f", x }'; }
DATE=$(date -u +%Y-%m-%d)
OUT=$ROOT/bench/results/cluster-$DATE.md
{
  echo "# bench-cluster $(date -u +%Y-%m-%dT%H:%M:%SZ) — $EVENTS events"
  echo
  echo "LABEL: one vigia node, $(nproc)-core machine ($CPU) shared by every process of the run"
  echo "(load generator, vigia, every ClickHouse server): the 2-shard figures measure the cost of"
  echo "sharding on one machine, not scale. The per-event CPU columns are the figures that carry"
  echo "over to more machines (docs/scale-out.md)."
  echo
  echo "- data: vigia-gen --events $EVENTS --seed $SEED, $(calc "%.0f" "$DATA_BYTES / $EVENTS") B/event NDJSON; vigia-load -c $CONNS -b $BATCH over HTTP to POST /v1/events"
  echo "- vigia: $("$VIGIA" version 2>/dev/null | head -1); ClickHouse $CH_VERSION (bench/clickhouse config, MergeTree, zstd), Distributed \`events\` over \`vigia_bench\`, \`vigia clickhouse init --cluster\`"
  echo "- ingest events/s into ClickHouse: first batch sent → the outbox has shipped all events (acknowledged rate apart); CPU from /proc/PID/stat (utime+stime)"
  echo "- queries: through the vigia node's GET /v1/query, one warm-up then the median of $REPS runs (curl total time)"
  echo
  echo "| ingest | events/s | acknowledged events/s | batch p99 ms | outbox drained after the load | vigia CPU µs/event | ClickHouse CPU µs/event (at shipped / merges done) | bytes on disk/event | rows per shard |"
  echo "|---|---|---|---|---|---|---|---|---|"
  echo "| embedded store | $(fmtn "${EPS[embedded]}") | $(fmtn "${ACK_EPS[embedded]}") | ${LOAD_P99[embedded]} | – | $(per_ev "${V_CPU[embedded]}") ($(per_ev "$V_CPU_SETTLED_EMB") with the memtable flush) | – | ${BPE[embedded]} | – |"
  for S in $SHARDS; do
    l=${S}shard
    echo "| ClickHouse, $S shard$([ "$S" = 1 ] || echo s) | $(fmtn "${EPS[$l]}") | $(fmtn "${ACK_EPS[$l]}") | ${LOAD_P99[$l]} | ${SHIP_S[$l]} s | $(per_ev "${V_CPU[$l]}") | $(per_ev "${CH_CPU[$l]}") / $(per_ev "${CH_CPU_SETTLED[$l]}") | ${BPE[$l]} | ${SHARD_ROWS[$S]} |"
  done
  echo
  hdr="| query | embedded ms"
  sep="|---|---"
  for S in $SHARDS; do hdr+=" | $S shard ms | same answer as embedded"; sep+="|---|---"; done
  echo "$hdr |"
  echo "$sep|"
  for i in "${!Q_NAMES[@]}"; do
    line="| ${Q_NAMES[$i]} | $(fmtms "${Q_MS[embedded,$i]}")"
    [ "${Q_CHK[embedded,$i]}" = ok ] || [ "${Q_CHK[embedded,$i]}" = unchecked ] || line+=" ${Q_CHK[embedded,$i]}"
    for S in $SHARDS; do
      c=${Q_CHK[${S}shard,$i]}
      line+=" | $(fmtms "${Q_MS[${S}shard,$i]}")"
      [ "$c" = ok ] || [ "$c" = unchecked ] || line+=" $c"
      line+=" | ${SAME[$S,$i]}"
    done
    echo "$line |"
  done
  echo
  echo "Run time: $(($(date +%s) - T_START)) s. Reproduce: \`EVENTS=$EVENTS make bench-cluster\` (or \`bench/cluster/run.sh --events $EVENTS\`)."
} | tee "$OUT"
log "wrote $OUT"
[ "$WRONG" = 0 ] && [ "$DIFFS" = 0 ] || exit 3
