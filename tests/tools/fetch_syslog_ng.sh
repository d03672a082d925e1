#!/usr/bin/env bash
# Extracts syslog-ng (with its http module and SCL) from the Debian packages into $1 without
# installing them: Debian's syslog-ng-core conflicts with rsyslog, which the other peer tests
# need installed. Runs `apt-get download` (no root needed for the download itself) and
# `dpkg-deb -x`. Its shared libraries (libivykis0, libnet1, libwrap0, libjson-c5) come from
# scripts/install-deps.sh. Idempotent: does nothing when $1/usr/sbin/syslog-ng exists.
set -euo pipefail
dest=${1:?usage: fetch_syslog_ng.sh <dir>}
[ -x "$dest/usr/sbin/syslog-ng" ] && exit 0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
apt-get download syslog-ng-core syslog-ng-mod-http syslog-ng-scl >/dev/null 2>&1
mkdir -p "$dest"
for deb in ./*.deb; do dpkg-deb -x "$deb" "$dest"; done
test -x "$dest/usr/sbin/syslog-ng"
