#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Every restated list of statuses and parameters against the library's own description
(sgdr_status_name, sgdr_strerror, sgdr_param_describe):

  include/sgdr.h   the sgdr_status and sgdr_param enums, and the parameter table
  docs/API.md      the status table and the parameter table (default, range, since)
  docs/sgdr-schedule.1   one flag per schedule parameter, "Required." or its default
  sgdr-schedule --help   the same flags

usage: describe_drift.py LIBSGDR.so TOOL   (run from the top of the tree)
Prints each difference and exits 1 if there is one."""
import ctypes
import math
import re
import subprocess
import sys

REAL, INTEGER, ENUM, BOOLEAN = 1, 2, 3, 4
HOST_ONLY = {"restore_at_end", "history"}  # no tool offers them (tools/common/schedflags.c)


class Desc(ctypes.Structure):
    _fields_ = [("name", ctypes.c_char_p), ("kind", ctypes.c_int), ("required", ctypes.c_int),
                ("default_value", ctypes.c_double), ("lower", ctypes.c_double),
                ("upper", ctypes.c_double), ("lower_inclusive", ctypes.c_int),
                ("upper_inclusive", ctypes.c_int), ("since", ctypes.c_uint)]


def library(path):
    lib = ctypes.CDLL(path)
    lib.sgdr_status_name.restype = lib.sgdr_strerror.restype = ctypes.c_char_p
    lib.sgdr_param_describe.argtypes = [ctypes.c_int, ctypes.POINTER(Desc)]
    statuses = []
    while lib.sgdr_status_name(len(statuses)) != b"unknown status":
        i = len(statuses)
        statuses.append((i, lib.sgdr_status_name(i).decode(), lib.sgdr_strerror(i).decode()))
    params = []
    while True:
        d = Desc()
        if lib.sgdr_param_describe(len(params) + 1, ctypes.byref(d)) != 0:
            break
        params.append(d)
    return statuses, params


def num(x):
    return "2^32-1" if x == 2**32 - 1 else "%.17g" % x


def default_text(d):
    return "required" if d.required else num(d.default_value)


def range_text(d):
    """The range as the docs write it: what the library checks for the value alone."""
    if d.kind == REAL:
        assert math.isinf(d.upper) and not d.upper_inclusive
        return "finite, %s %s" % (">=" if d.lower_inclusive else ">", num(d.lower))
    assert d.lower_inclusive and d.upper_inclusive
    if d.kind in (ENUM, BOOLEAN) and (d.lower, d.upper) == (0, 1):
        return "0 or 1"
    return "integer %s .. %s" % (num(d.lower), num(d.upper))


def since_text(d):
    return "%d.%d" % (d.since // 10000, d.since // 100 % 100)


class Report:
    def __init__(self):
        self.bad = 0

    def same(self, where, got, want):
        """got == want; lists are compared row by row, so that a report names the row."""
        if got == want:
            return
        self.bad += 1
        if not isinstance(got, list):
            print("%s: %r, the library says %r" % (where, got, want))
            return
        for i in range(max(len(got), len(want))):
            g = got[i] if i < len(got) else "(missing)"
            w = want[i] if i < len(want) else "(none)"
            if g != w:
                print("%s, row %d: %r, the library says %r" % (where, i + 1, g, w))


def enum_body(header, name):
    return re.search(r"typedef enum %s \{(.*?)\} %s;" % (name, name), header, re.S).group(1)


def check_header(r, statuses, params):
    h = open("include/sgdr.h", encoding="utf-8").read()
    r.same("include/sgdr.h: enum sgdr_status",
           re.findall(r"\b(SGDR_\w+) = (\d+)", enum_body(h, "sgdr_status")),
           [(n, str(i)) for i, n, _ in statuses])
    r.same("include/sgdr.h: enum sgdr_param",
           re.findall(r"\b(SGDR_PARAM_\w+) = (\d+)", enum_body(h, "sgdr_param")),
           [("SGDR_PARAM_" + d.name.decode().upper(), str(i + 1)) for i, d in enumerate(params)])
    rows = re.findall(r"^ \*   (SGDR_PARAM_\w+) +.+?  +(\S+) +(\S.*?)\s*$", h, re.M)
    r.same("include/sgdr.h: parameter table", rows,
           [("SGDR_PARAM_" + d.name.decode().upper(), default_text(d), range_text(d))
            for d in params])


def table(md, header):
    """The rows of the Markdown table whose header line is `header`, as lists of cells."""
    lines = md[md.index(header):].splitlines()[2:]
    rows = []
    for line in lines:
        if not line.startswith("|"):
            break
        rows.append([c.strip() for c in line.strip("|").split(" | ")])
    return rows


def check_api_md(r, statuses, params):
    md = open("docs/API.md", encoding="utf-8").read()
    rows = table(md, "| value | name | `sgdr_strerror` | returned when |")
    r.same("docs/API.md: status table", [(v, n, t) for v, n, t, _ in rows],
           [(str(i), "`%s`" % n, t) for i, n, t in statuses])
    rows = table(md, "| value | enum | name | meaning | default | range | since |")
    got = [(v, e, n, dflt.split(" (")[0], rng.split(";")[0], since)
           for v, e, n, _, dflt, rng, since in rows]
    r.same("docs/API.md: parameter table", got,
           [(str(i + 1), "`SGDR_PARAM_%s`" % d.name.decode().upper(), "`%s`" % d.name.decode(),
             default_text(d), range_text(d), since_text(d)) for i, d in enumerate(params)])


def flag(d):
    return "--" + d.name.decode().replace("_", "-")


def check_man_page(r, params):
    man = open("docs/sgdr-schedule.1", encoding="utf-8").read()
    section = man[man.index(".SH SCHEDULE FLAGS"):man.index(".SH OUTPUT FLAGS")]
    entries = re.split(r"^\.TP\n", section, flags=re.M)[1:]
    got, want = [], []
    modes = ("peak", "keras-seed")
    for e in entries:
        name = re.match(r'\.BI \\-\\-([\w-]+) "', e).group(1)
        text = e.replace("\n", " ")
        if "Required." in text:
            say = "required"
        elif name == "restart-mode":
            say = re.search(r"\.B (\S+) \(the default\)", text).group(1)
        else:
            m = re.search(r"Default (\S+?)\.( |$)", text)
            say = m.group(1) if m else "(no default given)"
        got.append(("--" + name, say))
    for d in params:
        if d.name.decode() in HOST_ONLY:
            continue
        say = default_text(d) if d.name != b"restart_mode" else modes[int(d.default_value)]
        want.append((flag(d), say))
    r.same("docs/sgdr-schedule.1: schedule flags and their defaults", got, want)
    # "--epochs ... (70 epochs with the default cycle length and multiplier)": three cycles
    by = {d.name.decode(): d.default_value for d in params}
    c, total = by["cycle_length"], 0
    for _ in range(3):
        total, c = total + c, math.ceil(c * by["mult_factor"])
    m = re.search(r"\((\d+) epochs with the default cycle length", man.replace("\n", " "))
    r.same("docs/sgdr-schedule.1: epochs of three default cycles",
           m.group(1) if m else None, "%d" % total)


def check_tool(r, tool, params):
    out = subprocess.run([tool, "--help"], capture_output=True, text=True, check=True).stdout
    section = out[out.index("Schedule"):out.index("Output:")]
    r.same("sgdr-schedule --help: schedule flags",
           re.findall(r"^  (--[\w-]+) ", section, re.M),
           [flag(d) for d in params if d.name.decode() not in HOST_ONLY])


def main():
    statuses, params = library(sys.argv[1])
    r = Report()
    check_header(r, statuses, params)
    check_api_md(r, statuses, params)
    check_man_page(r, params)
    check_tool(r, sys.argv[2], params)
    print("describe_drift: %d statuses, %d parameters; %d difference(s) in sgdr.h, API.md, "
          "sgdr-schedule.1, sgdr-schedule --help" % (len(statuses), len(params), r.bad))
    return 1 if r.bad else 0


if __name__ == "__main__":
    sys.exit(main())
