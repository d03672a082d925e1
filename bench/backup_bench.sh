#!/usr/bin/env bash
# Backup numbers: a store of N events (vigia-gen, ingested by a real server), then a full
# backup, 1 % more events and an incremental backup, a restore and a verify, each timed by
# the vigia commands themselves. Usage: bench/backup_bench.sh BUILD_DIR WORK_DIR [N]
# (docs/operations.md quotes its output). Run it alone on the machine.
set -euo pipefail
BUILD=$(realpath "$1"); WORK=$2; N=${3:-1000000}
VIGIA=$BUILD/vigia
rm -rf "$WORK"; mkdir -p "$WORK"; cd "$WORK"
PORT=$((20000 + RANDOM % 20000))
"$BUILD/vigia-gen" --seed 1 --events "$N" --span 24h --out events.ndjson
"$BUILD/vigia-gen" --seed 2 --events $((N / 100)) --span 1h --out more.ndjson
split -l 50000 events.ndjson chunk.
ingest() {  # file...
  "$VIGIA" serve --data data --listen 127.0.0.1:$PORT > serve.log 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf http://127.0.0.1:$PORT/health/live > /dev/null && break; sleep 0.1; done
  for f in "$@"; do
    curl -sf -H 'Content-Type: application/x-ndjson' --data-binary @"$f" \
      http://127.0.0.1:$PORT/v1/events > /dev/null
  done
  kill -TERM $pid; wait $pid || true
}
ingest chunk.*
"$VIGIA" backup keygen --out key > /dev/null
echo "store: $(du -sb data | cut -f1) bytes on disk for $N events"
/usr/bin/time -f "backup create: %e s, %M KB max RSS" \
  "$VIGIA" backup create --data data --to target --key-file key 2>&1 | grep -v '^{'
echo "target after the full backup: $(du -sb target | cut -f1) bytes"
ingest more.ndjson
/usr/bin/time -f "incremental backup create: %e s" \
  "$VIGIA" backup create --data data --to target --key-file key 2>&1 | grep -v '^{'
echo "target after the incremental backup: $(du -sb target | cut -f1) bytes"
/usr/bin/time -f "restore: %e s" \
  "$VIGIA" backup restore --from target --key-file key --data restored 2>&1 | grep -v '^{'
/usr/bin/time -f "verify: %e s" \
  "$VIGIA" backup verify --from target --key-file key --report-dir reports --tmp "$WORK" 2>&1 | grep -v '^{'
