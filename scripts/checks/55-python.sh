#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Python package (bindings/python) as users get it: README.md's commands, run as written
# in a copy of the tree, make a plain venv (no system site packages) and `pip install` the
# source directory into it with no network: the package's own build backend needs only the
# standard library and CMake, builds libsgdr and bundles it in the wheel. From another
# directory the installed package imports and computes a schedule; then the whole pytest
# suite (Debian's interpreter, for its python3-torch, -numpy and -pytest) runs against the
# INSTALLED package, with no SGDR_LIBRARY and no LD_LIBRARY_PATH. Then the sdist -> wheel
# route (python3 -m build), installed into a plain venv and tested the same way.
# The suite also runs the resume recipe of docs/guides/pytorch.md in two processes
# (tests/test_torch_checkpoint.py). A missing module, a failed or a skipped test is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
py=/usr/bin/python3
[ -x "$py" ] || { echo "python: $py is missing (Debian package python3)" >&2; exit 1; }
for mod in torch numpy pytest build venv; do
  "$py" -c "import $mod" 2>/dev/null ||
    { echo "python: $py cannot import $mod (Debian package python3-$mod)" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/sgdr-python.XXXXXX")
trap 'rm -rf "$work"' EXIT
unset SGDR_LIBRARY LD_LIBRARY_PATH
export PYTHONDONTWRITEBYTECODE=1

# install_and_test NAME DIR COMMAND...: COMMAND run in DIR makes the venv DIR/venv and
# installs into it; then, from $work (not the source tree), the installed package runs, and
# the suite runs against it.
install_and_test() {
  local name=$1 dir=$2 venv="$2/venv"
  shift 2
  (cd "$dir" && "$@") >"$work/$name.log" 2>&1 ||
    { cat "$work/$name.log" >&2; echo "python: $name: installing failed" >&2; return 1; }
  grep -q '^include-system-site-packages = false' "$venv/pyvenv.cfg" ||
    { echo "python: $name: $venv is not a plain venv" >&2; return 1; }
  (cd "$work" && "$venv/bin/python" -c '
import os, sys, sgdr
venv = os.path.realpath(sys.argv[1])
assert os.path.realpath(sgdr.__file__).startswith(venv + os.sep), sgdr.__file__
assert os.path.realpath(sgdr.library_path) == os.path.join(
    os.path.realpath(os.path.dirname(sgdr.__file__)), "libsgdr.so.1"), sgdr.library_path
s = sgdr.Scheduler(min_lr=0.001, max_lr=0.1, steps_per_epoch=10, cycle_length=2)
assert s.lr_at(0) == 0.1 and s.lr_at(20) == 0.1 and 0.001 < s.lr_at(10) < 0.1, s
print("python: %s: sgdr %s from %s" % (sys.argv[2], sgdr.__version__,
                                       os.path.relpath(sgdr.__file__, venv)))
' "$venv" "$name")
  # The suite needs torch, numpy and pytest, which a plain venv lacks: Debian's interpreter
  # runs it with the venv's site-packages first on its path. -p no:cacheprovider: nothing
  # written into the source tree. -rs names any skip (conftest.py makes a skip a failure).
  local site
  site=$(echo "$venv"/lib/python3*/site-packages)
  (cd "$work" && PYTHONPATH=$site SGDR_TEST_INSTALLED="$venv" "$py" -m pytest -q -rs \
     -p no:cacheprovider -c "$root/bindings/python/pytest.ini" \
     --rootdir "$root/bindings/python" "$root/bindings/python/tests")
}

echo "python: $("$py" --version), torch $("$py" -c 'import torch; print(torch.__version__)')"
# README.md's install commands, as the README shows them, in a copy of the tree (the block
# is found by its content, whatever its number).
for n in $(seq 0 50); do
  block=$("$py" scripts/checks/md_block.py README.md sh "$n") ||
    { echo "python: README.md has no sh block with 'pip install'" >&2; exit 1; }
  case "$block" in *"pip install"*) break ;; esac
done
echo "python: README.md: $block"
mkdir "$work/clone"
tar -C "$root" --exclude=./build --exclude=./.git --exclude=./venv -cf - . | tar -C "$work/clone" -xf -
# PIP_NO_INDEX: pip may not download anything (not even a build requirement); Debian's
# python3 first on PATH, as the one with the venv module.
install_and_test pip-install "$work/clone" env -u PYTHONPATH PIP_NO_INDEX=1 PATH="/usr/bin:$PATH" \
  bash -euo pipefail -c "$block"

# python3 -m build: an sdist carrying the C sources, and a wheel built from that sdist alone.
"$py" -m build --no-isolation --sdist --outdir "$work/dist" bindings/python >/dev/null
mkdir "$work/sdist"
tar -xzf "$work"/dist/sgdr-*.tar.gz -C "$work/sdist"
src=$(echo "$work"/sdist/sgdr-*)
[ -f "$src/libsgdr/include/sgdr.h" ] || { echo "python: the sdist has no C sources" >&2; exit 1; }
tar -tzf "$work"/dist/sgdr-*.tar.gz >"$work/sdist.txt"
grep -q '^sgdr-[^/]*/LICENSE$' "$work/sdist.txt" ||
  { echo "python: the sdist carries no LICENSE" >&2; exit 1; }
"$py" -m build --no-isolation --wheel --outdir "$work/dist" "$src" >/dev/null
wheel=$(echo "$work"/dist/sgdr-*.whl)
case "$wheel" in
  *-py3-none-linux_*.whl) ;;
  *) echo "python: $wheel: expected a py3-none-linux_<arch> wheel" >&2; exit 1 ;;
esac
"$py" -m zipfile -l "$wheel" | grep 'sgdr/libsgdr\.so\.1 ' >/dev/null ||
  { echo "python: $wheel does not bundle libsgdr.so.1" >&2; exit 1; }
"$py" -m zipfile -l "$wheel" | grep '^sgdr-[^/]*\.dist-info/LICENSE ' >/dev/null ||
  { echo "python: $wheel carries no LICENSE" >&2; exit 1; }
mkdir "$work/sdist-wheel"
install_and_test sdist-wheel "$work/sdist-wheel" bash -euo pipefail -c \
  "'$py' -m venv venv && PIP_NO_INDEX=1 venv/bin/pip install '$wheel'"
