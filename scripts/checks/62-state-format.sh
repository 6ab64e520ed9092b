#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# docs/STATE_FORMAT.md is true: its Python reader, taken from the document as it stands,
# reads every golden blob of tests/state/ and finds the configuration, counters and
# learning rate that the library reported for it (tests/state/<name>.expect); it refuses a
# blob with a flipped bit or a newer major version; the CRC-32C check value holds.
set -euo pipefail
cd "$(dirname "$0")/../.."
py=/usr/bin/python3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$py" scripts/checks/md_block.py docs/STATE_FORMAT.md python 0 > "$tmp/reader.py"
"$py" - "$tmp/reader.py" tests/state/*.bin <<'PY'
import math, struct, sys
ns = {}
exec(open(sys.argv[1]).read(), ns)
read_state, crc32c = ns["read_state"], ns["crc32c"]
assert crc32c(b"123456789") == 0xE3069283, "CRC-32C check value"
progress = {1: "step", 2: "epoch", 3: "batch_in_epoch", 4: "cycle", 5: "pos",
            6: "cycle_epochs", 7: "phase", 8: "snapshots", 9: "last_snapshot", 10: "running"}
unset = {"min_lr": 1, "max_lr": 2, "steps_per_epoch": 4}
bad = 0
def same(a, b):
    return a == b or (isinstance(a, float) and math.isnan(a) and math.isnan(b))
for path in sys.argv[2:]:
    blob = open(path, "rb").read()
    fields = read_state(blob)
    for line in open(path[:-4] + ".expect"):
        word = line.split()
        if not word or word[0] in ("#", "run"):
            if word and word[0] == "run": break
            continue
        if word[0] == "param":
            name, want = word[1], float(word[2])
            got = fields[name]
            if name in unset and not fields["set"] & unset[name]:
                got = math.nan   # an unset required parameter reads as NaN
        elif word[0] == "progress":
            name, want = progress[int(word[1])], float(word[2])
            got = fields[name]
        else:
            name, want, got = "lr", float(word[1]), fields["lr"]
        if not same(float(got), want):
            print("%s: %s is %r in the blob, the library says %r" % (path, name, got, want))
            bad += 1
    for at in (0, 9, 20, 100, len(blob) - 1):
        broken = bytearray(blob); broken[at] ^= 0x10
        try:
            read_state(bytes(broken))
            print("%s: a flipped bit at %d is not refused" % (path, at)); bad += 1
        except ValueError:
            pass
print("STATE_FORMAT.md reader: %d blobs checked" % (len(sys.argv) - 2))
sys.exit(1 if bad else 0)
PY
