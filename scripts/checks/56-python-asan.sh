#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Python binding's whole pytest suite over libsgdr built with AddressSanitizer and
# UndefinedBehaviorSanitizer (preset `asan`, the library target only), loaded through
# SGDR_LIBRARY into Debian's interpreter with libasan preloaded (the runtime must come
# first). Leak detection is off: CPython keeps memory until exit by design. First a canary
# proves the sanitizer is live in that set-up (a double free through ctypes must be
# reported), then every test must pass: a skip, an error or fewer tests than collected fail.
# SGDR_PYTHON_ASAN_DIR overrides the build directory (default build/python-asan).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${SGDR_PYTHON_ASAN_DIR:-build/python-asan}"
py=/usr/bin/python3
for mod in torch numpy pytest; do
  "$py" -c "import $mod" 2>/dev/null ||
    { echo "56-python-asan: $py cannot import $mod (Debian package python3-$mod)" >&2; exit 1; }
done

cmake --preset asan -B "$dir" >/dev/null
cmake --build "$dir" --target sgdr -j2 >/dev/null
lib="$PWD/$dir/libsgdr.so.1"
nm -D -u "$lib" | grep __asan_init >/dev/null ||
  { echo "56-python-asan: $lib is not built with AddressSanitizer" >&2; exit 1; }
asan=$(gcc -print-file-name=libasan.so)
[ -f "$asan" ] || { echo "56-python-asan: no libasan.so from gcc" >&2; exit 1; }

# libstdc++ right after the runtime: ASan wraps __cxa_throw only if libstdc++ is there when
# it starts, and Python is no C++ program (without it, the first C++ exception PyTorch
# throws, such as the bool() of a two-element tensor, stops the process in ASan's CHECK).
cxx=$(gcc -print-file-name=libstdc++.so.6)
export LD_PRELOAD="$asan $cxx" SGDR_LIBRARY="$lib" PYTHONDONTWRITEBYTECODE=1
export ASAN_OPTIONS="detect_leaks=0:halt_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
unset SGDR_TEST_INSTALLED

work=$(mktemp -d "${TMPDIR:-/tmp}/sgdr-pyasan.XXXXXX")
trap 'rm -rf "$work"' EXIT
# The canary: a C scheduler freed twice (reported as a use after free inside the second
# sgdr_destroy, or as a double free).
if "$py" - >"$work/canary" 2>&1 <<'PY'
import ctypes, os
lib = ctypes.CDLL(os.environ["SGDR_LIBRARY"])
h = ctypes.c_void_p()
lib.sgdr_create(ctypes.byref(h))
lib.sgdr_destroy.argtypes = [ctypes.c_void_p]
lib.sgdr_destroy(h)
lib.sgdr_destroy(h)
PY
then
  echo "56-python-asan: a double free went unreported: the sanitizer is not active" >&2
  exit 1
fi
grep "ERROR: AddressSanitizer: heap-use-after-free\|ERROR: AddressSanitizer: attempting double-free" "$work/canary" >/dev/null || {
  echo "56-python-asan: the canary failed without an AddressSanitizer report:" >&2
  cat "$work/canary" >&2
  exit 1
}

collected=$("$py" -m pytest -q -p no:cacheprovider --collect-only bindings/python |
            sed -n 's/^\([0-9][0-9]*\) tests\{0,1\} collected.*/\1/p')
[ -n "$collected" ] || { echo "56-python-asan: could not count the tests" >&2; exit 1; }
"$py" -m pytest -q -rs -p no:cacheprovider bindings/python | tee "$work/out"
passed=$(sed -n 's/^\([0-9][0-9]*\) passed in .*/\1/p' "$work/out")
if [ "$passed" != "$collected" ]; then
  echo "56-python-asan: $collected tests collected but ${passed:-no} passed alone" >&2
  exit 1
fi
echo "56-python-asan: all $passed tests passed with libsgdr under ASan+UBSan"
