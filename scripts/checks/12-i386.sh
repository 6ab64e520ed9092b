#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The unit tests built and run as i386 (gcc -m32 with SSE2 arithmetic, -msse2 -mfpmath=sse):
# a 32-bit size_t and long, libm found by name for the 32-bit toolchain, the same bits as
# x86-64. Optimised as distributions build (-O2, asserts kept): at -O0 this check took four
# times as long (43 s against 11 s), mostly test_cycle_search's 64-bit integer walks. Needs gcc-multilib, g++-multilib and libcmocka-dev:i386 (scripts/deps.sh).
# SGDR_I386_DIR overrides the build directory (default build/i386).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${SGDR_I386_DIR:-build/i386}"
pcdir=/usr/lib/i386-linux-gnu/pkgconfig
[ -f "$pcdir/cmocka.pc" ] ||
  { echo "12-i386: no i386 cmocka ($pcdir/cmocka.pc): install libcmocka-dev:i386" >&2; exit 1; }
flags="-m32 -msse2 -mfpmath=sse -O2"
# pkg-config must see the i386 .pc files only, or it would hand the 64-bit cmocka to the link.
PKG_CONFIG_LIBDIR="$pcdir:/usr/share/pkgconfig" cmake -DSGDR_WERROR=ON -S . -B "$dir" -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ \
  -DCMAKE_C_FLAGS="$flags" -DCMAKE_CXX_FLAGS="$flags" \
  -DSGDR_BUILD_EXAMPLES=OFF -DSGDR_BUILD_TOOLS=OFF -DSGDR_BUILD_BENCH=OFF >/dev/null
cmake --build "$dir" -j2 >/dev/null

# Really 32-bit, and libm linked by name (check_library_exists found it for -m32).
n=0
for f in "$dir"/libsgdr.so.1 "$dir"/tests/test_* "$dir"/tests/cxx/test_*; do
  [ -x "$f" ] || continue
  class=$(readelf -h "$f" | awk '/Class:/ {print $2}')
  [ "$class" = ELF32 ] || { echo "12-i386: $f is $class, not ELF32" >&2; exit 1; }
  n=$((n + 1))
done
[ "$n" -ge 2 ] || { echo "12-i386: nothing was built in $dir" >&2; exit 1; }
readelf -d "$dir/libsgdr.so.1" | grep 'NEEDED.*\[libm\.so' >/dev/null ||
  { echo "12-i386: the i386 libsgdr.so.1 does not link libm" >&2; exit 1; }
echo "12-i386: $n ELF32 binaries (library and tests)"
ctest --test-dir "$dir" -j2 --output-on-failure --no-tests=error
