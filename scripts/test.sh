#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every test: installs what is missing, then runs each check in scripts/checks/ in order
# (unit tests, sanitizers, valgrind, ABI, consumers, Python, fuzzing, ...). Ends with
# "N passed, N failed" and exits non-zero if any check failed. Names of checks as arguments
# run only those; --help lists them.
set -uo pipefail
cd "$(dirname "$0")/.."

# summary CHECK: the first sentence of the check's header comment (the comment lines after
# the #! and SPDX lines), cut to one line of at most 78 characters.
summary() {
  sed -n '2,/^[^#]/{/^# SPDX-License-Identifier/d;/^#/!q;s/^# \{0,1\}//;p}' "$1" |
    tr '\n' ' ' | awk '{
      depth = 0; text = $0
      for (i = 1; i <= length($0); i++) {
        c = substr($0, i, 1)
        if (c == "(") depth++
        else if (c == ")") depth--
        else if (depth == 0 && substr($0, i, 2) == ". ") { text = substr($0, 1, i); break }
      }
      sub(/ +$/, "", text)
      if (length(text) > 78) {
        text = substr(text, 1, 75); sub(/ [^ ]*$/, "", text); text = text " ..."
      }
      print text
    }'
}

usage() {
  cat <<'USAGE'
usage: bash scripts/test.sh [--help] [CHECK...]

Installs the Debian packages the tests need (scripts/deps.sh, when missing), then runs the
checks of scripts/checks/ in order and ends with "N passed, N failed". Each check builds
what it needs in its own directory under build/.

  bash scripts/test.sh                    every check
  bash scripts/test.sh 10-unit 80-docs    only these (names or numbers), in the list's order
  bash scripts/checks/10-unit.sh          one check alone, without the package install

The checks (the header comment of each says in full what it proves):
USAGE
  for check in scripts/checks/[0-9]*.sh; do
    printf '  %-20s %s\n' "$(basename "$check" .sh)" "$(summary "$check")"
  done
}

checks=()
for arg in "$@"; do
  case "$arg" in
    -h | --help) usage; exit 0 ;;
  esac
  match=(scripts/checks/"$arg".sh)
  [ -f "${match[0]}" ] || match=(scripts/checks/"$arg"-*.sh)
  if [ ! -f "${match[0]}" ]; then
    echo "test.sh: no check '$arg' (bash scripts/test.sh --help lists them)" >&2
    exit 2
  fi
  checks+=("${match[0]}")
done
if [ ${#checks[@]} -eq 0 ]; then
  checks=(scripts/checks/[0-9]*.sh)
else
  mapfile -t checks < <(printf '%s\n' "${checks[@]}" | sort -u)
fi

source scripts/deps.sh
sgdr_need_packages "${SGDR_BUILD_PACKAGES[@]}" "${SGDR_TEST_PACKAGES[@]}"
sgdr_need_node

passed=0 failed=0 names=()
for check in "${checks[@]}"; do
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
