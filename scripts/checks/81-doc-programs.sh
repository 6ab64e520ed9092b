#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The documentation's complete programs and commands, run as a reader would run them, and
# what they print compared with what the documentation shows (80-docs and 62-state-format
# run the others). Every block marked <!-- doc-test: 81-doc-programs --> is run here:
# - README.md: the quick start's demo prints the lines shown (and the network and image
#   counts its prose gives); the C program and the C++
#   program, built by the README's commands against a scratch install (pkg-config only),
#   print what the README shows, and also compile with -Wall -Wextra -Werror.
# - docs/guides/c-training-loop.md: its build-and-run command, against the scratch install.
# - docs/guides/choosing-parameters.md: its sgdr-schedule command (installed copy).
# - docs/guides/pytorch.md: the error example prints what the guide shows, and
#   bindings/python/README.md quotes the same message.
set -euo pipefail
cd "$(dirname "$0")/../.."
source scripts/checks/doc_lib.sh
py=/usr/bin/python3
top=$PWD
build=build/doc-programs
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
problem() { echo "FAIL: $*"; fail=1; }
# block_saying FILE LANG REGEX: N of the block that says REGEX; if none, says so on stderr and
# prints "none", which fails whatever uses it
block_saying() { doc_find "$@" || { echo "FAIL: $1: no $2 block says $3" >&2; echo none; }; }
# run_block DIR FILE LANG N >OUT: run a shell block in DIR, as bash -e with pipefail
run_block() {
  doc_block "$2" "$3" "$4" >"$tmp/block.sh"
  (cd "$1" && bash -eo pipefail "$tmp/block.sh")
}
# same FILE WHAT SHOWN PRINTED: what a program printed is what FILE shows
same() {
  cmp -s "$3" "$4" && return 0
  problem "$1: $2 prints something else than shown (- shown, + printed):"
  diff -u "$3" "$4" | tail -n +3 || true
}
# shows DIR FILE N SHOWN WHAT: the FILE's sh block N, run in DIR, prints SHOWN
shows() {
  if run_block "$1" "$2" sh "$3" >"$tmp/got.txt" 2>"$tmp/got.err"; then
    same "$2" "$5" "$4" "$tmp/got.txt"
  else
    problem "$2: $5 failed: $(tail -5 "$tmp/got.err")"
  fi
}

# A scratch install of the library and the tool, found the way the README says: pkg-config
# (PKG_CONFIG_PATH for a non-default prefix) and PATH.
prefix=$tmp/prefix
cmake -DSGDR_WERROR=ON -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSGDR_BUILD_TESTS=OFF -DBUILD_TESTING=OFF \
  -DSGDR_BUILD_EXAMPLES=OFF -DSGDR_BUILD_BENCH=OFF >"$tmp/cmake.log" 2>&1 ||
  { cat "$tmp/cmake.log"; exit 1; }
cmake --build "$build" -j2 >"$tmp/cmake.log" 2>&1 || { cat "$tmp/cmake.log"; exit 1; }
cmake --install "$build" --prefix "$prefix" >/dev/null
libdir=$(dirname "$(find "$prefix" -name libsgdr.so.1 | head -n 1)")
export PKG_CONFIG_PATH=$libdir/pkgconfig LD_LIBRARY_PATH=$libdir PATH=$prefix/bin:$PATH
pkg-config --exists sgdr || { echo "FAIL: no sgdr.pc under $prefix"; exit 1; }

# 1. README: the C and C++ programs, built and run by the README's commands, then built with
#    warnings as errors. (The install and pkg-config commands of "Building and linking" are
#    52-install's.)
work=$tmp/readme
mkdir -p "$work"
doc_block README.md c "$(block_saying README.md c '^/\* trainer\.c')" >"$work/trainer.c"
n=$(block_saying README.md sh '^cc -std=c99 trainer\.c')
doc_block README.md sh "$n" --next >"$tmp/expected.txt"
shows "$work" README.md "$n" "$tmp/expected.txt" "the C program's build-and-run command"
doc_block README.md cpp "$(block_saying README.md cpp '^// trainer\.cpp')" >"$work/trainer.cpp"
n=$(block_saying README.md sh '^c\+\+ -std=c\+\+17 trainer\.cpp')
doc_block README.md sh "$n" --next >"$tmp/expected.txt"
shows "$work" README.md "$n" "$tmp/expected.txt" "the C++ program's build-and-run command"
flags=(-Wall -Wextra -Werror -Wshadow $(pkg-config --cflags --libs sgdr))
cc -std=c99 "$work/trainer.c" "${flags[@]}" -o "$tmp/strict" || problem "README.md: the C program has warnings (above)"
c++ -std=c++17 "$work/trainer.cpp" "${flags[@]}" -o "$tmp/strict" || problem "README.md: the C++ program has warnings (above)"

