#!/bin/sh
# Builds the Debian packages of vigia from a configured and built tree (`make deb`):
#   vigia_<version>_<arch>.deb      the server: /usr/bin/vigia, the systemd unit, the example
#                                   config as the conffile /etc/vigia/vigia.toml, the user-agent
#                                   rules and the shipped alert rule pack in /usr/share/vigia,
#                                   the operator docs; its maintainer scripts create the `vigia`
#                                   system user and /var/lib/vigia (docs/operations.md)
#   vigia-dev_<version>_<arch>.deb  the C++ SDK: headers, static library, CMake package
#                                   (find_package(vigia)), pkg-config (vigia.pc)
# Plain dpkg-deb (dpkg-dev's dpkg-shlibdeps for the library dependencies): no debhelper, so
# it builds from any build directory without a debian/ source tree.
#
# Usage: packaging/deb/build-deb.sh BUILD_DIR OUT_DIR
set -eu

build=$(cd "$1" && pwd)
mkdir -p "$2"
out=$(cd "$2" && pwd)
src=$(cd "$(dirname "$0")/../.." && pwd)
here="$src/packaging/deb"

test -x "$build/vigia" || { echo "build-deb: $build/vigia is not built" >&2; exit 2; }
version=$(sed -n 's/^CMAKE_PROJECT_VERSION:STATIC=//p' "$build/CMakeCache.txt")
arch=$(dpkg --print-architecture)
test -n "$version" || { echo "build-deb: no CMAKE_PROJECT_VERSION in $build/CMakeCache.txt" >&2; exit 2; }

stage=$(mktemp -d "$out/.stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT INT TERM

# ---- vigia -------------------------------------------------------------------------------
p="$stage/vigia"
install -d "$p/DEBIAN" "$p/usr/bin" "$p/lib/systemd/system" "$p/etc/vigia" \
  "$p/usr/share/vigia/uap-core" "$p/usr/share/vigia/rules" "$p/usr/share/doc/vigia"
install -m 0755 "$build/vigia" "$p/usr/bin/vigia"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$p/usr/bin/vigia"
install -m 0644 "$src/packaging/systemd/vigia.service" "$p/lib/systemd/system/vigia.service"
# The example config with the packaged paths: the unit passes --data /var/lib/vigia too.
sed -e 's|^dir = "./data"|dir = "/var/lib/vigia"|' "$src/vigia.example.toml" > "$p/etc/vigia/vigia.toml"
chmod 0644 "$p/etc/vigia/vigia.toml"
install -m 0644 "$build/share/vigia/uap-core/regexes.yaml" "$p/usr/share/vigia/uap-core/"
install -m 0644 "$src/third_party/uap-core/LICENSE" "$p/usr/share/vigia/uap-core/LICENSE"
install -m 0644 "$src"/rules/*.yml "$p/usr/share/vigia/rules/"
for d in operations backup configuration security alerting http-api; do
  install -m 0644 "$src/docs/$d.md" "$p/usr/share/doc/vigia/"
done
install -m 0644 "$here/copyright" "$p/usr/share/doc/vigia/copyright"
for s in postinst prerm postrm; do install -m 0755 "$here/vigia.$s" "$p/DEBIAN/$s"; done
echo /etc/vigia/vigia.toml > "$p/DEBIAN/conffiles"

# Library dependencies of the binary, as Debian package names with versions.
shl=$(mktemp -d "$stage/.shlibs.XXXXXX")
mkdir -p "$shl/debian"
printf 'Source: vigia\n\nPackage: vigia\nArchitecture: any\n' > "$shl/debian/control"
deps=$(cd "$shl" && dpkg-shlibdeps -O "$p/usr/bin/vigia" 2>/dev/null | sed -n 's/^shlibs:Depends=//p')
rm -rf "$shl"
test -n "$deps" || { echo "build-deb: dpkg-shlibdeps found no dependencies" >&2; exit 2; }

size=$(du -sk --exclude=DEBIAN "$p" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@DEPENDS@|$deps|" \
  -e "s|@SIZE@|$size|" "$here/vigia.control.in" > "$p/DEBIAN/control"
(cd "$p" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort |
  xargs md5sum > DEBIAN/md5sums)

# ---- vigia-dev: the SDK, installed by its own CMake install rules (component vigia_sdk) --
d="$stage/vigia-dev"
DESTDIR="$d" cmake --install "$build" --component vigia_sdk --prefix /usr >/dev/null
install -d "$d/DEBIAN" "$d/usr/share/doc/vigia-dev"
install -m 0644 "$here/copyright" "$d/usr/share/doc/vigia-dev/copyright"
install -m 0644 "$src/sdk/README.md" "$d/usr/share/doc/vigia-dev/README.md"
size=$(du -sk --exclude=DEBIAN "$d" | cut -f1)
sed -e "s|@VERSION@|$version|" -e "s|@ARCH@|$arch|" -e "s|@SIZE@|$size|" \
  "$here/vigia-dev.control.in" > "$d/DEBIAN/control"
(cd "$d" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort |
  xargs md5sum > DEBIAN/md5sums)

for pkg in vigia vigia-dev; do
  find "$stage/$pkg" -type d -exec chmod 0755 {} +
  dpkg-deb --root-owner-group -Zxz -z6 --build "$stage/$pkg" \
    "$out/${pkg}_${version}_${arch}.deb" >/dev/null
  echo "$out/${pkg}_${version}_${arch}.deb"
done
