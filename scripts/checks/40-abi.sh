#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The ABI guard.
# 1. Builds the shared library with debug info (preset `abi`) and compares it with the
#    committed baseline tests/abi/libsgdr.so.1.abi (abidw of 1.0; regenerate it only on
#    purpose, with scripts/update-abi-baseline.sh). Fails on any change that abidiff
#    reports once additions are left out: removed functions (its "incompatible" bit, 8)
#    and changed ones (bit 4: a parameter, return or public struct/typedef/enum value
#    changed, which abidiff cannot prove compatible, so it counts as a break here).
#    Additions (new functions, enumerators appended at the end) are compatible: they pass,
#    and are listed so that the baseline can be updated when a release fixes them.
# 2. The dynamic symbol table lists exactly the functions of src/sgdr.map, every one
#    sgdr_-prefixed and versioned; nothing else is exported but the version nodes; and the
#    header's SGDR_API functions are the same set, so none is declared but hidden.
# SGDR_ABI_DIR overrides the build directory (default build/abi).
set -euo pipefail
cd "$(dirname "$0")/../.."
dir="${SGDR_ABI_DIR:-build/abi}"
baseline=tests/abi/libsgdr.so.1.abi
lib="$dir/libsgdr.so.1"
for tool in abidiff nm readelf; do
  command -v "$tool" >/dev/null || { echo "40-abi: $tool is not installed" >&2; exit 1; }
done
[ -f "$baseline" ] || { echo "40-abi: no baseline $baseline" >&2; exit 1; }

cmake --preset abi -B "$dir" >/dev/null
cmake --build "$dir" -j2 >/dev/null
readelf -S "$lib" | grep '\.debug_info' >/dev/null || { echo "40-abi: $lib has no debug info" >&2; exit 1; }

# ---- 1. abidiff against the baseline ----
report=$(mktemp)
trap 'rm -f "$report"' EXIT
# The baseline holds the library's internal structs as declarations only (abidw dropped
# the types defined outside include/), so their layout never counts. No --headers-dir2
# here: it would also mark the system headers' types private, and a parameter going from
# uint64_t to uint32_t would pass unseen.
diff_args=(--no-show-locs --fail-no-debug-info "$baseline" "$lib")
set +e
abidiff --no-added-syms "${diff_args[@]}" >"$report" 2>&1
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  cat "$report"
  (( rc & 3 )) && echo "40-abi: abidiff could not compare (exit $rc)" >&2
  (( rc & 8 )) && echo "40-abi: INCOMPATIBLE ABI change against $baseline (exit $rc)" >&2
  (( rc & 8 )) || (( rc & 3 )) || echo "40-abi: ABI change against $baseline (exit $rc)" >&2
  exit 1
fi
set +e
abidiff "${diff_args[@]}" >"$report" 2>&1
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  cat "$report"
  echo "40-abi: additions only (compatible); the baseline does not have them yet"
fi
echo "40-abi: no incompatible change against $baseline"

# ---- 2. exported symbols = src/sgdr.map = the header's SGDR_API functions ----
map=$(perl -0777 -pe 's{/\*.*?\*/}{}gs' src/sgdr.map) # without comments
map_names=$(awk '/global:/ {on = 1; next} /local:/ || /^}/ {on = 0}
  on && /;/ {gsub(/[ \t;]/, ""); if ($0 != "") print}' <<<"$map" | sort)
map_nodes=$(grep -oE '^SGDR_[0-9.]+' <<<"$map" | sort -u)
header_names=$(grep -oE 'SGDR_API[^;(]*\bsgdr_[a-z0-9_]+\(' include/sgdr.h |
  grep -oE 'sgdr_[a-z0-9_]+\($' | tr -d '(' | sort)
symbols=$(nm -D --defined-only "$lib")
funcs=$(awk '$2 == "T" {print $3}' <<<"$symbols" | sort)
others=$(awk '$2 != "T" && !($2 == "A" && $3 ~ /^SGDR_[0-9.]+$/)' <<<"$symbols")
nodes=$(awk '$2 == "A" {print $3}' <<<"$symbols" | sort)
bad=0
[ -z "$others" ] || { echo "40-abi: exported symbols that are not functions:"; echo "$others"; bad=1; }
[ "$nodes" = "$map_nodes" ] || { echo "40-abi: version nodes '$nodes', src/sgdr.map has '$map_nodes'"; bad=1; }
while read -r f; do
  [[ "$f" =~ ^sgdr_[a-z0-9_]+@@SGDR_[0-9.]+$ ]] ||
    { echo "40-abi: exported function not sgdr_-prefixed or not versioned: $f"; bad=1; }
done <<<"$funcs"
exported=$(sed 's/@@.*//' <<<"$funcs" | sort)
grep -vq '^sgdr_' <<<"$map_names" && { echo "40-abi: src/sgdr.map lists names without sgdr_"; bad=1; }
if [ "$exported" != "$map_names" ]; then
  echo "40-abi: exported functions differ from src/sgdr.map (< exported, > map):"
  diff <(echo "$exported") <(echo "$map_names") | grep '^[<>]' || true
  bad=1
fi
if [ "$header_names" != "$map_names" ]; then
  echo "40-abi: SGDR_API functions of include/sgdr.h differ from src/sgdr.map (< header, > map):"
  diff <(echo "$header_names") <(echo "$map_names") | grep '^[<>]' || true
  bad=1
fi
[ "$bad" -eq 0 ] || exit 1
echo "40-abi: $(wc -l <<<"$exported") functions exported, all sgdr_, all versioned, as src/sgdr.map and include/sgdr.h list them"
