#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ThreadSanitizer (preset `tsan`, library and tests): first the thread test, which runs
# sixteen schedulers on sixteen threads at once, then the rest of the suite (single-threaded
# code under TSan still catches the library touching shared state, and it is quick).
# Any report fails: halt_on_error makes the test program exit non-zero.
# SGDR_TSAN_DIR overrides the build directory (default build/tsan).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${SGDR_TSAN_DIR:-build/tsan}"

cmake --preset tsan -B "$dir" >/dev/null
cmake --build "$dir" -j2
nm -D -u "$dir/libsgdr.so" | grep __tsan_init >/dev/null ||
  { echo "45-tsan: the library is not built with ThreadSanitizer" >&2; exit 1; }
nm -u "$dir/tests/test_threads" | grep __tsan_init >/dev/null ||
  { echo "45-tsan: test_threads is not built with ThreadSanitizer" >&2; exit 1; }

export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
ctest --test-dir "$dir" --output-on-failure --no-tests=error -R '^test_threads$'
ctest --test-dir "$dir" -j2 --output-on-failure --no-tests=error -E '^test_threads$'
