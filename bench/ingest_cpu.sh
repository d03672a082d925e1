#!/bin/bash
# Ingest cost of the vigia server, measured as events per server CPU-second (stable on a
# shared machine, unlike wall-clock events/s) plus peak RSS, for one vigia-load run of an
# NDJSON file over HTTP (4 connections, 1000-event batches), flushes and merges running.
#
#   vigia-gen --events 1000000 --seed 1 --out /tmp/e.ndjson
#   bench/ingest_cpu.sh build /tmp/e.ndjson [connections=4] [batch=1000]
#
# Prints the load generator's line, server CPU seconds (user/sys), events per CPU-second,
# minor page faults (fresh memory the kernel zero-fills: the sys time of a heap that returns
# memory to the OS), peak RSS (VmHWM), CPU seconds per thread name (since the server started)
# and the store's memtable/flush/merge counters every 2 s.
set -euo pipefail
BUILD=${1:?build dir}
FILE=${2:?ndjson file}
CONN=${3:-4}
BATCH=${4:-1000}
PORT=${PORT:-17099}
DATA=$(mktemp -d /tmp/vigia-ingest-cpu.XXXXXX)
trap 'kill $SERVER $POLL 2>/dev/null || true; rm -rf "$DATA"' EXIT
"$BUILD/vigia" serve --data "$DATA" --listen 127.0.0.1:$PORT 2>"$DATA.log" &
SERVER=$!
for _ in $(seq 100); do curl -s -o /dev/null http://127.0.0.1:$PORT/health/live && break; sleep 0.1; done
EVENTS=$(wc -l <"$FILE")
TCK=$(getconf CLK_TCK)
read -r U0 S0 F0 < <(awk '{print $14, $15, $10}' /proc/$SERVER/stat)
(while kill -0 $SERVER 2>/dev/null; do
  echo "  rss=$(awk '/VmRSS/{print $2}' /proc/$SERVER/status)kB $(curl -s --max-time 1 \
    http://127.0.0.1:$PORT/v1/stats | grep -o '"memtable":{[^}]*}\|"flushes":[0-9]*\|"merges":[0-9]*' |
    tr '\n' ' ')"
  sleep 2
done) &
POLL=$!
"$BUILD/vigia-load" --url http://127.0.0.1:$PORT/v1/events --file "$FILE" -c "$CONN" -b "$BATCH" | tail -1
read -r U1 S1 F1 < <(awk '{print $14, $15, $10}' /proc/$SERVER/stat)
kill $POLL 2>/dev/null || true
CPU=$(echo "scale=2; ($U1 + $S1 - $U0 - $S0) / $TCK" | bc)
echo "server CPU: ${CPU} s (user $(echo "scale=2; ($U1-$U0)/$TCK" | bc), sys $(echo "scale=2; ($S1-$S0)/$TCK" | bc))"
echo "events per server CPU-second: $(echo "$EVENTS / $CPU" | bc)"
echo "minor page faults: $((F1 - F0)) ($(echo "scale=1; ($F1 - $F0) / $EVENTS" | bc) per event)"
echo "peak RSS: $(awk '/VmHWM/{print $2}' /proc/$SERVER/status) kB"
# CPU seconds by thread name (ingest workers, flush, merge, HTTP I/O "vigia", ...) since start.
echo "CPU by thread: $(for t in /proc/$SERVER/task/*; do
  echo "$(cat $t/comm) $(awk '{print $14 + $15}' $t/stat)"
done | awk -v tck="$TCK" '{s[$1] += $2} END {for (n in s) if (s[n] > 0) printf "%s %.2f  ", n, s[n] / tck}')"
kill -TERM $SERVER
wait $SERVER || true
