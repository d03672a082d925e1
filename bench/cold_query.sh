#!/bin/bash
# Cold query latency on an existing data directory: vigia is started on it, the query runs
# once as soon as the server is ready (chunk cache empty, OS page cache warm), the server is
# stopped (SIGTERM), RUNS times. Prints each run's HTTP round trip in seconds, then the median.
# Before each start the part files are read once, so that the OS page cache is warm as that
# says: a VM whose kernel pages out idle file pages (DAMON) otherwise puts disk reads into the
# "cold" figure, more of them the longer the directory sat unused (WARM=0 skips this).
#
#   bench/cold_query.sh build /tmp/data 'level:error | stats count() by (_time:1h, service)' [runs=5]
#
# Run it under the CPU lock on a shared machine. PORT overrides the port (17302).
set -euo pipefail
BUILD=${1:?build dir}
DATA=${2:?data dir}
QUERY=${3:?VQL query}
RUNS=${4:-5}
PORT=${PORT:-17302}
times=()
for _ in $(seq "$RUNS"); do
  if [ "${WARM:-1}" != 0 ]; then
    find "$DATA" -type f -path '*/parts/*' -exec cat {} + >/dev/null
  fi
  "$BUILD/vigia" serve --data "$DATA" --listen "127.0.0.1:$PORT" >/dev/null 2>&1 &
  pid=$!
  for _ in $(seq 200); do
    curl -sf "http://127.0.0.1:$PORT/health/ready" >/dev/null 2>&1 && break
    sleep 0.05
  done
  t=$(curl -sf -o /dev/null -w '%{time_total}' --get --data-urlencode "q=$QUERY" \
    "http://127.0.0.1:$PORT/v1/query")
  echo "$t"
  times+=("$t")
  kill -TERM "$pid"
  wait "$pid" || true
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median", a[int((NR+1)/2)]}'
