#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# A libsgdr built with -ffast-math or -Ofast in its C flags leaves the floating-point
# environment of the process that loads it alone: gcc and clang each build the shared library
# with -ffast-math and with -Ofast (through CMAKE_C_FLAGS, or through the CFLAGS and LDFLAGS
# environment variables), and tests/fpenv/fp_env.c dlopens each and checks that MXCSR (flush-to-zero,
# denormals-are-zero) is unchanged and that 1e-310 * 1.0 is still not 0; Python (ctypes)
# loads each too and checks the same product. A control library linked by hand with
# -ffast-math must change the environment, so the probe is known to see it.
set -euo pipefail
cd "$(dirname "$0")/../.."
dir=build/fp-env
py=/usr/bin/python3
for tool in gcc clang cmake "$py"; do
  command -v "$tool" >/dev/null || { echo "16-fp-env: $tool is not installed" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
problem() { echo "16-fp-env: FAIL: $*" >&2; fail=1; }
mkdir -p "$dir"

# The probe, and the control: a library linked with -ffast-math as most build systems do.
gcc -std=c99 -O2 -Wall -Wextra -Werror tests/fpenv/fp_env.c -o "$dir/fp_env" -ldl
printf 'unsigned sgdr_version_number(void) { return 10000; }\n' >"$tmp/control.c"
gcc -O2 -ffast-math -fPIC -shared "$tmp/control.c" -o "$tmp/libcontrol.so"
if "$dir/fp_env" "$tmp/libcontrol.so" >"$tmp/control.txt"; then
  cat "$tmp/control.txt" >&2
  problem "the control library linked with -ffast-math changed nothing: the probe sees nothing"
fi

# python_probe LIB: the product, computed by Python after ctypes loaded LIB.
python_probe() {
  "$py" - "$1" <<'PY'
import ctypes, struct, sys
bits = lambda v: struct.pack("<d", v).hex()  # repr() of a subnormal uses floating point
x, one = float("1e-310"), float(sys.argv[1] != "")  # at run time, not folded
before = bits(x * one)
lib = ctypes.CDLL(sys.argv[1])
lib.sgdr_version_number.restype = ctypes.c_uint
assert lib.sgdr_version_number() >= 10000
after = bits(x * one)
print("python: 1e-310 * 1.0 has bits %s before, %s after loading" % (before, after))
sys.exit(0 if after == before != bits(0.0) else 1)
PY
}
python_probe "$tmp/libcontrol.so" >/dev/null &&
  problem "Python saw no change from the control library linked with -ffast-math"

# build NAME CC HOW TYPE FLAGS: the shared library alone, FLAGS given through CMAKE_C_FLAGS
# (HOW=cache) or the CFLAGS and LDFLAGS environment variables (HOW=env), build type TYPE (none: no
# CMAKE_BUILD_TYPE, as distribution packaging does, so that no -O3 follows an -Ofast).
build() {
  local name=$1 cc=$2 how=$3 type=$4 flags=$5 args=() envs=()
  [ "$type" = none ] || args+=(-DCMAKE_BUILD_TYPE="$type")
  if [ "$how" = cache ]; then
    args+=(-DCMAKE_C_FLAGS="$flags")
  else
    envs=(CFLAGS="$flags" LDFLAGS="$flags")
  fi
  rm -rf "${dir:?}/$name"
  if ! env -u CFLAGS -u LDFLAGS "${envs[@]}" cmake -S . -B "$dir/$name" -DCMAKE_C_COMPILER="$cc" \
         -DBUILD_TESTING=OFF -DSGDR_BUILD_EXAMPLES=OFF -DSGDR_BUILD_TOOLS=OFF \
         -DSGDR_BUILD_BENCH=OFF -DSGDR_WERROR=ON "${args[@]}" >"$tmp/$name.log" 2>&1 ||
     ! cmake --build "$dir/$name" -j2 --target sgdr >>"$tmp/$name.log" 2>&1; then
    cat "$tmp/$name.log" >&2
    problem "$name: the build failed"
    return 1
  fi
  grep -qe "$flags" "$dir/$name/CMakeCache.txt" || { problem "$name: $flags did not reach the build"; return 1; }
}

n=0
for spec in "gcc-fast-math gcc cache Release -ffast-math" "gcc-Ofast gcc env none -Ofast" \
            "clang-fast-math clang env Release -ffast-math" "clang-Ofast clang cache none -Ofast"; do
  read -r name cc how type flags <<<"$spec"
  build "$name" "$cc" "$how" "$type" "$flags" || continue
  lib=$dir/$name/libsgdr.so.1
  if "$dir/fp_env" "$lib" >"$tmp/$name.txt"; then
    echo "$name: $(tr '\n' ';' <"$tmp/$name.txt")"
  else
    problem "$name: loading libsgdr changed the floating-point environment: $(tr '\n' ';' <"$tmp/$name.txt")"
  fi
  python_probe "$lib" >"$tmp/$name.py.txt" ||
    problem "$name: $(cat "$tmp/$name.py.txt")"
  n=$((n + 1))
done
[ "$fail" -eq 0 ] && echo "16-fp-env: $n fast-math builds of libsgdr loaded from C and Python: MXCSR and subnormals unchanged"
exit "$fail"
