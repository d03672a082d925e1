#!/usr/bin/env bash
# vigia at 1M, 10M and 100M events (issue 20, "Scale: 100M events"): the same data set at
# each size streamed from the generator straight into `vigia serve` (no file: 100M events
# would be ~35 GB of NDJSON), then the benchmark queries.
#
#   bench/scale/scale_run.sh [--events "1000000 10000000 100000000"] [--reps R]
#                            [--connections C] [--batch B] [--keep]
#
# Per size: vigia-gen writes only the ground truth (--out /dev/null) for the 24 h ending
# now; a fresh `vigia serve` (defaults, built-in error-group alerts off as in run.sh) on an
# empty data dir; vigia-load generates the same events (--gen-events, same seed and start)
# and posts them (C connections, B events per batch) — the generator runs in vigia-load's
# process on the same 2 cores, so the rate is a little under a file's; sampler.py records
# RSS, events accepted, parts and merges every 2 s; then the memtable flush and merges
# settle (no merge running, at most 15 min); then each query of bench/queries.tsv runs once
# cold after a restart and REPS times warm, its answer checked against the truth; bytes on
# disk after a clean stop.
# Writes bench/results/<UTC>-scale.json, the samples as <UTC>-scale-<N>.tsv and the charts
# (bench/scale/scale_chart.py): query time against events, and RSS over the run.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=${BUILD:-build}
case "$BUILD" in /*) ;; *) BUILD="$ROOT/$BUILD" ;; esac
SIZES="1000000 10000000 100000000"
REPS=5
CONNS=4
BATCH=10000
KEEP=0
while [ $# -gt 0 ]; do
  case "$1" in
    --events) SIZES=$2; shift 2 ;;
    --reps) REPS=$2; shift 2 ;;
    --connections) CONNS=$2; shift 2 ;;
    --batch) BATCH=$2; shift 2 ;;
    --keep) KEEP=1; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "scale_run.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
GEN=$BUILD/vigia-gen
LOAD=$BUILD/vigia-load
VIGIA=$BUILD/vigia
for b in "$GEN" "$LOAD" "$VIGIA"; do
  [ -x "$b" ] || { echo "scale_run.sh: $b missing: build first (make build)" >&2; exit 1; }
done

WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigia-scale.XXXXXX")
VIGIA_PID="" SAMPLER_PID=""
cleanup() {
  [ -n "$SAMPLER_PID" ] && kill "$SAMPLER_PID" 2>/dev/null
  [ -n "$VIGIA_PID" ] && kill "$VIGIA_PID" 2>/dev/null && wait "$VIGIA_PID" 2>/dev/null
  if [ "$KEEP" = 1 ]; then echo "scale_run.sh: kept $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
# shellcheck source=bench/bench_lib.sh
. "$ROOT/bench/bench_lib.sh"
log() { printf '[scale %s] %s\n' "$(date -u +%H:%M:%S)" "$*" >&2; }
die() { printf '\n*** scale run FAILED: %s ***\n\n' "$*" >&2; exit 1; }

STAMP=$(date -u +%Y%m%dT%H%M%SZ)
RESULTS=$ROOT/bench/results
mkdir -p "$RESULTS"
VPORT=17170
while ! port_free "$VPORT"; do VPORT=$((VPORT + 1)); done
V_URL="http://127.0.0.1:$VPORT"
JSON_SIZES=()
for N in $SIZES; do
  log "== $N events"
  START_MS=$(($(date +%s%3N) - 86400000))
  "$GEN" --events "$N" --seed 1 --start "$START_MS" --out /dev/null --truth "$WORK/truth.env" \
    2>"$WORK/gen.log" || die "vigia-gen: $(cat "$WORK/gen.log")"
  set -a
  # shellcheck disable=SC1091
  . "$WORK/truth.env"
  ERROR_HOUR_END_MS=$((ERROR_HOUR_START_MS + 3600000))
  LOGIN_HOUR_END_MS=$((LOGIN_HOUR_START_MS + 3600000))
  set +a
  VDATA=$WORK/data-$N
  rm -rf "$VDATA"
  vigia_start || die "vigia serve did not start: $(tail -n 3 "$WORK/vigia.log")"
  SAMPLES=$RESULTS/$STAMP-scale-$N.tsv
  python3 "$ROOT/bench/scale/sampler.py" "$VIGIA_PID" "$V_URL" "$SAMPLES" 2 "$WORK/stop-sampler" &
  SAMPLER_PID=$!
  log "posting $N generated events ($CONNS connections, $BATCH events/batch)"
  L=$("$LOAD" --url "$V_URL/v1/events" --gen-events "$N" --seed 1 --start-ms "$START_MS" \
    -c "$CONNS" -b "$BATCH" --json) || die "loading failed: $L"
  EPS=$(json_num events_per_sec <<<"$L")
  P99=$(json_num batch_p99_ms <<<"$L")
  log "ingest: $EPS events/s, batch p99 $P99 ms; waiting for flush and merges to settle"
  SETTLE_S=$(SETTLE_MAX_S=900 vigia_settle)
  touch "$WORK/stop-sampler"
  wait "$SAMPLER_PID" 2>/dev/null || true
  SAMPLER_PID=""
  rm -f "$WORK/stop-sampler"
  PEAK_RSS=$(awk -F'\t' 'NR > 1 && $2 > m { m = $2 } END { print m + 0 }' "$SAMPLES")
  MAX_PARTS=$(awk -F'\t' 'NR > 1 && $7 != "" && $7 > m { m = $7 } END { print m + 0 }' "$SAMPLES")
  QJSON=()
  while IFS=$'\t' read -r name spec vql _sql _cmp _dsql; do
    case "$name" in ''|'#'*) continue ;; esac
    [ -n "$vql" ] || continue
    vql=$(subst "$vql")
    vigia_restart || die "vigia serve did not restart: $(tail -n 3 "$WORK/vigia.log")"
    r=$(time_query vigia "$vql" "$WORK/v.out")
    if [[ "$r" == ERR:* ]]; then
      log "$name: ${r#ERR:}"
      QJSON+=("{\"name\":\"$name\",\"error\":true}")
      continue
    fi
    read -r rcold rwarm _ <<<"$r"
    chk=$(check_answer "$spec" "$(rows_of "$WORK/v.out")" "$(first_last_value "$WORK/v.out" vigia)")
    log "$name: cold $rcold ms, warm $rwarm ms ($chk)"
    QJSON+=("{\"name\":\"$name\",\"cold_ms\":$rcold,\"warm_ms\":$rwarm,\"check\":\"$chk\"}")
  done <"$ROOT/bench/queries.tsv"
  kill "$VIGIA_PID" 2>/dev/null || true
  wait "$VIGIA_PID" 2>/dev/null || true
  VIGIA_PID=""
  BYTES=$(du -sb "$VDATA" | cut -f1)
  BPE=$(awk -v b="$BYTES" -v n="$N" 'BEGIN { printf "%.2f", b / n }')
  log "$N events: $BPE bytes/event on disk, peak RSS $PEAK_RSS MiB, at most $MAX_PARTS parts in a partition"
  Q=$(IFS=,; echo "${QJSON[*]}")
  JSON_SIZES+=("{\"events\":$N,\"ingest_events_per_sec\":$EPS,\"batch_p99_ms\":$P99,\"settle_s\":$SETTLE_S,\"peak_rss_mib\":$PEAK_RSS,\"max_parts_per_partition\":$MAX_PARTS,\"disk_bytes\":$BYTES,\"bytes_per_event\":$BPE,\"samples\":\"$(basename "$SAMPLES")\",\"queries\":[$Q]}")
  [ "$KEEP" = 1 ] || rm -rf "$VDATA"
done
OUT=$RESULTS/$STAMP-scale.json
{
  printf '{"date":"%s","vigia":"%s","connections":%s,"batch":%s,"reps":%s,"sizes":[' \
    "$STAMP" "$("$VIGIA" version 2>/dev/null | head -1)" "$CONNS" "$BATCH" "$REPS"
  (IFS=,; printf '%s' "${JSON_SIZES[*]}")
  printf ']}\n'
} >"$OUT"
python3 "$ROOT/bench/scale/scale_chart.py" "$OUT" "$RESULTS/$STAMP-scale"
log "wrote $OUT and its charts ($RESULTS/$STAMP-scale-*.svg)"
