#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The README's install instructions, run as written (its sh blocks marked
# "doc-test: 52-install" in README.md, in order) on a copy of the tree, with HOME a scratch
# directory and cmocka hidden from pkg-config:
# - the release preset configures, builds and installs with no test dependency present,
#   while a build with tests stops with one line naming libcmocka-dev;
# - the installed sgdr-schedule runs with no LD_LIBRARY_PATH, through a relative RUNPATH,
#   even after the whole prefix is moved;
# - a program builds with the README's pkg-config line and runs;
# - the uninstall target leaves no file behind, nor a directory the install created;
# - a static-only install links with the same pkg-config line, and its exported CMake
#   package names libm as "m" (no absolute path) and works with find_package.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
py=/usr/bin/python3
work=$(mktemp -d "${TMPDIR:-/tmp}/sgdr-install.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0
problem() { echo "52-install: $*" >&2; fail=1; }

src=$work/src
mkdir -p "$src" "$work/home" "$work/no-pc"
tar -C "$root" --exclude=./build --exclude=./.git -cf - . | tar -C "$src" -xf -
cp tests/consumers/common/consumer.c "$src/trainer.c"
export HOME=$work/home
unset LD_LIBRARY_PATH PKG_CONFIG_PATH
# cmocka hidden: pkg-config searches an empty directory (plus PKG_CONFIG_PATH when set)
export PKG_CONFIG_LIBDIR=$work/no-pc
if pkg-config --exists cmocka; then
  echo "52-install: cmocka is still visible to pkg-config" >&2
  exit 1
fi

# ---- tests wanted, cmocka absent: one line that names the package ----
if cmake -S "$src" -B "$work/with-tests" -DBUILD_TESTING=ON >"$work/tests.log" 2>&1; then
  problem "configuring with tests succeeded without cmocka"
fi
# the message: the lines between "CMake Error at ..." and the next empty line
msg=$(awk '/^CMake Error/ { on = 1; next } on && /^ *$/ { exit } on' "$work/tests.log")
if [ "$(grep -c . <<<"$msg")" -ne 1 ] || ! grep -q 'libcmocka-dev' <<<"$msg"; then
  problem "without cmocka, configuring with tests should say in one line to install libcmocka-dev:"
  cat "$work/tests.log" >&2
fi

# ---- the README's blocks ----
mapfile -t blocks < <("$py" scripts/checks/md_marked.py README.md sh 52-install)
[ "${#blocks[@]}" -ge 4 ] || problem "README.md has ${#blocks[@]} sh blocks marked 52-install, expected 4 or more"
seen=""
for n in "${blocks[@]}"; do
  "$py" scripts/checks/md_block.py README.md sh "$n" >"$work/block.sh"
  echo "--- README.md sh block $n: $(head -n 1 "$work/block.sh")"
  if ! (cd "$src" && bash -euo pipefail "$work/block.sh") >"$work/block.log" 2>&1; then
    cat "$work/block.log" >&2
    problem "README.md sh block $n failed"
    continue
  fi
  tail -n 2 "$work/block.log"
  case "$(cat "$work/block.sh")" in
  *"--preset release"*)
    seen+=" build"
    grep -q '^CMOCKA_FOUND' "$src/build/release/CMakeCache.txt" && problem "the release preset looked for cmocka"
    ;;
  *'--prefix "$HOME/.local"'*)
    seen+=" install"
    prefix=$HOME/.local
    tool=$prefix/bin/sgdr-schedule
    runpath=$(readelf -d "$tool" | sed -n 's/.*(RUNPATH).*\[\(.*\)\]/\1/p')
    [ "$runpath" = '$ORIGIN/../lib' ] || problem "sgdr-schedule's RUNPATH is '$runpath', want \$ORIGIN/../lib"
    ldd "$tool" | grep "libsgdr.so.1 => $prefix/bin/../lib/libsgdr.so.1" >/dev/null ||
      { problem "the installed sgdr-schedule does not load the installed library:"; ldd "$tool" >&2; }
    mv "$prefix" "$work/moved"
    "$work/moved/bin/sgdr-schedule" --version >/dev/null || problem "sgdr-schedule does not run from a moved prefix"
    mv "$work/moved" "$prefix"
    ;;
  *"--target uninstall"*)
    seen+=" uninstall"
    # $HOME is a fresh directory: the install made .local, and its uninstall removes it
    left=$(find "$HOME/.local" 2>/dev/null || true)
    [ -z "$left" ] || problem "uninstall left: $left"
    ;;
  *"SGDR_BUILD_SHARED=OFF"*)
    seen+=" static"
    prefix=$HOME/sgdr-static
    [ -f "$prefix/lib/libsgdr.a" ] && [ ! -e "$prefix/lib/libsgdr.so" ] || problem "the static-only install is not static only"
    readelf -d "$src/trainer" | grep 'NEEDED.*libsgdr' >/dev/null && problem "the static trainer needs a libsgdr.so"
    targets=$(cat "$prefix"/lib/cmake/sgdr/sgdrTargets*.cmake)
    grep -q 'libm\.' <<<"$targets" && problem "the exported CMake package names a libm file: $(grep 'libm\.' <<<"$targets")"
    grep -q 'LINK_ONLY:m>' <<<"$targets" || problem "the exported CMake package does not link libm by name"
    cmake -S tests/consumers/cmake -B "$work/cmake-static" -DCMAKE_PREFIX_PATH="$prefix" >/dev/null &&
      cmake --build "$work/cmake-static" -j2 >/dev/null && "$work/cmake-static/consumer" >/dev/null ||
      problem "find_package(sgdr) against the static-only install does not build and run"
    ;;
  esac
done
[ "$seen" = " build install uninstall static" ] || problem "README blocks run:$seen (want build install uninstall static)"

[ "$fail" -eq 0 ] && echo "52-install: the README's install, pkg-config, uninstall and static-only instructions work, without cmocka"
exit "$fail"
