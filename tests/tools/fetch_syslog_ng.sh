#!/usr/bin/env bash
# Extracts syslog-ng (with its http module and SCL) from the Debian packages into $1 without
# installing them: Debian's syslog-ng-core conflicts with rsyslog, which the other peer tests
# need installed. Runs `apt-get download` (no root needed for the download itself) and
# `dpkg-deb -x`. Its shared libraries (libivykis0, libnet1, libwrap0, libjson-c5) come from
# scripts/install-deps.sh, which also runs this script into the directory syslog_peers_it
# looks in ($VIGIA_PEERS_DIR/syslog-ng, default ~/.cache/vigia-peers/syslog-ng). When the
# download fails (no package lists yet on a fresh machine) it runs `apt-get update` once and
# tries again. Idempotent: does nothing when $1/usr/sbin/syslog-ng exists.
set -euo pipefail
dest=${1:?usage: fetch_syslog_ng.sh <dir>}
[ -x "$dest/usr/sbin/syslog-ng" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
pkgs=(syslog-ng-core syslog-ng-mod-http syslog-ng-scl)
if ! apt-get download "${pkgs[@]}" >/dev/null 2>&1; then
  SUDO=""
  if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  apt-get download "${pkgs[@]}"
fi
mkdir -p "$dest"
for deb in ./*.deb; do dpkg-deb -x "$deb" "$dest"; done
test -x "$dest/usr/sbin/syslog-ng"
