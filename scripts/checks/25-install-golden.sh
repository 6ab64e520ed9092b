#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# What a user gets from `cmake --install`: a release build installed to a temporary prefix,
# a program compiled only against the installed header and `pkg-config --cflags --libs sgdr`
# that reproduces every golden vector, and an installed libsgdr.so.1 whose SONAME is
# libsgdr.so.1 and whose dynamic symbols are only sgdr_* functions, each versioned with one
# of the version nodes of src/sgdr.map (SGDR_1.0, SGDR_1.2, ...).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$PWD

for tool in cmake pkg-config gcc nm readelf; do
  command -v "$tool" >/dev/null || { echo "25-install-golden: $tool is not installed" >&2; exit 1; }
done

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
prefix=$work/prefix
fail=0
problem() { echo "25-install-golden: $*" >&2; fail=1; }

# ---- build and install the release configuration ----
cmake -DSGDR_WERROR=ON --preset release -B "$work/build" \
  -DBUILD_TESTING=OFF -DSGDR_BUILD_EXAMPLES=OFF -DSGDR_BUILD_TOOLS=OFF \
  -DSGDR_BUILD_BENCH=OFF >"$work/configure.log" || { cat "$work/configure.log" >&2; exit 1; }
cmake --build "$work/build" -j2 >"$work/build.log" || { cat "$work/build.log" >&2; exit 1; }
cmake --install "$work/build" --prefix "$prefix" >"$work/install.log" || { cat "$work/install.log" >&2; exit 1; }

mapfile -t pcs < <(find "$prefix" -name sgdr.pc)
[ "${#pcs[@]}" -eq 1 ] || { echo "25-install-golden: expected one sgdr.pc, found ${#pcs[@]}" >&2; exit 1; }
export PKG_CONFIG_PATH=$(dirname "${pcs[0]}")
libdir=$(pkg-config --variable=libdir sgdr)
includedir=$(pkg-config --variable=includedir sgdr)
[ -f "$includedir/sgdr.h" ] || problem "no sgdr.h in pkg-config's includedir $includedir"
lib=$libdir/libsgdr.so.1
[ -f "$lib" ] || { echo "25-install-golden: $lib is not installed" >&2; exit 1; }

# ---- a program built against the installed library only ----
read -r -a flags <<<"$(pkg-config --cflags --libs sgdr)"
compile=(gcc -std=c99 -Wall -Wextra -Werror -D_POSIX_C_SOURCE=200809L
         "-DSGDR_TEST_DATA=\"$repo/tests\"" -Itests/support
         tests/install/golden_replay.c tests/support/testutil.c "${flags[@]}" -lm)
"${compile[@]}" -o "$work/golden_replay"
# The only sgdr.h it saw is the installed one (nothing from the source tree).
headers=$("${compile[@]}" -M | tr ' \\' '\n\n' | grep -E '(^|/)sgdr\.h$' | sort -u)
[ "$headers" = "$includedir/sgdr.h" ] || problem "compiled against: ${headers//$'\n'/ } (want $includedir/sgdr.h)"
resolved=$(LD_LIBRARY_PATH=$libdir ldd "$work/golden_replay" | awk '$1 == "libsgdr.so.1" {print $3}')
[ "$resolved" = "$lib" ] || problem "golden_replay loads libsgdr.so.1 from '$resolved', not $lib"

mapfile -t goldens < <(cd tests/golden && ls -- *.csv)
[ "${#goldens[@]}" -gt 0 ] || { echo "25-install-golden: no golden vectors" >&2; exit 1; }
LD_LIBRARY_PATH=$libdir "$work/golden_replay" "${goldens[@]}" || problem "golden vectors not reproduced"

# ---- the installed library's ABI surface ----
soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\].*/\1/p')
[ "$soname" = "libsgdr.so.1" ] || problem "SONAME is '$soname', want libsgdr.so.1"

nm -D --defined-only "$lib" >"$work/nm.txt"
nodes=" $(grep -oE '^SGDR_1\.[0-9]+' src/sgdr.map | tr '\n' ' ')"
exported=0
while read -r _ type name; do
  if [[ "$name" =~ ^sgdr_[a-z0-9_]+@@(SGDR_1\.[0-9]+)$ ]] &&
     [[ "$nodes" == *" ${BASH_REMATCH[1]} "* ]]; then
    [ "$type" = T ] || problem "$name is of type $type, not a function (T)"
    exported=$((exported + 1))
  elif [[ "$nodes" == *" $name "* ]] && [ "$type" = A ]; then
    : # a version node itself
  else
    problem "unexpected dynamic symbol: $type $name"
  fi
done <"$work/nm.txt"
# Every function the installed header declares is exported, and nothing else.
grep -oE '\bsgdr_[a-z0-9_]+\(' "$includedir/sgdr.h" | tr -d '(' | sort -u >"$work/declared"
sed -n 's/.* \(sgdr_[a-z0-9_]*\)@@SGDR_1\.[0-9]*$/\1/p' "$work/nm.txt" | sort -u >"$work/exported"
if ! diff -u "$work/declared" "$work/exported" >"$work/surface.diff"; then
  problem "header declarations (-) and exported symbols (+) differ:"
  cat "$work/surface.diff" >&2
fi

if [ "$fail" -eq 0 ]; then
  echo "25-install-golden: ${#goldens[@]} golden files reproduced from the installed library;" \
       "SONAME $soname; $exported sgdr_ functions, versioned${nodes% }"
fi
exit "$fail"
