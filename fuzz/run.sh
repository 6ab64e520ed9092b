#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build the libFuzzer targets through CMake (the `fuzz` preset: clang, the library's own
# flags plus fuzzer coverage and the address and undefined-behaviour sanitizers; see
# fuzz/CMakeLists.txt) and run each for a bounded time.
#
#   bash fuzz/run.sh [SECONDS] [WORKDIR]
#
# SECONDS per target (default 45), WORKDIR for the growing corpus and any crash input
# (default a fresh temporary directory, removed after a clean run and kept after a finding);
# the binaries are in build/fuzz/fuzz. The starting corpus in fuzz/corpus/<target> is read,
# never written. Exits non-zero on any finding (crash, sanitizer report, failed invariant,
# timeout, leak) or if the tools are missing.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-45}
if [ $# -ge 2 ]; then
  work=$2
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/sgdr-fuzz.XXXXXX)
  trap '[ "$status" -ne 0 ] || rm -rf "$work"' EXIT
fi
status=0

command -v clang >/dev/null || { echo "fuzz: clang is not installed" >&2; exit 1; }
runtime=$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null || true)
if [ ! -f "$runtime" ] && ! ls /usr/lib/llvm-*/lib/clang/*/lib/linux/libclang_rt.fuzzer-*.a >/dev/null 2>&1; then
  echo "fuzz: the libFuzzer runtime is missing (Debian package libclang-rt-14-dev)" >&2
  exit 1
fi

build=build/fuzz
if ! { cmake --preset fuzz -B "$build" && cmake --build "$build" -j2; } >"$work/build.log" 2>&1; then
  cat "$work/build.log" >&2
  echo "fuzz: the fuzz targets do not build" >&2
  exit 1
fi
for target in fuzz_load_state fuzz_api; do
  mkdir -p "$work/corpus-$target" "$work/artifacts-$target"
  echo "fuzz: running $target for $seconds s"
  if ! "$build/fuzz/$target" -max_total_time="$seconds" -timeout=20 -rss_limit_mb=2048 \
       -print_final_stats=1 -artifact_prefix="$work/artifacts-$target/" \
       "$work/corpus-$target" "fuzz/corpus/$target" > "$work/$target.log" 2>&1; then
    echo "fuzz: $target FOUND A PROBLEM; input in $work/artifacts-$target/" >&2
    tail -n 40 "$work/$target.log" >&2
    status=1
  else
    grep -E "^(stat::number_of_executed_units|stat::new_units_added|cov:|#[0-9]+ *DONE)" \
      "$work/$target.log" | tail -n 3 || true
  fi
done
exit $status
