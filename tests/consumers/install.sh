# SPDX-License-Identifier: MIT
# Sourced by scripts/checks/50-consumers.sh and 55-python.sh: build libsgdr (release, the
# library only) from a source tree and `cmake --install` it into a prefix, as a user would.
# Sets SGDR_LIBDIR to the installed library's directory (lib or lib/<multiarch>).
# The prefix is given only to `cmake --install`, as a packager would: sgdr.pc finds its prefix
# from where it lies, and the CMake package from its own location.

# sgdr_install SOURCE_DIR BUILD_DIR PREFIX
sgdr_install() {
  local src=$1 build=$2 prefix=$3 lib
  cmake -S "$src" -B "$build" -DCMAKE_BUILD_TYPE=Release \
    -DBUILD_TESTING=OFF -DSGDR_BUILD_EXAMPLES=OFF -DSGDR_BUILD_TOOLS=OFF \
    -DSGDR_BUILD_BENCH=OFF >/dev/null
  cmake --build "$build" -j2 >/dev/null
  cmake --install "$build" --prefix "$prefix" >/dev/null
  lib=$(find "$prefix" -name libsgdr.so.1 | head -n 1)
  if [ -z "$lib" ]; then
    echo "install: no libsgdr.so.1 under $prefix" >&2
    return 1
  fi
  SGDR_LIBDIR=$(dirname "$lib")
}
