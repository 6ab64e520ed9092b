#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The licence: LICENSE is the MIT licence of "The libsgdr authors", the README says so, and
# every tracked source, header, script and CMake file of the project's own starts with an
# `SPDX-License-Identifier: MIT` comment line (after a `#!` line), by the rules of
# scripts/spdx-rules.sh. Lists every file that lacks it, and every file no rule covers.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/spdx-rules.sh
fail=0
problem() { echo "FAIL: $*"; fail=1; }

[ -f LICENSE ] || problem "no LICENSE file"
if [ -f LICENSE ]; then
  grep -q '^MIT License$' LICENSE || problem "LICENSE is not the MIT licence"
  grep -q '^Copyright (c) 20[0-9][0-9] The libsgdr authors$' LICENSE ||
    problem "LICENSE does not name 'The libsgdr authors'"
fi
grep -q '^## Licence$' README.md || problem "README.md has no '## Licence' section"
grep -q 'MIT' README.md || problem "README.md does not name the MIT licence"

own=0 missing=() unknown=()
while IFS= read -r f; do
  [ -f "$f" ] || continue # deleted in the work tree, not yet in git
  case "$(spdx_style "$f")" in
    none) ;;
    "") unknown+=("$f") ;;
    *) own=$((own + 1)); spdx_has "$f" || missing+=("$f") ;;
  esac
done < <(spdx_files)
if [ ${#missing[@]} -gt 0 ]; then
  problem "${#missing[@]} of $own own files lack the SPDX line (bash scripts/add-spdx.sh adds it):"
  printf '  %s\n' "${missing[@]}"
fi
if [ ${#unknown[@]} -gt 0 ]; then
  problem "${#unknown[@]} tracked files match no rule of scripts/spdx-rules.sh (own source or data?):"
  printf '  %s\n' "${unknown[@]}"
fi
[ "$own" -gt 100 ] || problem "only $own own files found: are the rules right?"
[ "$fail" -eq 0 ] && echo "02-license: LICENSE is MIT; all $own own files carry the SPDX line"
exit "$fail"
