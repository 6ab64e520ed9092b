#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One version everywhere. The header's SGDR_VERSION_MAJOR/MINOR/PATCH are the source of
# truth; these must all say the same X.Y.Z:
#   SGDR_VERSION_STRING and SGDR_VERSION_NUMBER (include/sgdr.h)
#   the CMake project version (the installed sgdrConfigVersion.cmake and sgdr.pc)
#   sgdr_version_string() and sgdr_version_number() of the library as built
#   the top release heading of CHANGELOG.md ("## [X.Y.Z] - DATE"; [Unreleased] is skipped)
#   every binding's package manifest that exists: bindings/*/pyproject.toml (its static
#   version, or the version its build backend computes), bindings/*/package.json
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
problem() { echo "05-versions: $*" >&2; fail=1; }
agree() { # WHAT VERSION
  if [ "$2" = "$want" ]; then
    echo "05-versions: $1: $2"
  else
    problem "$1 says '$2', include/sgdr.h says $want"
  fi
}

macro() { sed -n "s/^#define SGDR_VERSION_$1 \\(.*\\)$/\\1/p" include/sgdr.h; }
major=$(macro MAJOR) minor=$(macro MINOR) patch=$(macro PATCH)
[[ "$major.$minor.$patch" =~ ^[0-9]+\.[0-9]+\.[0-9]+$ ]] ||
  { echo "05-versions: include/sgdr.h: no numeric SGDR_VERSION_MAJOR/MINOR/PATCH" >&2; exit 1; }
want=$major.$minor.$patch
number=$((major * 10000 + minor * 100 + patch))
echo "05-versions: include/sgdr.h: $want"
agree "SGDR_VERSION_STRING" "$(macro STRING | tr -d '"')"

# ---- CMake: the project version as installed, and the library's own answer ----
cmake -DSGDR_WERROR=ON -S . -B "$tmp/build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF \
  -DSGDR_BUILD_EXAMPLES=OFF -DSGDR_BUILD_TOOLS=OFF -DSGDR_BUILD_BENCH=OFF >/dev/null
cmake --build "$tmp/build" -j2 >/dev/null
cmake --install "$tmp/build" --prefix "$tmp/prefix" >/dev/null
config=$(find "$tmp/prefix" -name sgdrConfigVersion.cmake)
agree "CMake project version (sgdrConfigVersion.cmake)" \
  "$(sed -n 's/^set(PACKAGE_VERSION "\(.*\)")$/\1/p' "$config")"
pc=$(find "$tmp/prefix" -name sgdr.pc)
agree "sgdr.pc" "$(PKG_CONFIG_PATH=$(dirname "$pc") pkg-config --modversion sgdr)"
cat >"$tmp/v.c" <<'C'
#include <stdio.h>
#include "sgdr.h"
int main(void) { printf("%s %u %u\n", sgdr_version_string(), sgdr_version_number(), SGDR_VERSION_NUMBER); return 0; }
C
libdir=$(dirname "$pc")/..
cc -std=c99 -I"$tmp/prefix/include" "$tmp/v.c" -L"$libdir" -lsgdr -Wl,-rpath,"$libdir" -o "$tmp/v"
read -r lib_string lib_number header_number < <("$tmp/v")
agree "sgdr_version_string() of the built library" "$lib_string"
[ "$lib_number" = "$number" ] || problem "sgdr_version_number() is $lib_number, want $number"
[ "$header_number" = "$number" ] || problem "SGDR_VERSION_NUMBER is $header_number, want $number"

# ---- CHANGELOG.md: the first "## [X.Y.Z]" or "## X.Y.Z" heading ----
if [ -f CHANGELOG.md ]; then
  top=$(sed -n 's/^## \[\{0,1\}\([0-9][0-9]*\.[0-9][0-9]*\.[0-9][0-9]*\)\]\{0,1\}\( .*\)\{0,1\}$/\1/p' CHANGELOG.md | head -n 1)
  agree "CHANGELOG.md's top release" "${top:-none}"
else
  problem "there is no CHANGELOG.md"
fi

# ---- the bindings' package manifests ----
for manifest in bindings/*/package.json; do
  [ -f "$manifest" ] || continue
  agree "$manifest" "$("$py" -c 'import json, sys; print(json.load(open(sys.argv[1]))["version"])' "$manifest")"
done
for manifest in bindings/*/pyproject.toml; do
  [ -f "$manifest" ] || continue
  # The version a wheel would carry, from the build backend itself (a dynamic version may be
  # computed from the header), run on a copy of the tree so that nothing is written here.
  mkdir -p "$tmp/src"
  tar -C "$root" --exclude=./build --exclude=./.git -cf - . | tar -C "$tmp/src" -xf -
  version=$("$py" - "$tmp/src/$(dirname "$manifest")" <<'PY'
import sys, tomllib
path = sys.argv[1]
project = tomllib.load(open(path + "/pyproject.toml", "rb")).get("project", {})
if "version" in project:
    print(project["version"])
else:
    from build.util import project_wheel_metadata
    print(project_wheel_metadata(path, isolated=False)["Version"])
PY
  ) || { problem "$manifest: its version could not be read"; continue; }
  agree "$manifest" "$version"
done

[ "$fail" -eq 0 ] && echo "05-versions: every version is $want"
exit "$fail"
