#!/bin/bash
# Warm latency and server CPU of high-cardinality group-bys (by ip, by ip and route, by hour
# and ip: 50k-1M groups) on an existing data directory, e.g. make bench's 10M store kept with
# `bench/run.sh --keep`. vigia is started on it once; each query runs RUNS times; prints the
# median HTTP round trip and the median server CPU (utime + stime of the process) per query.
#
#   bench/high_cardinality.sh build /tmp/data [runs=5]
#
# Run it under the CPU lock on a shared machine. PORT overrides the port (17431).
set -euo pipefail
BUILD=${1:?build dir}
DATA=${2:?data dir}
RUNS=${3:-5}
PORT=${PORT:-17431}
VIGIA_ALERTS_ERROR_GROUP_ALERTS=false "$BUILD/vigia" serve --data "$DATA" \
  --listen "127.0.0.1:$PORT" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null || true' EXIT
for _ in $(seq 300); do
  curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
  sleep 0.05
done
sleep 3  # start-up work (the traffic refill) out of the way
ticks=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$pid/stat"; }
out=$(mktemp)
for q in \
  'kind:request | stats count() as n by (ip) | sort by (n desc) | limit 10' \
  'kind:request | stats count() as n by (_time:1h, ip) | sort by (n desc) | limit 10' \
  'kind:request | stats count() as n by (ip, route) | sort by (n desc) | limit 10' \
  'kind:request | stats count() as n, p95(duration_ms) as p by (ip, route) | sort by (n desc) | limit 10'; do
  walls=()
  cpus=()
  for _ in $(seq "$RUNS"); do
    c0=$(cpu)
    walls+=("$(curl -s -o "$out" -w '%{time_total}' --get --data-urlencode "q=$q" \
      "http://127.0.0.1:$PORT/v1/query")")
    c1=$(cpu)
    cpus+=("$((c1 - c0))")
  done
  if grep -q '"error"' "$out"; then echo "error: $q: $(head -c 300 "$out")" >&2; fi
  wall=$(printf '%s\n' "${walls[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]*1000}')
  cpums=$(printf '%s\n' "${cpus[@]}" | sort -n |
    awk -v t="$ticks" '{a[NR]=$1} END {printf "%.0f", a[int((NR+1)/2)]*1000/t}')
  printf '%-100s wall %6s ms  server CPU %6s ms\n' "$q" "$wall" "$cpums"
done
rm -f "$out"
