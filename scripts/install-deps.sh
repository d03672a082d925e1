#!/usr/bin/env bash
# Installs the Debian packages vigia needs to build and test, skipping those already present.
# Uses sudo when not root. Safe to run repeatedly (it is a no-op when everything is installed).
set -euo pipefail

PKGS=(
  build-essential cmake ninja-build pkg-config ccache git curl zstd gzip
  libboost-dev libboost-system-dev libsimdjson-dev libzstd-dev libxxhash-dev zlib1g-dev
  libtomlplusplus-dev libcli11-dev libcurl4-openssl-dev libre2-dev libyaml-cpp-dev uap-core
  clang libclang-rt-14-dev
  libgtest-dev libgmock-dev libbenchmark-dev libspdlog-dev libcpp-httplib-dev
  libsodium-dev libprotobuf-dev protobuf-compiler libsnappy-dev
  # real peers the tests start: scrapers, alert routers, log shippers
  prometheus prometheus-alertmanager rsyslog rsyslog-elasticsearch bsdutils
  # syslog-ng runs from its extracted .deb (tests/tools/fetch_syslog_ng.sh): its libraries
  libivykis0 libnet1 libwrap0 libjson-c5 libcurl4
)
if [ "${VIGIA_WITH_PEERS:-0}" = 1 ]; then
  PKGS+=(clickhouse-server clickhouse-client)
fi

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
echo "vigia: installing missing packages: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
