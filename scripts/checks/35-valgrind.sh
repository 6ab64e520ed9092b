#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every test program of the ctest suite under valgrind's memcheck (the debug build, no
# sanitizer): invalid reads/writes, uses of uninitialised values, and definite or indirect
# leaks fail it. The programs come from ctest's own list (command, working directory,
# environment), so a new test is covered without editing this file, and the script counts
# them: every ctest test must have run under valgrind and passed. SGDR_TEST_SHORT=1 lets a
# test whose cost is repetition, not memory, repeat less (tests/support/testutil.h,
# test_short()). A program that fails is run again with --track-origins=yes, which doubles
# valgrind's time, so that its report says where an uninitialised value came from.
# SGDR_VALGRIND_DIR overrides the build directory (default build/debug, as 10-unit).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${SGDR_VALGRIND_DIR:-build/debug}"
command -v valgrind >/dev/null || { echo "35-valgrind: valgrind is not installed" >&2; exit 1; }

cmake --preset debug -B "$dir" >/dev/null
cmake --build "$dir" -j2 >/dev/null

# One line per test: name, working directory, environment (;-separated), command (tabs).
list=$(ctest --test-dir "$dir" --show-only=json-v1 | /usr/bin/python3 -c '
import json, sys
for t in json.load(sys.stdin)["tests"]:
    props = {p["name"]: p["value"] for p in t.get("properties", [])}
    env = ";".join(props.get("ENVIRONMENT", []))
    print("\t".join([t["name"], props.get("WORKING_DIRECTORY", "."), env] + t["command"]))
')
total=$(printf '%s\n' "$list" | grep -c . || true)
[ "$total" -gt 0 ] || { echo "35-valgrind: ctest lists no tests" >&2; exit 1; }

log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT
# memcheck OPTION...: the loop's test ($name, $wd, $envs, $cmd) under memcheck, its output in
# $log/$name.out
memcheck() {
  (cd "$wd" && env SGDR_TEST_SHORT=1 "${envs[@]}" timeout 600 valgrind -q --error-exitcode=1 \
    --leak-check=full --errors-for-leak-kinds=definite,indirect "$@" "${cmd[@]}") >"$log/$name.out" 2>&1
}
passed=0 failed=()
while IFS=$'\t' read -r -a row; do
  name=${row[0]} wd=${row[1]} env=${row[2]}
  cmd=("${row[@]:3}")
  envs=()
  [ -z "$env" ] || IFS=';' read -r -a envs <<<"$env"
  start=$(date +%s)
  if memcheck; then
    passed=$((passed + 1))
    echo "35-valgrind: $name clean ($(( $(date +%s) - start )) s)"
  else
    failed+=("$name")
    memcheck --track-origins=yes || true
    echo "35-valgrind: $name FAILED ($(( $(date +%s) - start )) s, with --track-origins=yes the second time):"
    tail -n 60 "$log/$name.out"
  fi
done <<<"$list"

echo "35-valgrind: $passed of $total test programs clean under valgrind"
[ ${#failed[@]} -eq 0 ] || { echo "35-valgrind: failed: ${failed[*]}" >&2; exit 1; }
[ "$passed" -eq "$total" ]
