#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The documentation is complete and true: docs/API.md names every exported function (the
# version script) and every public name of sgdr.h, and shows the header's version; the
# header's, API.md's and the man page's lists of statuses and parameters are the library's
# (scripts/checks/describe_drift.py); every relative link and anchor in the Markdown
# resolves; the figures are what sgdr-schedule draws
# today; the C guide's program compiles warning-free and prints what the guide shows; the
# PyTorch guide's example trains to the accuracy it claims; the comparison guide's PyTorch
# and libsgdr numbers hold; these are all the blocks marked <!-- doc-test: 80-docs -->
# (see 82-doc-blocks); and the repository cites only itself: every section of docs/SPEC.md
# that is cited exists, nothing points outside the repository, and the specification's
# parameter table is the library's (spec_check.py says what exactly).
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${SGDR_TOOLS_BUILD_DIR:-build/docs}  # its own, so that it runs beside the other checks
cmake -DSGDR_WERROR=ON -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF -DSGDR_BUILD_EXAMPLES=ON >/dev/null
cmake --build "$build" -j2 --target sgdr sgdr-schedule >/dev/null
tool=$build/tools/sgdr-schedule
lib=$(cd "$build" && pwd)
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
problem() { echo "FAIL: $*"; fail=1; }

# 1. API.md names every exported function and every public name of the header.
functions=$(sed -n 's/^ *\(sgdr_[a-z0-9_]*\);$/\1/p' src/sgdr.map)
[ "$(echo "$functions" | wc -l)" -ge 29 ] || problem "src/sgdr.map: only $(echo "$functions" | wc -l) functions found"
for f in $functions; do
  grep -q "^### $f\$" docs/API.md || problem "docs/API.md has no section for $f"
done
# whole names only: not the prefixes of wildcards such as SGDR_EHOOK_* in comments
names=$(grep -oP '\b(?:sgdr|SGDR)_\w++(?<!_)' include/sgdr.h | sort -u | grep -v '^SGDR_H$')
for n in $names; do
  grep -q "\b$n\b" docs/API.md || problem "docs/API.md does not mention $n"
done
echo "API.md: $(echo "$functions" | wc -w) functions, $(echo "$names" | wc -w) names"
# The version API.md shows is the header's.
for d in MAJOR MINOR PATCH STRING; do
  shown=$(grep "^#define SGDR_VERSION_$d " docs/API.md || true)
  [ -n "$shown" ] && grep -qxF -- "$shown" include/sgdr.h || problem "docs/API.md shows '$shown', include/sgdr.h differs"
done

# 1b. The statuses and parameters the header's enums and table, API.md's tables, the man
#     page and sgdr-schedule --help list are the library's own (sgdr_status_name,
#     sgdr_param_describe): names, values, defaults, ranges, the release that added each.
"$py" scripts/checks/describe_drift.py "$lib/libsgdr.so.1" "$tool" ||
  problem "a list of statuses or parameters differs from the library (above)"

