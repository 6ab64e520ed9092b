#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Consumers of an installed libsgdr: `cmake --install` to a temporary prefix, then build and
# run (1) a CMake project using find_package(sgdr 1 CONFIG REQUIRED) and sgdr::sgdr, in C and
# with the C++ wrapper; (2) a Makefile build using `pkg-config --cflags --libs sgdr`; (3) a C
# program that dlopen()s libsgdr.so.1 and resolves every public function (the list is checked
# against src/sgdr.map, sgdr.h and the library's dynamic symbols); (4) a project that vendors
# the source tree with add_subdirectory(), where libsgdr adds no target of its own and does
# not compile with -Werror. Any failure fails the check.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
for tool in cmake make cc c++ pkg-config readelf nm ldd; do
  command -v "$tool" >/dev/null || { echo "consumers: $tool is missing" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/sgdr-consumers.XXXXXX")
trap 'rm -rf "$work"' EXIT
source tests/consumers/install.sh

sgdr_install "$root" "$work/build" "$work/prefix"
for f in "$work/prefix/include/sgdr.h" "$work/prefix/include/sgdr.hpp" \
         "$SGDR_LIBDIR/libsgdr.so.1" "$SGDR_LIBDIR/cmake/sgdr/sgdrConfig.cmake" \
         "$SGDR_LIBDIR/cmake/sgdr/sgdrConfigVersion.cmake" "$SGDR_LIBDIR/pkgconfig/sgdr.pc"; do
  [ -f "$f" ] || { echo "consumers: not installed: ${f#"$work/prefix/"}" >&2; exit 1; }
done
echo "consumers: installed into a temporary prefix (libdir ${SGDR_LIBDIR#"$work/prefix/"})"

# Fails unless the program resolves libsgdr from the installed prefix.
uses_installed() {
  ldd "$1" | grep "libsgdr.so.1 => $SGDR_LIBDIR/" >/dev/null ||
    { echo "consumers: $1 does not use the installed libsgdr:" >&2; ldd "$1" >&2; return 1; }
}

echo "--- find_package(sgdr 1 CONFIG REQUIRED)"
cmake -S tests/consumers/cmake -B "$work/cmake" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/cmake" -j2 >/dev/null
uses_installed "$work/cmake/consumer"
"$work/cmake/consumer"
"$work/cmake/consumer_cxx"
if cmake -S tests/consumers/cmake -B "$work/cmake-v2" -DCMAKE_PREFIX_PATH="$work/prefix" \
     -DSGDR_WANT_VERSION=2 >/dev/null 2>&1; then
  echo "consumers: find_package(sgdr 2) accepted version 1" >&2
  exit 1
fi
echo "find_package(sgdr 2) is refused, as it must be"

echo "--- pkg-config"
mkdir -p "$work/pc"
PKG_CONFIG_PATH="$SGDR_LIBDIR/pkgconfig" make -s -C tests/consumers/pkgconfig OUT="$work/pc"
LD_LIBRARY_PATH="$SGDR_LIBDIR" uses_installed "$work/pc/consumer"
LD_LIBRARY_PATH="$SGDR_LIBDIR" "$work/pc/consumer"

echo "--- dlopen"
cc -std=c99 -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror -Wpedantic \
  -I"$work/prefix/include" tests/consumers/dlopen/dlopen_consumer.c \
  -o "$work/dlopen_consumer" -ldl
if readelf -d "$work/dlopen_consumer" | grep 'NEEDED.*libsgdr' >/dev/null; then
  echo "consumers: the dlopen consumer links libsgdr at build time" >&2
  exit 1
fi
"$work/dlopen_consumer" --list | sort >"$work/names.dlopen"
sed -n 's/^[[:space:]]*\(sgdr_[a-z0-9_]*\);.*/\1/p' src/sgdr.map | sort >"$work/names.map"
grep -o 'SGDR_API[^;(]*[^a-z0-9_]sgdr_[a-z0-9_]*[[:space:]]*(' include/sgdr.h |
  sed 's/.*\(sgdr_[a-z0-9_]*\)[[:space:]]*(/\1/' | sort >"$work/names.header"
nm -D --defined-only "$SGDR_LIBDIR/libsgdr.so.1" | awk '$2 == "T" {print $3}' |
  sed 's/@.*//' | sort >"$work/names.library"
for other in map header library; do
  if ! diff -u "$work/names.dlopen" "$work/names.$other" >"$work/diff"; then
    echo "consumers: the dlopen consumer's function list differs from the $other:" >&2
    cat "$work/diff" >&2
    exit 1
  fi
done
echo "$(wc -l <"$work/names.dlopen") public functions: dlopen list = sgdr.map = sgdr.h = library"
LD_LIBRARY_PATH="$SGDR_LIBDIR" "$work/dlopen_consumer"

echo "--- add_subdirectory"
cmake -S tests/consumers/subdir -B "$work/subdir" -DSGDR_SOURCE_DIR="$root" >/dev/null
cmake --build "$work/subdir" -j2 >/dev/null
"$work/subdir/consumer"
echo "consumers: all four build and run"
