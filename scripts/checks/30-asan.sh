#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The whole ctest suite with AddressSanitizer and UndefinedBehaviorSanitizer in the library
# and the tests (preset `asan`: gcc, -fno-sanitize-recover=all, so any report fails the
# test). LeakSanitizer runs at every test program's exit.
# SGDR_ASAN_DIR overrides the build directory (default build/asan).
# Tier: quick
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${SGDR_ASAN_DIR:-build/asan}"

cmake --preset asan -B "$dir" >/dev/null
cmake --build "$dir" -j2
# The same options as the test preset, given here so that they hold with any -B.
export ASAN_OPTIONS="detect_leaks=1:halt_on_error=1:detect_stack_use_after_return=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
ctest --test-dir "$dir" -j2 --output-on-failure --no-tests=error

# The sanitizer really is in, library and tests: without it they would pass vacuously.
for t in "$dir"/libsgdr.so "$dir"/tests/test_*; do
  [ -x "$t" ] || continue
  if ! nm -u "$t" | grep __asan_init >/dev/null; then
    echo "30-asan: $t is not built with AddressSanitizer" >&2
    exit 1
  fi
done
