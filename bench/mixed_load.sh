#!/bin/bash
# Mixed load (issue 20): query latency while the server ingests at a steady rate, against
# the same query on an idle server, plus the ingest rate achieved and the server's peak RSS.
#
#   bench/mixed_load.sh build [preload_events=1000000] [rate=100000] [seconds=30]
#   INGEST_EVENTS=2000000 bench/mixed_load.sh build 1000000 0     # full-speed ingest
#
# 1. Starts `vigia serve` on a temporary data directory and loads `preload_events` generated
#    events at full speed (vigia-load --gen-events, 4 connections, 20,000-event batches),
#    then waits (at most 60 s) until the memtable is flushed (by age: 30 s by default).
# 2. idle:   runs QUERY every INTERVAL seconds, QUERIES times, nothing else running.
# 3. ingest: sends INGEST_EVENTS (default rate x seconds) more events at `rate` events/s
#    (vigia-load --rate, 0 = full speed; 4 connections, BATCH-event batches) and runs QUERY
#    every INTERVAL seconds meanwhile.
# 4. after:  waits until the store is settled again (memtable flushed, no merge running),
#    then the idle runs again: the store now holds the ingested events too, so "after" is the
#    idle latency on the same data, and the ingest/after ratio is the cost of the contention
#    alone (ingest/idle also counts the data's growth, 1M to 3M events in make bench's run).
# Prints p50/p99/max of each phase (curl's total time: HTTP round trip included), the
# ingest line of vigia-load (events/s achieved while the queries ran), the p99 ratio
# ingest/after (the same data size; and ingest/idle before), the server's query-priority counters
# (common/query_priority.h: how often background work and ingest gave way) and the peak RSS.
#
# Bounded: every request has a timeout, the load sends a fixed number of events, and the
# server (on 127.0.0.1 only) is stopped on exit. `make bench` runs it (1M preloaded, 2M at full speed);
# `make bench-smoke` (part of `make test`) runs a small one so the script never rots.
# Environment: QUERY (VQL), INTERVAL (0.5), QUERIES (20), BATCH (1000), PORT (17098),
# INGEST_EVENTS (rate x seconds), QUERY_LOG (a file: one line per query with its phase, time,
# the server's X-Vigia-* stats — rows scanned, bytes read from parts, elapsed — and the
# memtable's events then).
set -euo pipefail
BUILD=${1:?build dir}
PRELOAD=${2:-1000000}
RATE=${3:-100000}
SECONDS_LOAD=${4:-30}
QUERY=${QUERY:-'kind:request | stats p95(duration_ms), count() by (service)'}
INTERVAL=${INTERVAL:-0.5}
QUERIES=${QUERIES:-20}
BATCH=${BATCH:-1000}
PORT=${PORT:-17098}
INGEST_EVENTS=${INGEST_EVENTS:-$((RATE * SECONDS_LOAD))}
URL=http://127.0.0.1:$PORT
DATA=$(mktemp -d /tmp/vigia-mixed-load.XXXXXX)
SERVER=""
trap '[ -z "$SERVER" ] || kill "$SERVER" 2>/dev/null || true; rm -rf "$DATA" "$DATA".*' EXIT

"$BUILD/vigia" serve --data "$DATA/data" --listen "127.0.0.1:$PORT" 2>"$DATA.log" &
SERVER=$!
for _ in $(seq 100); do curl -s -o /dev/null "$URL/health/live" && break; sleep 0.1; done

stat_field() {  # stat_field NAME: a number of /v1/stats' "memtable" object
  curl -s --max-time 5 "$URL/v1/stats" | grep -o "\"memtable\":{[^}]*}" |
    grep -o "\"$1\":[0-9]*" | cut -d: -f2
}

echo "preload: $PRELOAD events"
"$BUILD/vigia-load" --url "$URL/v1/events" --gen-events "$PRELOAD" --seed 1 -c 4 -b 20000 | tail -1
for _ in $(seq 120); do  # settled: memtable empty (flushed by size, or by age within 30 s)
  [ "$(stat_field events)" = 0 ] && break
  sleep 0.5
done

