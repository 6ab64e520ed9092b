#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Which files are the project's own sources and how each says its licence: the one list of
# rules that scripts/add-spdx.sh (adds the line) and scripts/checks/02-license.sh (checks it)
# share. Sourced, not run.
#
# spdx_style PATH prints how PATH carries the line:
#   c      /* SPDX-License-Identifier: MIT */   C, C++ and linker version scripts
#   slash  // SPDX-License-Identifier: MIT      JavaScript and TypeScript
#   hash   # SPDX-License-Identifier: MIT       shell, Python, CMake, make, ini/toml/cfg
#   roff   .\" SPDX-License-Identifier: MIT     man pages
#   none   no line: data, golden vectors, figures, baselines, Markdown, JSON, the licence
# and nothing for a file no rule covers; the check fails on those, so that a new kind of file
# gets a rule here instead of going unnoticed. The line is the first one, or the second
# after a `#!` line.

SPDX_ID='SPDX-License-Identifier: MIT'

spdx_style() {
  case "$1" in
    tests/golden/* | tests/state/* | tests/abi/* | data/* | fuzz/corpus/*) echo none ;;
    cmake/deb/copyright | cmake/deb/MIT.txt | cmake/deb/triggers) echo none ;; # package data, copied as is
    LICENSE | */LICENSE | *.md | *.json | *.csv | *.svg | *.png | *.gz | *.bin | py.typed | \
      */py.typed | .gitignore | */.gitignore | .gitattributes | .npmignore | */.npmignore) echo none ;;
    *.c | *.h | *.cpp | *.hpp | *.cc | *.map) echo c ;;
    *.js | *.mjs | *.cjs | *.ts) echo slash ;;
    *.sh | *.bash | *.py | .ci/* | CMakeLists.txt | */CMakeLists.txt | *.cmake | *.cmake.in | \
      Makefile | */Makefile | *.pc.in | MANIFEST.in | */MANIFEST.in | *.ini | *.toml | *.cfg) echo hash ;;
    *.[1-8]) echo roff ;;
  esac
}

# spdx_comment STYLE: the line itself.
spdx_comment() {
  case "$1" in
    c) printf '/* %s */\n' "$SPDX_ID" ;;
    slash) printf '// %s\n' "$SPDX_ID" ;;
    hash) printf '# %s\n' "$SPDX_ID" ;;
    roff) printf '.\\" %s\n' "$SPDX_ID" ;;
  esac
}

# spdx_has PATH: the file's top line (after a shebang) carries the identifier, in any of the
# comment forms above.
spdx_has() {
  local first second
  { IFS= read -r first || true; IFS= read -r second || true; } <"$1"
  [[ "$first" == '#!'* ]] && first=$second
  local forms='^(/\* SPDX-License-Identifier: MIT \*/|// SPDX-License-Identifier: MIT|# SPDX-License-Identifier: MIT|\.\\" SPDX-License-Identifier: MIT)$'
  [[ "$first" =~ $forms ]]
}

# spdx_files: the tracked files, one per line, as git lists them (from the top directory).
spdx_files() {
  git -C "$(dirname "${BASH_SOURCE[0]}")/.." ls-files
}
