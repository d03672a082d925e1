#!/usr/bin/env bash
# Installs the Debian packages vigia needs to build and test, skipping those already present.
# Uses sudo when not root. Safe to run repeatedly (it is a no-op when everything is installed).
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config ccache git curl zstd gzip
  libboost-dev libboost-system-dev libsimdjson-dev libzstd-dev libxxhash-dev zlib1g-dev
  libtomlplusplus-dev libcli11-dev libcurl4-openssl-dev libre2-dev libyaml-cpp-dev uap-core
  # ISA-L's igzip: gzip files of `vigia query --file` (src/query/gzip_inflater.h)
  libisal-dev
  clang libclang-rt-14-dev
  # the linker (CMakeLists.txt: -fuse-ld=lld when found)
  lld
  libgtest-dev libgmock-dev libbenchmark-dev libspdlog-dev libcpp-httplib-dev
  libsodium-dev libprotobuf-dev protobuf-compiler libsnappy-dev libssl-dev openssl
  # time zones of backup schedules (backup.timezone; cron_schedule_test reads real zones)
  tzdata
  # real peers the tests start: scrapers, alert routers, log shippers
  prometheus prometheus-alertmanager rsyslog rsyslog-elasticsearch rsyslog-gnutls bsdutils
  # the ClickHouse backend's tests start real servers (tests/clickhouse_it.cpp; also make bench)
  clickhouse-server clickhouse-client
  # ... and ZooKeeper for the replicated cluster (tests/clickhouse_replicated_it.cpp)
  zookeeper
  # syslog-ng runs from its extracted .deb (tests/tools/fetch_syslog_ng.sh): its libraries
  libivykis0 libnet1 libwrap0 libjson-c5 libcurl4
  # the dashboard's browser test (tests/dashboard_it.cpp, driven by playwright-core from npm)
  chromium
)

# Node.js and npm: the dashboard's bundle check (npm ci + esbuild + tsc in src/dashboard/web),
# its browser test (playwright-core in tests/dashboard) and the npm client tests. Debian's
# packages only when no node/npm is on the machine: a Node.js from elsewhere (e.g. one that
# bundles npm and conflicts with Debian's npm package) is kept as it is.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  PKGS+=(nodejs npm)
fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "vigia: installing missing packages: ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

# syslog-ng, extracted from its Debian packages where syslog_peers_it runs it (its package
# conflicts with rsyslog's, so it is not installed). Fails here, loudly, when the packages
# cannot be had, rather than letting the test find out.
"$(dirname "$0")/../tests/tools/fetch_syslog_ng.sh" \
  "${VIGIA_PEERS_DIR:-${HOME:-/root}/.cache/vigia-peers}/syslog-ng"
