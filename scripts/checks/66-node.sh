#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Node.js binding (bindings/node): installs its npm dependencies from the committed
# package-lock.json (npm ci), runs its tests with node's own test runner against a fresh
# build (golden vectors, lrAt, hooks, bad arguments, close, state blobs, SGDRScheduler in
# TensorFlow.js, the tfjs example against sgdr-schedule), type-checks the declarations, trains the tfjs example with its
# default flags to the accuracy the C trainer reaches, then packs the package with `npm pack`,
# installs the tarball into an empty project and runs there the programs of
# docs/guides/javascript.md (the ES modules as .mjs, the CommonJS one as example.js) and
# README.md, which must print what the guide shows, and the
# binding's and the callback's tests against the installed package.
# node, npm or a package that cannot be installed is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
for t in node npm; do
  command -v "$t" >/dev/null || { echo "node: $t is missing (scripts/deps.sh installs it)" >&2; exit 1; }
done
build=${SGDR_TOOLS_BUILD_DIR:-build/node}  # its own, so that it runs beside the other checks
cmake -DSGDR_WERROR=ON -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DSGDR_BUILD_TESTS=OFF -DSGDR_BUILD_EXAMPLES=ON >/dev/null
cmake --build "$build" -j2 --target sgdr sgdr-schedule >/dev/null
build=$(cd "$build" && pwd)
work=$(mktemp -d "${TMPDIR:-/tmp}/sgdr-node.XXXXXX")
trap 'rm -rf "$work"' EXIT
fail=0
problem() { echo "FAIL: $*"; fail=1; }
elapsed() { awk -v s="$1" -v e="$(date +%s.%N)" 'BEGIN { printf "%.1f s", e - s }'; }
block() { /usr/bin/python3 scripts/checks/md_block.py "$@"; } # FILE LANG N

echo "node $(node --version), npm $(npm --version)"
start=$(date +%s.%N)
(cd bindings/node && npm ci --no-audit --no-fund --loglevel=error) \
  || { echo "FAIL: npm ci in bindings/node (the npm registry or cache must be reachable)"; exit 1; }
echo "npm ci: $(elapsed "$start")"

