#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Every compiler and flag set gives the same learning rates, bit for bit: sgdr-schedule
# prints every golden configuration (tests/golden/*.csv) from five builds, and the CSVs
# (%.17g, which reads back to the same double) must be identical byte for byte:
#   gcc      the plain release build (the reference)
#   gcc-O3   gcc -O3 -march=native
#   clang-O3 clang -O3 -march=native
#   vendored libsgdr added with add_subdirectory() to a parent built with gcc -O3
#            -march=native and no C standard (tests/fpbits)
#   fast-math the same parent built with clang -O3 -march=native -ffast-math
# Then fp_bits (tests/fpbits/fp_bits.c), built in the vendored parent with gcc and with
# clang (-O3 -march=native), prints every rate as %a through the callbacks and through
# sgdr_lr_at, saves the state halfway: both builds must print the same bits, lr_at must
# equal the callbacks, and a state saved by one build must resume in the other with exactly
# the rates the uninterrupted run printed.
# On a CPU with FMA, fusing a*b+c can change the last bit of rates: the library's
# -ffp-contract=off is what keeps them equal.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
dir=build/fp-bits
for tool in gcc clang cmake; do
  command -v "$tool" >/dev/null || { echo "14-fp-bits: $tool is not installed" >&2; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fast="-O3 -march=native"
common=(-DBUILD_TESTING=OFF -DSGDR_BUILD_EXAMPLES=OFF -DSGDR_BUILD_BENCH=OFF)

build() { # NAME CMAKE-ARGS...: configure and build sgdr-schedule in $dir/NAME
  local name=$1
  shift
  cmake -DSGDR_WERROR=ON "$@" -B "$dir/$name" >"$tmp/$name.log" 2>&1 &&
    cmake --build "$dir/$name" -j2 --target sgdr-schedule >>"$tmp/$name.log" 2>&1 ||
    { cat "$tmp/$name.log" >&2; echo "14-fp-bits: the $name build failed" >&2; exit 1; }
}
build gcc -S . "${common[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=gcc
build gcc-O3 -S . "${common[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=gcc \
  -DCMAKE_C_FLAGS="$fast"
build clang-O3 -S . "${common[@]}" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER=clang \
  -DCMAKE_C_FLAGS="$fast"
build vendored -S tests/fpbits -DSGDR_SOURCE_DIR="$root" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=gcc -DCMAKE_C_FLAGS="$fast"
build vendored-clang -S tests/fpbits -DSGDR_SOURCE_DIR="$root" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=clang -DCMAKE_C_FLAGS="$fast"
build fast-math -S tests/fpbits -DSGDR_SOURCE_DIR="$root" -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_C_COMPILER=clang -DCMAKE_C_FLAGS="$fast -ffast-math"
for b in vendored vendored-clang; do
  cmake --build "$dir/$b" -j2 --target fp_bits >>"$tmp/$b.log" 2>&1 ||
    { cat "$tmp/$b.log" >&2; echo "14-fp-bits: fp_bits does not build in $b" >&2; exit 1; }
done
builds=(gcc gcc-O3 clang-O3 vendored fast-math)
tools=("$dir/gcc/tools/sgdr-schedule" "$dir/gcc-O3/tools/sgdr-schedule"
       "$dir/clang-O3/tools/sgdr-schedule" "$dir/vendored/libsgdr/tools/sgdr-schedule"
       "$dir/fast-math/libsgdr/tools/sgdr-schedule")

# The flags really reached the compiler (a build that ignored them would prove nothing).
grep -e '-march=native' "$dir/clang-O3/CMakeCache.txt" >/dev/null &&
  grep -e '-march=native' "$dir/vendored/CMakeCache.txt" >/dev/null ||
  { echo "14-fp-bits: -march=native is not in the fast builds' flags" >&2; exit 1; }

fail=0 files=0 rates=0 resumed_rates=0
for g in tests/golden/*.csv; do
  conf=$(sed -n 's/^# mode=/restart_mode=/p' "$g")
  [ -n "$conf" ] || { echo "14-fp-bits: $g has no configuration line" >&2; fail=1; continue; }
  flags=()
  for kv in $conf; do
    key=${kv%%=*}
    flags+=("--${key//_/-}" "${kv#*=}")
  done
  name=$(basename "$g" .csv)
  for i in "${!builds[@]}"; do
    "${tools[$i]}" "${flags[@]}" >"$tmp/$name.${builds[$i]}.csv" ||
      { echo "14-fp-bits: ${builds[$i]}: sgdr-schedule ${flags[*]} failed" >&2; fail=1; }
  done
  n=$(($(wc -l <"$tmp/$name.gcc.csv") - 1))
  [ "$n" -gt 0 ] || { echo "14-fp-bits: $name: no rows" >&2; fail=1; }
  for b in "${builds[@]:1}"; do
    if ! cmp -s "$tmp/$name.gcc.csv" "$tmp/$name.$b.csv"; then
      differ=$(diff "$tmp/$name.gcc.csv" "$tmp/$name.$b.csv" | grep -c '^>' || true)
      echo "14-fp-bits: $name: $differ of $n learning rates differ between gcc and $b" >&2
      diff "$tmp/$name.gcc.csv" "$tmp/$name.$b.csv" | head -4 >&2 || true
      fail=1
    fi
  done
  files=$((files + 1)) rates=$((rates + n))

  # fp_bits: gcc (g) and clang (c) vendored builds, a state saved at the middle epoch.
  epochs=$(sed -n 's/.* epochs=\([0-9]*\).*/\1/p' <<<"$conf")
  half=$(( (epochs + 1) / 2 ))
  spe=$(sed -n 's/.* steps_per_epoch=\([0-9]*\).*/\1/p' <<<"$conf")
  sched=()
  for ((i = 0; i < ${#flags[@]}; i += 2)); do
    [ "${flags[$i]}" = --epochs ] || sched+=("${flags[$i]}" "${flags[$((i + 1))]}")
  done
  g=$dir/vendored/fp_bits c=$dir/vendored-clang/fp_bits
  "$g" --epochs "$epochs" --save "$half" "$tmp/g.state" "${sched[@]}" >"$tmp/g.txt" &&
    "$c" --epochs "$epochs" --save "$half" "$tmp/c.state" "${sched[@]}" >"$tmp/c.txt" &&
    "$g" --epochs "$epochs" --resume "$tmp/c.state" "${sched[@]}" >"$tmp/g-from-c.txt" &&
    "$c" --epochs "$epochs" --resume "$tmp/g.state" "${sched[@]}" >"$tmp/c-from-g.txt" ||
    { echo "14-fp-bits: $name: fp_bits failed" >&2; fail=1; continue; }
  [ "$(wc -l <"$tmp/g.txt")" -eq "$n" ] || { echo "14-fp-bits: $name: fp_bits printed $(wc -l <"$tmp/g.txt") rates, not $n" >&2; fail=1; }
  cmp -s "$tmp/g.txt" "$tmp/c.txt" ||
    { echo "14-fp-bits: $name: fp_bits: $(diff "$tmp/g.txt" "$tmp/c.txt" | grep -c '^>' || true) of $n lines differ between gcc and clang" >&2; fail=1; }
  awk '$2 != $3 { bad++ } END { exit bad > 0 }' "$tmp/g.txt" ||
    { echo "14-fp-bits: $name: sgdr_lr_at differs from the callbacks' rate" >&2; fail=1; }
  tail -n "+$((half * spe + 1))" "$tmp/g.txt" >"$tmp/rest.txt"
  [ -s "$tmp/rest.txt" ] || [ "$half" -eq "$epochs" ] || { echo "14-fp-bits: $name: nothing after the save" >&2; fail=1; }
  for resumed in g-from-c c-from-g; do
    cmp -s "$tmp/rest.txt" "$tmp/$resumed.txt" ||
      { echo "14-fp-bits: $name: resumed across builds ($resumed): $(diff "$tmp/rest.txt" "$tmp/$resumed.txt" | grep -c '^>' || true) of $(wc -l <"$tmp/rest.txt") rates differ" >&2; fail=1; }
  done
  resumed_rates=$((resumed_rates + 2 * $(wc -l <"$tmp/rest.txt")))
done
[ "$files" -ge 15 ] || { echo "14-fp-bits: only $files golden files" >&2; fail=1; }
[ "$fail" -eq 0 ] &&
  echo "14-fp-bits: $rates learning rates of $files golden configurations identical in ${builds[*]};" \
       "fp_bits gcc = clang (callbacks and lr_at), $resumed_rates rates resumed across builds identical"
exit "$fail"
