#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian packages: the README's `cpack -G DEB` block (marked "doc-test: 53-deb" in
# README.md), run on a copy of the tree, makes libsgdr1, libsgdr-dev and sgdr-tools; each
# holds exactly its files with Debian's modes, fields and documentation; lintian finds no
# error; `dpkg -i` installs the three, a program builds against /usr with pkg-config alone
# (and with find_package) and runs, /usr/bin/sgdr-schedule runs; `dpkg -r` removes every
# file they installed. Installing needs root (CI runs as root); the machine is restored
# (the packages purged) on any exit, and nothing is done if one of them is installed already.
# Runs alone (scripts/test.sh runs it after the others): while it runs, libsgdr is in /usr,
# where another check's build or binding could find it instead of its own.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
py=/usr/bin/python3
packages=(libsgdr1 libsgdr-dev sgdr-tools)
for tool in cmake cpack dpkg dpkg-deb dpkg-shlibdeps lintian file readelf pkg-config; do
  command -v "$tool" >/dev/null || { echo "53-deb: $tool is not installed" >&2; exit 1; }
done
[ "$(id -u)" -eq 0 ] || { echo "53-deb: dpkg -i needs root (CI runs as root)" >&2; exit 1; }
installed() { dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null | grep -v '^not-installed$' | grep . >/dev/null; }
for p in "${packages[@]}"; do
  if installed "$p"; then
    echo "53-deb: $p is already installed on this machine; remove it first (dpkg --purge $p)" >&2
    exit 1
  fi