# 1. The declarations (index.d.ts, tfjs.d.ts) type-check a program that uses every export,
#    then the tests. The spec reporter ends with the runner's summary (tests, pass, fail, ...).
(cd bindings/node && node_modules/.bin/tsc -p test/tsconfig.json) || problem "tsc: the type declarations"
export SGDR_LIBRARY=$build/libsgdr.so.1 SGDR_SCHEDULE=$build/tools/sgdr-schedule
start=$(date +%s.%N)
(cd bindings/node && node --test --test-reporter=spec test/*.test.mjs) || problem "node --test"
echo "node --test: $(elapsed "$start")"

# 2. The tfjs example with its default flags: 30 epochs of the digits, the restored
#    snapshot at 0.95 or better, as sgdr-digits; its --lr-csv is the file sgdr-schedule
#    prints for the same schedule, byte for byte (as docs/guides/javascript.md says).
start=$(date +%s.%N)
if node examples/tfjs/train.mjs --lr-csv "$work/lr.csv" >"$work/train.txt" 2>"$work/train.err"; then
  "$SGDR_SCHEDULE" --min-lr 0.001 --max-lr 0.1 --cycle-length 2 --mult-factor 2 --lr-decay 1 \
    --restart-mode peak --steps-per-epoch 45 --epochs 30 >"$work/lr.want"
  cmp "$work/lr.csv" "$work/lr.want" || problem "tfjs example: its --lr-csv is not sgdr-schedule's CSV"
  acc=$(sed -n 's/^restored snapshot .*test accuracy \([0-9.]*\) .*/\1/p' "$work/train.txt")
  echo "tfjs example: $(grep '^restored snapshot' "$work/train.txt") ($(elapsed "$start"))"
  awk -v a="${acc:-0}" 'BEGIN { exit !(a >= 0.95) }' || problem "tfjs example: restored snapshot accuracy '${acc}' < 0.95"
  [ "$(grep -c '^ *[0-9]\+  ' "$work/train.txt")" -eq 30 ] || problem "tfjs example: not 30 epoch lines"
  [ "$(grep -c 'snapshot [0-9]' "$work/train.txt")" -eq 4 ] || problem "tfjs example: not 4 snapshots"
  # what the guide shows of the run is what it prints
  block docs/guides/javascript.md text 2 | grep -v '^\.\.\.$' >"$work/guide-train.txt"
  while IFS= read -r line; do
    grep -qxF -- "$line" "$work/train.txt" || problem "docs/guides/javascript.md shows a line the tfjs example does not print: $line"
  done <"$work/guide-train.txt"
else
  problem "the tfjs example failed: $(tail -3 "$work/train.err")"
fi

# 3. npm pack (bundling this build's library) into an empty project, without SGDR_LIBRARY:
#    the bundled copy is found, the documentation's programs run there, and so do the
#    binding's and the callback's tests.
start=$(date +%s.%N)
(cd bindings/node && SGDR_BUILD_DIR=$build npm pack --pack-destination "$work" --loglevel=error >/dev/null) \
  || problem "npm pack"
tgz=$(ls "$work"/sgdr-*.tgz 2>/dev/null | head -n 1)
if [ -n "$tgz" ]; then
  tar -tzf "$tgz" >"$work/contents.txt"
  grep -qx 'package/native/libsgdr.so.1' "$work/contents.txt" || problem "$tgz does not bundle native/libsgdr.so.1"
  grep -qx 'package/LICENSE' "$work/contents.txt" || problem "$tgz carries no LICENSE"
  tfjs=$(node -p "require('./bindings/node/package-lock.json').packages['node_modules/@tensorflow/tfjs'].version")
  mkdir "$work/project"
  (cd "$work/project" && npm init -y >/dev/null &&
     npm install "$tgz" "@tensorflow/tfjs@$tfjs" --prefer-offline --no-audit --no-fund --loglevel=error) \
    || problem "npm install $(basename "$tgz") into an empty project"
  echo "npm pack and install into an empty project: $(elapsed "$start")"
  cd "$work/project"
  unset SGDR_LIBRARY
  got=$(node --input-type=module -e "import { libraryPath } from 'sgdr'; console.log(libraryPath)" 2>&1) \
    || problem "import 'sgdr' in the scratch project: $got"
  [ "$got" = "$work/project/node_modules/sgdr/native/libsgdr.so.1" ] || problem "the installed package loaded '$got', not its bundled copy"
  for n in 0 1; do
    (cd "$root" && block docs/guides/javascript.md js "$n") >"guide$n.mjs"
    (cd "$root" && block docs/guides/javascript.md text "$n") >"want$n.txt"
    if node "guide$n.mjs" >"got$n.txt" 2>"err$n.txt"; then
      cmp -s "got$n.txt" "want$n.txt" || problem "docs/guides/javascript.md program $n prints: $(cat "got$n.txt")"
    else
      problem "docs/guides/javascript.md program $n failed: $(tail -3 "err$n.txt")"
    fi
  done
  # The guide's CommonJS program, as example.js in this project that `npm init -y` made
  # (CommonJS: no "type": "module").
  if grep -q '"type": *"module"' package.json; then
    problem "npm init -y made an ES module project; the CommonJS program proves nothing here"
  fi
  (cd "$root" && block docs/guides/javascript.md js 3) >example.js
  (cd "$root" && block docs/guides/javascript.md text 4) >want-cjs.txt
  if node example.js >got-cjs.txt 2>err-cjs.txt; then
    cmp -s got-cjs.txt want-cjs.txt || problem "docs/guides/javascript.md's CommonJS program prints: $(cat got-cjs.txt)"
  else
    problem "docs/guides/javascript.md's CommonJS program failed: $(tail -3 err-cjs.txt)"
  fi
  # The guide's resume recipe in two processes: the run that saves after epoch 3, then one
  # that continues from that file, ending with the same restored snapshot weights.
  (cd "$root" && block docs/guides/javascript.md js 2) >resume.mjs
  (cd "$root" && block docs/guides/javascript.md text 3) >want-resume.txt
  if node resume.mjs >whole.txt 2>resume.err && node resume.mjs run.ckpt >resumed.txt 2>>resume.err; then
    cmp -s whole.txt want-resume.txt || problem "docs/guides/javascript.md resume program prints: $(cat whole.txt)"
    [ "$(head -1 resumed.txt)" = "trained epochs 4 to 6" ] || problem "the resumed run did not start at epoch 4: $(cat resumed.txt)"
    [ "$(tail -1 resumed.txt)" = "$(tail -1 whole.txt)" ] \
      || problem "the resumed run ends with other weights: $(tail -1 resumed.txt)"
  else
    problem "docs/guides/javascript.md resume program failed: $(tail -3 resume.err)"
  fi
  (cd "$root" && block README.md js 0) >readme.mjs
  node readme.mjs >readme.txt 2>&1 || problem "README.md's JavaScript program failed: $(tail -3 readme.txt)"
  # The binding's and the callback's tests again, against the installed package (its bundled
  # library named by SGDR_LIBRARY, which their first test requires).
  mkdir test
  cp "$root"/bindings/node/test/{support.mjs,binding.test.mjs,tfjs.test.mjs,refusals.test.mjs,tfjs-checkpoint.test.mjs} test/
  SGDR_TEST_INSTALLED=1 SGDR_TEST_TOP=$root \
    SGDR_LIBRARY=$work/project/node_modules/sgdr/native/libsgdr.so.1 \
    node --test --test-reporter=spec test/*.test.mjs || problem "node --test against the installed package"
  cd "$root"
fi

exit "$fail"
