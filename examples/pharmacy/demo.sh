#!/usr/bin/env bash
# `make demo`: starts a vigia server, the instrumented pharmacy app shipping to it, and the
# traffic generator with incidents; then shows what arrived. Usage: demo.sh BUILD_DIR [SECONDS]
set -euo pipefail
BUILD=${1:-build}
SECONDS_TO_RUN=${2:-20}
DIR=$(mktemp -d /tmp/vigia-demo-XXXXXX)
VIGIA_PORT=${VIGIA_PORT:-7070}
APP_PORT=${APP_PORT:-8088}
export VIGIA_API_KEYS=demo-key
cleanup() { kill "${APP_PID:-}" "${SERVER_PID:-}" 2>/dev/null || true; wait 2>/dev/null || true; }
trap cleanup EXIT
"$BUILD/vigia" serve --data "$DIR/data" --listen "127.0.0.1:$VIGIA_PORT" > "$DIR/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$VIGIA_PORT/health/live" > /dev/null && break; sleep 0.1; done
echo "vigia server on :$VIGIA_PORT (data $DIR/data)"
VIGIA_ENDPOINT="http://127.0.0.1:$VIGIA_PORT" VIGIA_API_KEY=demo-key VIGIA_ENV=demo VIGIA_SPOOL_DIR="$DIR/spool" \
  "$BUILD/examples/pharmacy/pharmacy" --port "$APP_PORT" > "$DIR/pharmacy.log" 2>&1 &
APP_PID=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$APP_PORT/health/live" > /dev/null && break; sleep 0.1; done
echo "pharmacy on :$APP_PORT — generating ${SECONDS_TO_RUN}s of traffic with incidents…"
"$BUILD/examples/pharmacy/pharmacy_traffic" --target "http://127.0.0.1:$APP_PORT" --seconds "$SECONDS_TO_RUN"
kill "$APP_PID"; wait "$APP_PID" 2>/dev/null || true; APP_PID=
echo "events stored by vigia (by kind):"
curl -sf -H "Authorization: Bearer demo-key" "http://127.0.0.1:$VIGIA_PORT/v1/query?q=*&format=ndjson&limit=1000000" |
  grep -o '"kind":"[a-z]*"' | sort | uniq -c || true
echo "app log: $DIR/pharmacy.log   server log: $DIR/server.log"
