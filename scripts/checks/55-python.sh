#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Python package (bindings/python) as users get it: README.md's `pip install` of the source
# directory builds a wheel that bundles libsgdr (setup.py builds it with CMake); the wheel
# goes into a scratch venv (--system-site-packages, for Debian's python3-torch, -numpy and
# -pytest) and the whole pytest suite runs against the INSTALLED package, from a directory
# where the source package is not importable, with no SGDR_LIBRARY and no LD_LIBRARY_PATH.
# Then the sdist -> wheel route (python3 -m build), installed and tested the same way.
# The suite also runs the resume recipe of docs/guides/pytorch.md in two processes
# (tests/test_torch_checkpoint.py). A missing module, a failed or a skipped test is a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
py=/usr/bin/python3
[ -x "$py" ] || { echo "python: $py is missing (Debian package python3)" >&2; exit 1; }
for mod in torch numpy pytest setuptools wheel build venv; do
  "$py" -c "import $mod" 2>/dev/null ||
    { echo "python: $py cannot import $mod (Debian package python3-$mod)" >&2; exit 1; }
done
work=$(mktemp -d "${TMPDIR:-/tmp}/sgdr-python.XXXXXX")
trap 'rm -rf "$work"' EXIT
unset SGDR_LIBRARY LD_LIBRARY_PATH
export PYTHONDONTWRITEBYTECODE=1

# install_and_test NAME COMMAND...: a fresh venv, COMMAND run from the top of the tree with
# the venv's bin first on PATH (so `python3` is the venv's), then the suite from $work (not
# the source tree) against what was installed.
install_and_test() {
  local name=$1 venv="$work/venv-$1"
  shift
  "$py" -m venv --system-site-packages "$venv"
  PATH="$venv/bin:$PATH" "$@" >"$work/$name.log" 2>&1 ||
    { cat "$work/$name.log" >&2; echo "python: $name: installing failed" >&2; return 1; }
  (cd "$work" && "$venv/bin/python" -c '
import os, sys, sgdr
venv = os.path.realpath(sys.argv[1])
assert os.path.realpath(sgdr.__file__).startswith(venv + os.sep), sgdr.__file__
assert os.path.realpath(sgdr.library_path) == os.path.join(
    os.path.realpath(os.path.dirname(sgdr.__file__)), "libsgdr.so.1"), sgdr.library_path
print("python: %s: sgdr %s from %s" % (sys.argv[2], sgdr.__version__,
                                       os.path.relpath(sgdr.__file__, venv)))
' "$venv" "$name")
  # -p no:cacheprovider: nothing written into the source tree. -rs names any skip (the
  # suite's conftest.py turns a skip into a failure).
  (cd "$work" && SGDR_TEST_INSTALLED="$venv" "$venv/bin/python" -m pytest -q -rs \
     -p no:cacheprovider -c "$root/bindings/python/pytest.ini" \
     --rootdir "$root/bindings/python" "$root/bindings/python/tests")
}

echo "python: $("$py" --version), torch $("$py" -c 'import torch; print(torch.__version__)')"
# README.md's install command, as the README shows it: pip builds the wheel (bundling
# libsgdr) and installs it. The block is found by its content, whatever its number.
for n in $(seq 0 50); do
  block=$("$py" scripts/checks/md_block.py README.md sh "$n") ||
    { echo "python: README.md has no sh block with 'pip install'" >&2; exit 1; }
  case "$block" in *"pip install"*) break ;; esac
done
echo "python: README.md: $block"
install_and_test pip-install bash -euo pipefail -c "$block"

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
install_and_test sdist-wheel python3 -m pip install --no-index --no-build-isolation "$wheel"
