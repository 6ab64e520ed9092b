# SPDX-License-Identifier: MIT
"""Compare a trainer's --lr-csv with sgdr-schedule --format csv for the same schedule.

    /usr/bin/python3 scripts/checks/lr_trace.py EXPECTED ACTUAL float|double

Both files are step,epoch,lr rows. With `double` the rows must be the same text. With
`float` (a framework that keeps its learning rate as a float) each ACTUAL lr must be a float
exactly and equal (float) of EXPECTED's double, rounded to nearest as C's cast does, bit
for bit. Prints the first difference and exits 1."""
import struct
import sys


def rows(path):
    with open(path) as f:
        lines = f.read().splitlines()
    if not lines or lines[0] != "step,epoch,lr":
        sys.exit("%s: no step,epoch,lr header" % path)
    return [line.split(",") for line in lines[1:]]


def to_float(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


expected, actual, kind = rows(sys.argv[1]), rows(sys.argv[2]), sys.argv[3]
if len(expected) != len(actual):
    sys.exit("%d rows expected, %d in %s" % (len(expected), len(actual), sys.argv[2]))
for e, a in zip(expected, actual):
    if e[:2] != a[:2]:
        sys.exit("step,epoch %s expected, %s found" % (",".join(e[:2]), ",".join(a[:2])))
    if kind == "double":
        ok = e[2] == a[2]
    else:
        got = float(a[2])
        ok = to_float(got) == got and struct.pack("<f", float(e[2])) == struct.pack("<f", got)
    if not ok:
        sys.exit("step %s: lr %s, expected %s (%s)" % (e[0], a[2], e[2], kind))
print("%d learning rates equal (%s)" % (len(actual), kind))
