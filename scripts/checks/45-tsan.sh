#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# ThreadSanitizer (preset `tsan`, library and tests): the thread test, which runs sixteen
# schedulers on sixteen threads at once and eight threads reading one scheduler, under TSan.
# Only a program that starts threads can show a race, and test_threads is the one test
# program that does: check that list stays true, then run it. Any report fails:
# halt_on_error makes the test program exit non-zero.
# SGDR_TSAN_DIR overrides the build directory (default build/tsan).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${SGDR_TSAN_DIR:-build/tsan}"

cmake --preset tsan -B "$dir" >/dev/null
cmake --build "$dir" -j2 --target sgdr test_threads
nm -D -u "$dir/libsgdr.so" | grep __tsan_init >/dev/null ||
  { echo "45-tsan: the library is not built with ThreadSanitizer" >&2; exit 1; }
nm -u "$dir/tests/test_threads" | grep __tsan_init >/dev/null ||
  { echo "45-tsan: test_threads is not built with ThreadSanitizer" >&2; exit 1; }

export TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1"
threaded=$(grep -lE 'pthread_create|std::thread' tests/*.c tests/*/*.c tests/*/*.cpp 2>/dev/null | xargs -n1 basename | sort | tr '\n' ' ')
[ "$threaded" = "test_threads.c " ] ||
  { echo "45-tsan: test programs that start threads: $threaded; run each of them here" >&2; exit 1; }
ctest --test-dir "$dir" --output-on-failure --no-tests=error -R '^test_threads$'
