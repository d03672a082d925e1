#!/usr/bin/env bash
# Starts and stops the ClickHouse 18.16 benchmark peer as the current user, without systemd:
#   bench/clickhouse/clickhouse.sh start DIR   → prints "HTTP_PORT TCP_PORT" once /ping answers
#   bench/clickhouse/clickhouse.sh stop DIR
# Everything (config, data, logs, pid) lives under DIR; the server listens on 127.0.0.1 on
# the first free ports from 18123 / 19000 / 29009 (replication) upwards. Files already in
# DIR/config.d (a cluster, ZooKeeper, macros) are kept. `start` fails loudly (log tail on stderr,
# exit 1) when the server is missing or does not become ready within 60 s.
set -euo pipefail

HERE=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-}
dir=${2:-}
[ -n "$cmd" ] && [ -n "$dir" ] || { echo "usage: $0 start|stop DIR" >&2; exit 2; }

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# A port handed out stays reserved for DIR (a file naming DIR in $ports_dir) until DIR is
# deleted, also while its server is stopped: a server started again from its config (the
# tests stop and restart one) must find its ports free. Without it a server started meanwhile
# by a concurrent test took the stopped one's port, the restart failed to bind, and the other
# server answered in its place. Reservations are made one at a time under a lock, so two
# starts never pick the same port either.
ports_dir="${TMPDIR:-/tmp}/vigia-clickhouse-ports"

first_free_port() {
  local p=$1 owner
  mkdir -p "$ports_dir"
  exec 9>"$ports_dir/.lock"
  flock 9
  while :; do
    if [ -e "$ports_dir/$p" ]; then
      owner=$(cat "$ports_dir/$p" 2>/dev/null || true)
      if [ -n "$owner" ] && [ -d "$owner" ]; then
        p=$((p + 1))
        continue
      fi
      rm -f "$ports_dir/$p" # its directory is gone: a left-over reservation
    fi
    port_free "$p" && break
    p=$((p + 1))
  done
  (cd "$dir" && pwd) >"$ports_dir/$p" # DIR exists: start creates it first
  echo "$p"
}

case "$cmd" in
  start)
    server=$(command -v clickhouse-server || true)
    [ -z "$server" ] && [ -x /usr/sbin/clickhouse-server ] && server=/usr/sbin/clickhouse-server
    if [ -z "$server" ]; then
      echo "clickhouse.sh: clickhouse-server is not installed (scripts/install-deps.sh)" >&2
      exit 1
    fi
    mkdir -p "$dir"/{log,data,tmp,user_files,format_schemas}
    http=$(first_free_port 18123)
    tcp=$(first_free_port 19000)
    # Replicas fetch parts from each other over this port (ReplicatedMergeTree).
    interserver=$(first_free_port 29009)
    sed -e "s#@DIR@#$dir#g" -e "s#@HTTP_PORT@#$http#g" -e "s#@TCP_PORT@#$tcp#g" \
      -e "s#@INTERSERVER_PORT@#$interserver#g" \
      "$HERE/config.xml.in" >"$dir/config.xml"
    cp "$HERE/users.xml" "$dir/users.xml"
    (cd "$dir" && exec "$server" --config-file="$dir/config.xml" >"$dir/log/stdout.log" 2>&1) &
    echo $! >"$dir/pid"
    for _ in $(seq 1 600); do
      if [ "$(curl -s "http://127.0.0.1:$http/ping" 2>/dev/null)" = "Ok." ]; then
        echo "$http $tcp"
        exit 0
      fi
      if ! kill -0 "$(cat "$dir/pid")" 2>/dev/null; then break; fi
      sleep 0.1
    done
    echo "clickhouse.sh: ClickHouse did not become ready on 127.0.0.1:$http; log tail:" >&2
    tail -n 30 "$dir/log/stdout.log" "$dir/log/clickhouse-server.err.log" >&2 2>/dev/null || true
    kill "$(cat "$dir/pid")" 2>/dev/null || true
    exit 1
    ;;
  stop)
    [ -f "$dir/pid" ] || exit 0
    pid=$(cat "$dir/pid")
    kill "$pid" 2>/dev/null || exit 0
    for _ in $(seq 1 300); do
      kill -0 "$pid" 2>/dev/null || exit 0
      sleep 0.1
    done
    echo "clickhouse.sh: ClickHouse (pid $pid) ignored SIGTERM for 30 s; killing it" >&2
    kill -9 "$pid" 2>/dev/null || true
    ;;
  *)
    echo "usage: $0 start|stop DIR" >&2
    exit 2
    ;;
esac
