#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every test: installs what is missing, then runs each check in scripts/checks/ in order
# (unit tests, sanitizers, valgrind, ABI, consumers, Python, fuzzing, ...). Ends with
# "N passed, N failed" and exits non-zero if any check failed.
set -uo pipefail
cd "$(dirname "$0")/.."
source scripts/deps.sh
sgdr_need_packages "${SGDR_BUILD_PACKAGES[@]}" "${SGDR_TEST_PACKAGES[@]}"
sgdr_need_node

passed=0 failed=0 names=()
for check in scripts/checks/[0-9]*.sh; do
  name=$(basename "$check" .sh)
  echo "=== check $name"
  start=$(date +%s)
  if bash "$check"; then
    passed=$((passed + 1))
    echo "=== check $name: passed ($(( $(date +%s) - start )) s)"
  else
    failed=$((failed + 1))
    names+=("$name")
    echo "=== check $name: FAILED ($(( $(date +%s) - start )) s)"
  fi
done
[ ${#names[@]} -eq 0 ] || echo "failed checks: ${names[*]}"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