# 2. The C guide: its program (80-docs compiles it against the build tree), built and run by
#    the guide's own command against the install.
work=$tmp/c-guide
mkdir -p "$work"
doc_block docs/guides/c-training-loop.md c 0 >"$work/train.c"
doc_block docs/guides/c-training-loop.md text 0 >"$tmp/expected.txt"
shows "$work" docs/guides/c-training-loop.md "$(block_saying docs/guides/c-training-loop.md sh 'train\.c')" \
  "$tmp/expected.txt" "the build-and-run command"

# 3. Choosing parameters: the command that prints a schedule's restarts draws a plot with
#    the restarts the guide's table lists for cycle_length 5, mult_factor 1.5 (epochs 5, 13,
#    25, 43, 70, 111: a ^ under each on the axis, and one at 0 in the legend line).
if run_block "$tmp" docs/guides/choosing-parameters.md sh \
     "$(block_saying docs/guides/choosing-parameters.md sh '^sgdr-schedule')" >"$tmp/plot.txt"; then
  marks=$(grep -c '\^' "$tmp/plot.txt" || true)
  carets=$(grep -v 'restart$' "$tmp/plot.txt" | tr -cd '^' | wc -c)
  [ "$carets" -eq 6 ] || problem "docs/guides/choosing-parameters.md: the plot marks $carets restarts, the table lists 6 ($marks lines with ^)"
else
  problem "docs/guides/choosing-parameters.md: the sgdr-schedule command failed"
fi

# 4. The PyTorch guide's error example prints what the guide shows, and the binding's README
#    quotes the same message. (The install commands of the guide and the READMEs are run by
#    55-python, which installs the package as they say.)
export SGDR_LIBRARY=$libdir/libsgdr.so.1 PYTHONPATH=$top/bindings/python
n=$(block_saying docs/guides/pytorch.md python 'min_lr=0\.1, max_lr=0\.01')
doc_block docs/guides/pytorch.md python "$n" >"$tmp/error.py"
doc_block docs/guides/pytorch.md python "$n" --next >"$tmp/error.expected"
if (cd "$tmp" && "$py" error.py >error.got 2>error.err); then
  same docs/guides/pytorch.md "the error example" "$tmp/error.expected" "$tmp/error.got"
else
  problem "docs/guides/pytorch.md: the error example failed: $(tail -3 "$tmp/error.err")"
fi
message=$(sed 's/^[A-Z_]* //' "$tmp/error.got")
tr -s ' \n' ' ' <bindings/python/README.md | tr -d '`' | grep -qF "$message" ||
  problem "bindings/python/README.md does not quote the message the library prints: $message"

# 5. The quick start's first command: the demo prints the lines the README shows (the
#    README leaves out the middle epochs, as "...").
doc_block README.md sh "$(block_saying README.md sh '^bash scripts/demo\.sh$')" --next >"$tmp/demo.expected"
if bash scripts/demo.sh >"$tmp/demo.got" 2>"$tmp/demo.err"; then
  "$py" - "$tmp/demo.expected" "$tmp/demo.got" <<'PY' || problem "README.md: the demo's output differs from the quick start's (above)"
import sys
shown = [l for l in open(sys.argv[1]).read().splitlines() if l != "..."]
got = open(sys.argv[2]).read().splitlines()
i = 0
for line in shown:
    while i < len(got) and got[i] != line:
        i += 1
    if i == len(got):
        sys.exit("README.md shows %r, which the demo does not print (in that order)" % line)
PY
  # The quick start's prose says what the trainer's first line says: the network and the
  # numbers of training and held-out images.
  read -r ntrain ntest net < <(sed -n 's/^digits: \([0-9]*\) training and \([0-9]*\) test images.*perceptron \([0-9-]*\),.*/\1 \2 \3/p' "$tmp/demo.got")
  tr '\n' ' ' <README.md | grep -qF "perceptron (${net:-?}) learns the UCI handwritten digits (8x8 images, ${ntrain:-?} for training, ${ntest:-?} held out)" ||
    problem "README.md's quick start does not say what the demo prints: perceptron ${net:-?}, ${ntrain:-?} training and ${ntest:-?} test images"
else
  problem "README.md: bash scripts/demo.sh failed: $(tail -3 "$tmp/demo.err")"
fi

doc_all_ran 81-doc-programs README.md docs/*.md docs/guides/*.md bindings/*/README.md || fail=1
[ "$fail" -ne 0 ] || echo "81-doc-programs: ${#doc_taken[@]} blocks taken from the documentation, all as shown"
exit "$fail"