# 2. Relative links and anchors in README.md and docs/ resolve.
"$py" scripts/checks/md_links.py README.md docs/*.md docs/guides/*.md || problem "broken links (above)"

# 3. The figures are what the tool draws, and each is shown somewhere.
mkdir -p "$tmp/figures"
bash docs/figures/make-figures.sh "$tool" "$tmp/figures"
for f in "$tmp"/figures/*.svg; do
  name=$(basename "$f")
  cmp -s "$f" "docs/figures/$name" || problem "docs/figures/$name is not what sgdr-schedule draws (run docs/figures/make-figures.sh)"
  grep -q "figures/$name" README.md docs/*.md docs/guides/*.md || problem "docs/figures/$name is shown nowhere"
done
[ "$(ls docs/figures/*.svg | wc -l)" -eq "$(ls "$tmp"/figures/*.svg | wc -l)" ] \
  || problem "docs/figures holds SVGs that make-figures.sh does not draw"

# 4. The C guide's program compiles with the project's warnings and prints what it shows.
source scripts/checks/doc_lib.sh
block() { doc_block "$@"; } # FILE LANG N: the N-th fenced block of that language
block docs/guides/c-training-loop.md c 0 >"$tmp/train.c"
block docs/guides/c-training-loop.md text 0 >"$tmp/expected.txt"
if cc -std=c99 -Wall -Wextra -Werror -Wshadow -Iinclude "$tmp/train.c" -L"$lib" -lsgdr \
     -Wl,-rpath,"$lib" -o "$tmp/train"; then
  "$tmp/train" >"$tmp/got.txt" || problem "the C guide's program failed"
  cmp -s "$tmp/got.txt" "$tmp/expected.txt" || problem "the C guide's program prints something else than the guide shows"
else
  problem "the C guide's program does not compile"
fi

# 5. The PyTorch guide's example runs and reaches what a restored snapshot should.
block docs/guides/pytorch.md python 0 >"$tmp/digits_torch.py"
if SGDR_LIBRARY="$lib/libsgdr.so.1" PYTHONPATH=bindings/python "$py" "$tmp/digits_torch.py" \
     >"$tmp/torch.txt" 2>"$tmp/torch.err"; then
  acc=$(sed -n 's/^restored snapshot: test accuracy //p' "$tmp/torch.txt")
  echo "PyTorch guide: restored snapshot $acc, $(tail -1 "$tmp/torch.txt")"
  awk -v a="$acc" 'BEGIN { exit !(a >= 0.95) }' || problem "the PyTorch guide's example reaches only $acc"
  grep -q '^ensemble of 4 snapshots' "$tmp/torch.txt" || problem "the PyTorch guide's example kept no 4 snapshots"
else
  problem "the PyTorch guide's example failed: $(tail -3 "$tmp/torch.err")"
fi

# 6. The comparison guide's restart-point claim: PyTorch trains epoch 121 of T_0=1, T_mult=3
#    at the floor, libsgdr at the peak, as the guide's two snippets show.
block docs/guides/comparison.md python 0 >"$tmp/torch121.py"
got=$("$py" "$tmp/torch121.py" 2>/dev/null || true)
[ "$got" = "0.0001" ] || problem "PyTorch at epoch 121 gives '$got', the comparison guide says 0.0001"
block docs/guides/comparison.md sh 0 >"$tmp/ours.sh"
(PATH=$(dirname "$tool"):$PATH bash -eo pipefail "$tmp/ours.sh") >"$tmp/ours.txt" ||
  problem "the comparison guide's sgdr-schedule command fails"
sed -n 's/^# //p' "$tmp/ours.sh" | cmp -s - "$tmp/ours.txt" \
  || problem "sgdr-schedule's epochs 120-121 differ from the comparison guide's"

# 7. The README's sgdr-schedule example is what the tool prints.
n=0 # the README's text block that shows a sgdr-schedule command
while block README.md text "$n" >"$tmp/readme_tool.txt"; do
  [[ "$(head -1 "$tmp/readme_tool.txt")" != '$ sgdr-schedule'* ]] || break
  n=$((n + 1))
done 2>/dev/null
[[ "$(head -1 "$tmp/readme_tool.txt")" == '$ sgdr-schedule'* ]] || problem "README.md shows no sgdr-schedule command"
args=$(head -2 "$tmp/readme_tool.txt" | tr -d '\\\n' | sed 's/^\$ sgdr-schedule//')
"$tool" $args >"$tmp/tool_ascii.txt" || problem "the README's sgdr-schedule command fails: $args"
tail -n +3 "$tmp/readme_tool.txt" | cmp -s - "$tmp/tool_ascii.txt" \
  || problem "the README's sgdr-schedule output differs from what the tool prints"

# 8. References point into the repository, at sections of docs/SPEC.md that exist, and the
#    specification's parameter table is the library's.
"$py" scripts/checks/spec_check.py "$lib/libsgdr.so.1" || fail=1

# 9. Every block marked for this check is one of the above.
doc_all_ran 80-docs README.md docs/*.md docs/guides/*.md bindings/*/README.md || fail=1

exit "$fail"
