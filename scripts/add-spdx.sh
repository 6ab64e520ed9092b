#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Adds the `SPDX-License-Identifier: MIT` comment line at the top (after a `#!` line) of
# every tracked file of the project's own that lacks it, in that file's comment syntax
# (the rules: scripts/spdx-rules.sh). Safe to run again: a file that has the line is left
# as it is. With paths as arguments, only those files. Lists what it changed.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/spdx-rules.sh

if [ $# -gt 0 ]; then files=$(printf '%s\n' "$@"); else files=$(spdx_files); fi
added=0
while IFS= read -r f; do
  [ -f "$f" ] || continue
  style=$(spdx_style "$f")
  case "$style" in none | "") continue ;; esac
  spdx_has "$f" && continue
  tmp=$(mktemp)
  {
    IFS= read -r first || true
    if [[ "$first" == '#!'* ]]; then
      printf '%s\n' "$first"
      spdx_comment "$style"
    else
      spdx_comment "$style"
      if [ -s "$f" ]; then printf '%s\n' "$first"; fi
    fi
    cat
  } <"$f" >"$tmp"
  cat "$tmp" >"$f" # keeps the file's mode
  rm -f "$tmp"
  echo "add-spdx: $f"
  added=$((added + 1))
done <<<"$files"
echo "add-spdx: $added file(s) changed"
