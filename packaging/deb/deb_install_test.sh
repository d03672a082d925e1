#!/bin/sh
# deb_install_test (ctest, labels packaging;no_sanitizer): builds the Debian packages from
# the build tree (packaging/deb/build-deb.sh), installs them with dpkg into a throwaway root
# (dpkg --root with chrootless maintainer scripts, so the postinst really runs), and checks:
#   - the files: binary, unit (Type=notify, watchdog, user, state directory, hardening),
#     conffile, UA rules, alert rule pack, SDK (headers, static
#     library, CMake package, pkg-config), and the dependencies all satisfiable on this system;
#   - the postinst made the `vigia` system user and /var/lib/vigia (0750, owned by it);
#   - the server starts as the unit starts it (its ExecStart, under the vigia uid, with the
#     installed config and UA rules): /health/live names the packaged version, an event is
#     stored in /var/lib/vigia and queried back, `/` is the dashboard for a browser (its
#     module under /ui/assets/<version>/) and still the Elasticsearch handshake for a
#     shipper, and SIGTERM stops it cleanly;
#   - a program builds against vigia-dev with pkg-config;
#   - `dpkg -r` keeps the config and the data, `dpkg -P` deletes the config and keeps the
#     data (docs/operations.md, "Installing").
# Needs root (dpkg --root, chown) and python3 (a free port); skipped (exit 77) otherwise.
#
#   deb_install_test.sh BUILD_DIR SCRATCH_DIR
set -eu
build=$(cd "$1" && pwd)
scratch=$2
src=$(cd "$(dirname "$0")/../.." && pwd)

if [ "$(id -u)" != 0 ]; then
  echo "SKIP: dpkg --root and chown need root"
  exit 77
fi
fail() { echo "FAIL: $*" >&2; [ -f "$scratch/serve.log" ] && tail -20 "$scratch/serve.log" >&2; exit 1; }

rm -rf "$scratch"
mkdir -p "$scratch"
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; true' EXIT

# 1. Build.
"$src/packaging/deb/build-deb.sh" "$build" "$scratch/debs" > "$scratch/built.txt"
deb=$(grep '/vigia_[^/]*\.deb$' "$scratch/built.txt")
dev=$(grep '/vigia-dev_[^/]*\.deb$' "$scratch/built.txt")
version=$(dpkg-deb -f "$deb" Version)