done
for f in /usr/include/sgdr.h /usr/bin/sgdr-schedule; do
  [ ! -e "$f" ] || { echo "53-deb: $f exists outside any package; it would hide what is tested" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/sgdr-deb.XXXXXX")
# dpkg waits for another apt-get or dpkg to finish (the lock) rather than failing at once.
dpkg_locked() {
  local i out
  for i in $(seq 60); do
    if out=$(dpkg "$@" 2>&1); then printf '%s\n' "$out"; return 0; fi
    grep -q 'lock' <<<"$out" || { printf '%s\n' "$out" >&2; return 1; }
    sleep 2
  done
  printf '%s\n' "$out" >&2
  return 1
}
restore() {
  local p left=()
  for p in "${packages[@]}"; do installed "$p" && left+=("$p"); done
  [ ${#left[@]} -eq 0 ] || dpkg_locked --purge "${left[@]}" >/dev/null || echo "53-deb: could not purge ${left[*]}" >&2
  rm -rf "$work"
}
trap restore EXIT
trap 'exit 130' INT TERM HUP
fail=0
problem() { echo "53-deb: $*" >&2; fail=1; }

# ---- build them as the README says ----
src=$work/src
mkdir -p "$src"
tar -C "$root" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
mapfile -t blocks < <("$py" scripts/checks/md_marked.py README.md sh 53-deb)
[ "${#blocks[@]}" -eq 1 ] || { echo "53-deb: README.md has ${#blocks[@]} sh blocks marked 53-deb, expected 1" >&2; exit 1; }
"$py" scripts/checks/md_block.py README.md sh "${blocks[0]}" >"$work/block.sh"
(cd "$src" && bash -euo pipefail "$work/block.sh") >"$work/build.log" 2>&1 ||
  { cat "$work/build.log" >&2; echo "53-deb: the README's cpack block failed" >&2; exit 1; }
version=$(sed -n 's/^set(PACKAGE_VERSION "\(.*\)")$/\1/p' "$src/build/deb/sgdrConfigVersion.cmake")
major=${version%%.*}
arch=$(dpkg --print-architecture)
triplet=$(dpkg-architecture -qDEB_HOST_MULTIARCH 2>/dev/null || gcc -print-multiarch)
debs=()
for p in "${packages[@]}"; do
  deb=$src/build/deb/${p}_${version}-1_${arch}.deb
  [ -f "$deb" ] || { echo "53-deb: cpack made no ${deb##*/}:" >&2; ls "$src/build/deb"/*.deb >&2; exit 1; }
  debs+=("$deb")
done
echo "53-deb: built ${debs[*]##*/}"
[ "$major" = 1 ] || problem "version $version: the expected lists below are for SONAME libsgdr.so.1"

# ---- contents (dpkg-deb -c): exactly these files, with these modes ----
lib=usr/lib/$triplet
expect_libsgdr1="-rw-r--r-- $lib/libsgdr.so.$version
lrwxrwxrwx $lib/libsgdr.so.1
-rw-r--r-- usr/share/doc/libsgdr1/changelog.Debian.gz
-rw-r--r-- usr/share/doc/libsgdr1/copyright"
expect_libsgdr_dev="-rw-r--r-- $lib/cmake/sgdr/sgdrConfig.cmake
-rw-r--r-- $lib/cmake/sgdr/sgdrConfigVersion.cmake
-rw-r--r-- $lib/cmake/sgdr/sgdrTargets-release.cmake
-rw-r--r-- $lib/cmake/sgdr/sgdrTargets.cmake
lrwxrwxrwx $lib/libsgdr.so
-rw-r--r-- $lib/pkgconfig/sgdr.pc
-rw-r--r-- usr/include/sgdr.h
-rw-r--r-- usr/include/sgdr.hpp
-rw-r--r-- usr/include/sgdr_torch.hpp
-rw-r--r-- usr/share/doc/libsgdr-dev/changelog.Debian.gz
-rw-r--r-- usr/share/doc/libsgdr-dev/copyright"
expect_sgdr_tools="-rwxr-xr-x usr/bin/sgdr-schedule
-rw-r--r-- usr/share/doc/sgdr-tools/changelog.Debian.gz
-rw-r--r-- usr/share/doc/sgdr-tools/copyright
-rw-r--r-- usr/share/man/man1/sgdr-schedule.1.gz"
for i in "${!packages[@]}"; do
  p=${packages[$i]} deb=${debs[$i]}
  want_var=expect_${p//-/_}
  got=$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $1, $6 }' | sort)
  dirs=$(dpkg-deb -c "$deb" | awk '$1 ~ /^d/ && ($1 != "drwxr-xr-x" || $2 != "root/root")')
  owners=$(dpkg-deb -c "$deb" | awk '$2 != "root/root"')
  if [ "$got" != "$(sort <<<"${!want_var}")" ]; then
    problem "$p holds (+) other files than expected (-):"
    diff <(sort <<<"${!want_var}") <(echo "$got") | grep '^[<>]' | sed 's/^</-/; s/^>/+/' >&2
  fi
  [ -z "$dirs$owners" ] || problem "$p: entries not root/root or directories not 0755: $dirs $owners"
  fields=$(dpkg-deb -f "$deb")
  for field in Package Version Architecture Maintainer Section Priority Description; do
    grep -q "^$field: ." <<<"$fields" || problem "$p has no $field field"
  done
  grep -q "^Version: $version-1$" <<<"$fields" || problem "$p: version is not $version-1"
done
deps() { dpkg-deb -f "$1" Depends; }
section() { dpkg-deb -f "$1" Section; }
[ "$(section "${debs[0]}")" = libs ] && [ "$(section "${debs[1]}")" = libdevel ] &&
  [ "$(section "${debs[2]}")" = utils ] || problem "Sections are not libs, libdevel, utils"
deps "${debs[0]}" | grep -q 'libc6 (>= ' || problem "libsgdr1 has no shlibs dependency on libc6: $(deps "${debs[0]}")"
deps "${debs[1]}" | grep -qF "libsgdr1 (= $version-1)" || problem "libsgdr-dev does not depend on libsgdr1 (= $version-1)"
deps "${debs[2]}" | grep -qF "libsgdr1 (= $version-1)" && deps "${debs[2]}" | grep -q 'libc6 (>= ' ||
  problem "sgdr-tools depends on: $(deps "${debs[2]}")"
dpkg-deb --info "${debs[0]}" shlibs | grep -qx "libsgdr 1 libsgdr1 (>= $version-1)" ||
  problem "libsgdr1's shlibs file: $(dpkg-deb --info "${debs[0]}" shlibs)"
dpkg-deb --info "${debs[0]}" triggers | grep -qx 'activate-noawait ldconfig' ||
  problem "libsgdr1 does not activate the ldconfig trigger"
mkdir -p "$work/x"
for deb in "${debs[0]}" "${debs[2]}"; do dpkg-deb -x "$deb" "$work/x"; done
for f in "$work/x/$lib/libsgdr.so.$version" "$work/x/usr/bin/sgdr-schedule"; do
  file "$f" | grep -q ', stripped' || problem "${f#"$work/x/"} is not stripped"
done
[ "$(readelf -d "$work/x/$lib/libsgdr.so.$version" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')" = libsgdr.so.1 ] ||
  problem "the packaged library's SONAME is not libsgdr.so.1"
zcat "$work/x/usr/share/doc/sgdr-tools/copyright" >/dev/null 2>&1 && problem "copyright is compressed"
grep -q '^License: MIT$' "$work/x/usr/share/doc/sgdr-tools/copyright" || problem "the copyright file names no MIT licence"

# ---- lintian: no error (warnings are listed) ----
lintian --fail-on error "${debs[@]}" >"$work/lintian.txt" 2>&1 || problem "lintian reports errors"
grep -v 'running with root privileges' "$work/lintian.txt" || true
echo "53-deb: lintian: $(grep -c '^E: ' "$work/lintian.txt" || true) errors, $(grep -c '^W: ' "$work/lintian.txt" || true) warnings"

# ---- install, use, remove ----
dpkg_locked -i "${debs[@]}" >"$work/dpkg.log" || { cat "$work/dpkg.log" >&2; exit 1; }
for p in "${packages[@]}"; do installed "$p" || problem "$p is not installed after dpkg -i"; done
dpkg -L "${packages[@]}" | sort -u >"$work/files"
(
  unset PKG_CONFIG_PATH PKG_CONFIG_LIBDIR LD_LIBRARY_PATH CMAKE_PREFIX_PATH
  cd "$work"
  cc -std=c99 -Wall -Wextra -Werror "$root/tests/consumers/common/consumer.c" \
    $(pkg-config --cflags --libs sgdr) -o consumer
  ldd consumer | grep -E "libsgdr\.so\.1 => (/usr)?/lib/$triplet/libsgdr\.so\.1" >/dev/null ||
    { echo "53-deb: the consumer does not load /$lib/libsgdr.so.1:" >&2; ldd consumer >&2; exit 1; }
  ./consumer
  cmake -S "$root/tests/consumers/cmake" -B cmake >/dev/null
  cmake --build cmake -j2 >/dev/null
  ./cmake/consumer >/dev/null && ./cmake/consumer_cxx >/dev/null
  echo "53-deb: find_package(sgdr) against /usr builds and runs"
) || problem "a consumer of the installed packages failed"
/usr/bin/sgdr-schedule --version || problem "/usr/bin/sgdr-schedule does not run"
/usr/bin/sgdr-schedule --min-lr 0.001 --max-lr 0.1 --steps-per-epoch 2 --epochs 2 >"$work/lr.csv" &&
  [ "$(wc -l <"$work/lr.csv")" -eq 5 ] || problem "/usr/bin/sgdr-schedule printed: $(cat "$work/lr.csv")"

dpkg_locked -r sgdr-tools libsgdr-dev libsgdr1 >"$work/dpkg.log" || { cat "$work/dpkg.log" >&2; exit 1; }
# Every file and link goes, and the packages' own directories (cmake/sgdr, doc/<package>);
# directories such as /usr/include stay, the system owns them.
left=0
while read -r f; do
  if [ -d "$f" ] && [ ! -L "$f" ]; then
    case "${f##*/}" in sgdr*|libsgdr*) ;; *) continue ;; esac
  fi
  if [ -e "$f" ] || [ -L "$f" ]; then
    problem "left after dpkg -r: $f"
    left=$((left + 1))
  fi
done <"$work/files"
echo "53-deb: dpkg -r removed all $(grep -c . "$work/files") paths the packages installed (directories shared with the system excepted); $left left"
dpkg_locked --purge "${packages[@]}" >/dev/null
for p in "${packages[@]}"; do installed "$p" && problem "$p still known to dpkg after --purge"; done
exit "$fail"