# query_loop FILE N: runs QUERY N times, one start every INTERVAL s, appending ms to FILE.
query_loop() {
  local file=$1 n=$2 r
  for _ in $(seq "$n"); do
    r=$(curl -s --max-time 60 -D "$DATA.hdr" -o /dev/null -w '%{http_code} %{time_total}' \
      -G "$URL/v1/query" --data-urlencode "q=$QUERY" --data-urlencode "format=ndjson") || r="000 0"
    if [ -n "${QUERY_LOG:-}" ]; then  # phase, seconds, the server's X-Vigia-* stats, memtable
      echo "${file##*.} ${r#* } $(grep -io 'x-vigia-[a-z-]*: [0-9.]*' "$DATA.hdr" | tr -d '\r' |
        tr '\n' ' ') memtable_events=$(stat_field events)" >>"$QUERY_LOG"
    fi
    if [ "${r%% *}" = 200 ]; then
      awk -v s="${r#* }" 'BEGIN { printf "%.1f\n", s * 1000 }' >>"$file"
    else
      echo "query failed: HTTP ${r%% *}" >&2
    fi
    sleep "$INTERVAL"
  done
}

# summary NAME FILE: p50 / p99 / max of the latencies (nearest rank).
summary() {
  sort -n "$2" | awk -v name="$1" '{ v[NR] = $1 } END {
    if (NR == 0) { printf "%-7s no successful query\n", name; exit }
    p50 = v[int((NR - 1) * 0.50) + 1]; p99 = v[int((NR - 1) * 0.99) + 1]
    printf "%-7s queries=%d p50=%.1f ms p99=%.1f ms max=%.1f ms\n", name, NR, p50, p99, v[NR] }'
}
p99_of() { sort -n "$1" | awk '{ v[NR] = $1 } END { if (NR) print v[int((NR - 1) * 0.99) + 1]; else print 0 }'; }

query_loop "$DATA.idle" "$QUERIES"

echo "ingest: $INGEST_EVENTS events at $RATE events/s (0: full speed) while querying every ${INTERVAL} s"
"$BUILD/vigia-load" --url "$URL/v1/events" --gen-events "$INGEST_EVENTS" --seed 2 \
  --rate "$RATE" -c 4 -b "$BATCH" >"$DATA.load" 2>&1 &
LOAD=$!
while kill -0 "$LOAD" 2>/dev/null; do query_loop "$DATA.ingest" 1; done
wait "$LOAD" || echo "vigia-load failed" >&2
tail -1 "$DATA.load"

# settled again before "after" (memtable flushed, no merge running; at most 60 s), so that
# phase is the idle server at the ingest's final size: issue 20's idle baseline (36 ms) was
# the query on the whole store after its ingest, not on the smaller store before it.
for _ in $(seq 120); do
  [ "$(stat_field events)" = 0 ] &&
    [ "$(curl -s --max-time 5 "$URL/v1/stats" | grep -o '"merges_running":[0-9]*' | cut -d: -f2)" = 0 ] &&
    break
  sleep 0.5
done
query_loop "$DATA.after" "$QUERIES"

echo "query: $QUERY"
summary idle "$DATA.idle"
summary ingest "$DATA.ingest"
summary after "$DATA.after"
awk -v a="$(p99_of "$DATA.ingest")" -v b="$(p99_of "$DATA.idle")" -v c="$(p99_of "$DATA.after")" \
  'BEGIN { if (b > 0 && c > 0) printf "p99 during ingest / idle after (settled, same data): %.1fx (/ idle before, smaller store: %.1fx)\n", a / c, a / b }'
echo "ingest during queries: $(grep -o '[0-9]* events/s' "$DATA.load" | head -1)"
echo "query priority: $(curl -s --max-time 5 "$URL/v1/stats" | grep -o '"query_priority":{[^}]*}' || echo n/a)"
echo "memtable: stalls=$(stat_field stalls) refusals=$(stat_field refusals) peak_bytes=$(stat_field peak_bytes)"
echo "peak RSS (VmHWM): $(awk '/VmHWM/{print $2}' "/proc/$SERVER/status") kB"
kill -TERM "$SERVER"
wait "$SERVER" || true
SERVER=""