# 2. Every dependency is a package of this system (what apt would install on a Debian 12).
for p in $(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/(.*)//; s/|.*//; s/ //g'); do
  dpkg -s "$p" >/dev/null 2>&1 || fail "dependency $p is not an installed package"
done

# 3. Install into a throwaway root: an empty dpkg database and the account files useradd edits.
R="$scratch/root"
mkdir -p "$R/var/lib/dpkg/info" "$R/var/lib/dpkg/updates" "$R/etc"
touch "$R/var/lib/dpkg/status" "$R/var/lib/dpkg/available"
echo 'root:x:0:0:root:/root:/bin/sh' > "$R/etc/passwd"
echo 'root:x:0:' > "$R/etc/group"
echo 'root:*::0:::::' > "$R/etc/shadow"
echo 'root:*::' > "$R/etc/gshadow"
# --force-depends: the root's database is empty; step 2 checked the dependencies.
dpkg_root() { dpkg --root="$R" --force-script-chrootless --force-depends --log=/dev/null "$@"; }
dpkg_root -i "$deb" "$dev" > "$scratch/dpkg.log" 2>&1 || { cat "$scratch/dpkg.log"; fail "dpkg -i"; }

for f in usr/bin/vigia lib/systemd/system/vigia.service etc/vigia/vigia.toml \
         usr/share/vigia/uap-core/regexes.yaml usr/share/vigia/rules/vigia-seeds.yml \
         usr/share/doc/vigia/operations.md usr/include/vigia/sdk.h usr/lib/libvigia-sdk.a \
         usr/lib/cmake/vigia/vigiaConfig.cmake usr/lib/pkgconfig/vigia.pc; do
  [ -f "$R/$f" ] || fail "/$f not installed"
done
grep -qx '/etc/vigia/vigia.toml' "$R/var/lib/dpkg/info/vigia.conffiles" || fail "config is not a conffile"
uid=$(grep '^vigia:' "$R/etc/passwd" | cut -d: -f3)
gid=$(grep '^vigia:' "$R/etc/group" | cut -d: -f3)
[ -n "$uid" ] && [ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ] || fail "no system user vigia: $(cat "$R/etc/passwd")"
[ "$(stat -c '%u:%g %a' "$R/var/lib/vigia")" = "$uid:$gid 750" ] ||
  fail "/var/lib/vigia is $(stat -c '%u:%g %a' "$R/var/lib/vigia")"

# 4. Start the server as the unit does: its ExecStart with the root's paths, as the vigia uid.
exec_start=$(sed -n 's/^ExecStart=//p' "$R/lib/systemd/system/vigia.service")
[ "$exec_start" = "/usr/bin/vigia serve --config /etc/vigia/vigia.toml --data /var/lib/vigia" ] ||
  fail "unexpected ExecStart: $exec_start"
# The unit: Type=notify with the watchdog, the dedicated user, its state directory, logs to
# the journal, reload by SIGHUP, and the hardening options (docs/operations.md).
for line in Type=notify NotifyAccess=main WatchdogSec=30 User=vigia Group=vigia \
            StateDirectory=vigia StateDirectoryMode=0750 StandardError=journal \
            'ExecReload=/bin/kill -HUP $MAINPID' ProtectSystem=strict ProtectHome=yes \
            PrivateTmp=yes PrivateDevices=yes NoNewPrivileges=yes CapabilityBoundingSet= \
            AmbientCapabilities= RestrictSUIDSGID=yes MemoryDenyWriteExecute=yes \
            SystemCallFilter=@system-service RestrictAddressFamilies='AF_UNIX AF_INET AF_INET6' \
            UMask=0027; do
  grep -qxF "$line" "$R/lib/systemd/system/vigia.service" || fail "the unit lacks $line"
done
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
cmd=$(echo "$exec_start" | sed "s|/usr/bin/|$R/usr/bin/|; s|/etc/|$R/etc/|; s|/var/lib/|$R/var/lib/|")
# shellcheck disable=SC2086
setpriv --reuid="$uid" --regid="$gid" --clear-groups $cmd --listen "127.0.0.1:$port" \
  > "$scratch/serve.log" 2>&1 &
pid=$!
url="http://127.0.0.1:$port"
i=0
until curl -sf "$url/health/live" > "$scratch/live.json" 2>/dev/null; do
  i=$((i + 1))
  [ $i -lt 200 ] || fail "the installed server did not answer /health/live in 20 s"
  kill -0 "$pid" 2>/dev/null || fail "the installed server exited"
  sleep 0.1
done
grep -q "\"version\":\"$version\"" "$scratch/live.json" || fail "/health/live: $(cat "$scratch/live.json")"
"$R/usr/bin/vigia" --version | grep -q "^vigia $version (commit " || fail "vigia --version"
curl -sf -H 'Content-Type: application/x-ndjson' --data-binary \
  '{"msg":"installed from the package","service":"deb-test","ua":"Mozilla/5.0 (X11; Linux x86_64; rv:120.0) Gecko/20100101 Firefox/120.0"}' \
  "$url/v1/events" > /dev/null || fail "ingest"
curl -sf -G --data-urlencode 'q=service:deb-test' --data-urlencode 'format=ndjson' \
  "$url/v1/query" > "$scratch/q.ndjson" || fail "query"
grep -q '"msg":"installed from the package"' "$scratch/q.ndjson" || fail "event not read back: $(cat "$scratch/q.ndjson")"
grep -q '"browser":"Firefox"' "$scratch/q.ndjson" || fail "UA rules not applied: $(cat "$scratch/q.ndjson")"
# The dashboard at / for a browser (Chromium's navigation Accept): the shell, with the strict
# CSP, revalidated (no-cache), naming its module under /ui/assets/<version>/ (cached a year).
curl -sf -D "$scratch/root.h" -o "$scratch/root.html" \
  -H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8' \
  "$url/" || fail "GET / as a browser"
grep -qi '^content-type: text/html' "$scratch/root.h" || fail "GET / as a browser: $(cat "$scratch/root.h")"
grep -qi "^content-security-policy: default-src 'none'; script-src 'self'" "$scratch/root.h" ||
  fail "GET / has no strict CSP: $(cat "$scratch/root.h")"
grep -qi '^cache-control: no-cache' "$scratch/root.h" || fail "the shell is not no-cache"
app=$(grep -o '/ui/assets/[0-9a-f]\{16\}/js/app\.js' "$scratch/root.html" | head -1)
[ -n "$app" ] || fail "the shell names no /ui/assets/<version>/js/app.js: $(cat "$scratch/root.html")"
curl -sf -D "$scratch/app.h" -o "$scratch/app.js" "$url$app" || fail "GET $app"
grep -qi '^content-type: text/javascript' "$scratch/app.h" || fail "$app: $(cat "$scratch/app.h")"
grep -qi '^cache-control: public, max-age=31536000, immutable' "$scratch/app.h" ||
  fail "$app is not cached as immutable: $(cat "$scratch/app.h")"
# ... and still the Elasticsearch handshake for a shipper (Filebeat's client, and curl's */*).
for accept in 'application/vnd.elasticsearch+json; compatible-with=8' '*/*'; do
  curl -sf -D "$scratch/es.h" -o "$scratch/es.json" -H "Accept: $accept" "$url/" ||
    fail "GET / as a shipper (Accept: $accept)"
  grep -qi '^x-elastic-product: Elasticsearch' "$scratch/es.h" || fail "no X-Elastic-Product for $accept"
  grep -q '"tagline":"You Know, for Search"' "$scratch/es.json" ||
    fail "GET / (Accept: $accept) is not the handshake: $(head -c 300 "$scratch/es.json")"
done
kill -TERM "$pid"
wait "$pid" || fail "the server did not exit 0 on SIGTERM"
pid=
[ -d "$R/var/lib/vigia/wal" ] || fail "no WAL in /var/lib/vigia"
owner=$(find "$R/var/lib/vigia" ! -uid "$uid" | head -1)
[ -z "$owner" ] || fail "$owner is not owned by vigia"

# 5. The SDK package: a program compiles and links with pkg-config.
cat > "$scratch/app.cpp" <<'CPP'
#include <vigia/sdk.h>
int main() {
  vigia::sdk::Config cfg;
  cfg.service = "deb-test";
  return cfg.service.empty() ? 1 : 0;
}
CPP
PKG_CONFIG_PATH="$R/usr/lib/pkgconfig" pkg-config --exists vigia || fail "pkg-config vigia"
# shellcheck disable=SC2046
c++ -std=c++20 -o "$scratch/app" "$scratch/app.cpp" \
  $(PKG_CONFIG_PATH="$R/usr/lib/pkgconfig" pkg-config --cflags --libs vigia) || fail "SDK build"
"$scratch/app" || fail "SDK program"

# 6. Remove keeps config and data; purge deletes the config and keeps the data.
dpkg_root -r vigia > "$scratch/dpkg.log" 2>&1 || { cat "$scratch/dpkg.log"; fail "dpkg -r"; }
[ ! -e "$R/usr/bin/vigia" ] || fail "dpkg -r left the binary"
[ -f "$R/etc/vigia/vigia.toml" ] || fail "dpkg -r deleted the config"
[ -d "$R/var/lib/vigia/wal" ] || fail "dpkg -r deleted the data"
dpkg_root -P vigia vigia-dev > "$scratch/dpkg.log" 2>&1 || { cat "$scratch/dpkg.log"; fail "dpkg -P"; }
[ ! -e "$R/etc/vigia/vigia.toml" ] || fail "dpkg -P kept the config"
[ -d "$R/var/lib/vigia/wal" ] || fail "dpkg -P deleted the data"
grep -q '^vigia:' "$R/etc/passwd" || fail "dpkg -P deleted the user"
[ ! -e "$R/usr/include/vigia/sdk.h" ] || fail "dpkg -P left the SDK"

rm -rf "$scratch"
echo "PASS: vigia $version packages install, run and remove"
