#!/usr/bin/env bash
# The search page's latency in a real browser (issue 17): N events (vigia-gen, 1 h span,
# posted by vigia-load to a real `vigia serve`), then headless Debian chromium driven by
# playwright-core (tests/dashboard/'s lockfile, npm ci) types each query of
# dashboard_bench.mjs into the search page and measures, in the page, the time from the
# Enter key to the first result rows drawn and to the histogram drawn (bench/README.md,
# "Dashboard"). Not part of `make test`; run it alone on the machine.
#   bench/dashboard/dashboard_bench.sh BUILD_DIR [N=1000000] [RUNS=5]
# SETTLED=1 measures twice: right after the load (the server flushing and merging), then again
# once the store's merges have settled (no merge running and the part count unchanged for 30 s).
set -euo pipefail
BUILD=$(realpath "$1"); N=${2:-1000000}; RUNS=${3:-5}
SRC=$(cd "$(dirname "$0")/../.." && pwd)
for b in vigia vigia-gen vigia-load; do
  [ -x "$BUILD/$b" ] || { echo "dashboard_bench: $BUILD/$b missing: build first" >&2; exit 1; }
done
[ -x /usr/bin/chromium ] || { echo "dashboard_bench: Debian's chromium is needed" >&2; exit 1; }
(cd "$SRC/tests/dashboard" && npm ci --no-audit --no-fund --loglevel=error)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/vigia-dashboard-bench.XXXXXX")
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$WORK"' EXIT
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
URL=http://127.0.0.1:$PORT
"$BUILD/vigia-gen" --seed 1 --events "$N" --span 1h --out "$WORK/events.ndjson" > /dev/null
"$BUILD/vigia" serve --data "$WORK/data" --listen "127.0.0.1:$PORT" > "$WORK/serve.log" 2>&1 &
pid=$!
for _ in $(seq 200); do curl -sf "$URL/health/live" > /dev/null && break; sleep 0.1; done
"$BUILD/vigia-load" --url "$URL/v1/events" --file "$WORK/events.ndjson" -c 2 -b 20000 --json > "$WORK/load.json"
count() {
  curl -sf -G --data-urlencode 'q=* | stats count() as n' --data-urlencode 'since=3h' "$URL/v1/query" |
    grep -o '"n":[0-9]*' | cut -d: -f2
}
# At least N: the server stores a few events of its own (its audit trail, alert transitions).
for _ in $(seq 600); do [ "$(count)" -ge "$N" ] && break; sleep 0.5; done
[ "$(count)" -ge "$N" ] || { echo "dashboard_bench: the store has $(count) of $N events" >&2; exit 1; }
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
echo "vigia: $("$BUILD/vigia" --version | head -1); chromium: $(/usr/bin/chromium --version 2>/dev/null | head -1)"
echo "events: $N over the last hour (vigia-gen --seed 1 --span 1h); the page's range: 3h; $RUNS runs per query, median [min–max]"
parts() {  # "<parts> <merges_running> <merges>" from /v1/stats
  curl -sf "$URL/v1/stats" | python3 -c 'import json,sys; p=json.load(sys.stdin)["parts"]; print(p["parts"], p["merges_running"], p["merges"])'
}
echo "right after the load: parts, merges running, merges done: $(parts)"
node "$SRC/bench/dashboard/dashboard_bench.mjs" "$URL" "$RUNS"
if [ -n "${SETTLED:-}" ]; then
  t0=$(date +%s); last=; same=0
  while [ $(( $(date +%s) - t0 )) -lt 1800 ] && [ "$same" -lt 15 ]; do
    now=$(parts); set -- $now
    if [ "$2" = 0 ] && [ "${last%% *}" = "$1" ]; then same=$((same + 1)); else same=0; fi
    last=$now; sleep 2
  done
  echo
  echo "merges settled after $(( $(date +%s) - t0 )) s more (parts, merges running, merges done: $(parts))"
  node "$SRC/bench/dashboard/dashboard_bench.mjs" "$URL" "$RUNS"
fi
kill -TERM "$pid"; wait "$pid" || true; pid=
