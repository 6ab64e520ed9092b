#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every code block of the documentation says how it is tested (CONTRIBUTING.md): in README.md,
# TESTING.md, docs/**/*.md and bindings/*/README.md, each fenced c, cpp, sh, bash, python, js or
# javascript block is right after a line `<!-- doc-test: fragment -->` (an excerpt, or a
# command CI must not run) or `<!-- doc-test: NN-name -->`, naming an existing check
# scripts/checks/NN-name.sh that mentions that Markdown file. Builds nothing.
# Tier: quick
set -euo pipefail
cd "$(dirname "$0")/../.."
mapfile -t files < <({ echo README.md; echo TESTING.md; find docs -name '*.md'; ls bindings/*/README.md 2>/dev/null; } | sort -u)
fail=0 blocks=0 fragments=0 tested=0
while read -r file lang n mark; do
  case "${lang,,}" in c | cpp | sh | bash | python | js | javascript) ;; *) continue ;; esac
  blocks=$((blocks + 1))
  where="$file: the $lang block number $n (0-based)"
  case "$mark" in
    -) echo "FAIL: $where has no <!-- doc-test: fragment --> or <!-- doc-test: NN-name --> line before it"; fail=1 ;;
    fragment) fragments=$((fragments + 1)) ;;
    [0-9][0-9]-*)
      check=scripts/checks/$mark.sh
      if [ ! -f "$check" ]; then
        echo "FAIL: $where names $mark, but there is no $check"; fail=1
      elif ! grep -qP "(?<![\\w./-])\\Q$file\\E(?![\\w/-])" "$check"; then # the path, not a longer one
        echo "FAIL: $where names $mark, but $check does not mention $file"; fail=1
      else
        tested=$((tested + 1))
      fi ;;
    *) echo "FAIL: $where: '$mark' is neither 'fragment' nor a check's NN-name"; fail=1 ;;
  esac
done < <(/usr/bin/python3 scripts/checks/md_block.py --marks "${files[@]}")
echo "82-doc-blocks: ${#files[@]} Markdown files, $blocks code blocks: $tested run by a check, $fragments fragments"
[ "$blocks" -gt 0 ] || { echo "FAIL: no code block found"; fail=1; }
exit "$fail"
