# SPDX-License-Identifier: MIT
"""docs/SPEC.md is the project's specification, and the repository cites nothing else.

    spec_check.py LIBRARY     (from the top directory; run by scripts/checks/80-docs.sh)

1. References. In every file of the repository (tracked, or new and not ignored):
   - "SPEC" means docs/SPEC.md: a bare "SPEC" (as in "SPEC §1") or a SPEC.md outside docs/
     fails; so does any "§" citation not attached to docs/SPEC.md (or, in docs/SPEC.md
     itself, an internal "§3.5");
   - every cited section number (docs/SPEC.md §3.2) and anchor (docs/SPEC.md#32-cycle-lengths)
     exists in docs/SPEC.md;
   - nothing points outside the repository: no path into a "shared" directory beside it,
     and the Keras callback is called that, not "the seed" (the restart mode keeps its name,
     keras-seed), and no tracker number ("issue 7").
2. The parameter table of docs/SPEC.md §2.1 is the library's (LIBRARY, through ctypes): the
   names in id order and no other parameter, each default as a new scheduler reports it, each
   kind (an integer parameter refuses 2.5), and each bound: the value at the bound is
   accepted, the nearest one past it refused with SGDR_EVALUE, as are NaN and infinity.
Prints each problem and exits 1 if there is any.
"""
import ctypes
import math
import os
import re
import subprocess
import sys

from md_links import headings, slug

SPEC = "docs/SPEC.md"
SELF = "scripts/checks/spec_check.py"
problems = []


def problem(msg):
    problems.append(msg)
    print("FAIL: " + msg)


def spec_sections():
    numbers, anchors = set(), set()
    for title in headings(SPEC):
        anchors.add(slug(title))
        m = re.match(r"\s*(\d+(?:\.\d+)*)\.?\s", title)
        if m:
            numbers.add(m.group(1))
    return numbers, anchors


def repository_files():
    out = subprocess.run(["git", "ls-files", "--cached", "--others", "--exclude-standard"],
                         capture_output=True, text=True, check=True).stdout.split("\n")
    for path in out:
        if path and path != SELF and os.path.isfile(path):
            try:
                yield path, open(path, encoding="utf-8").read()
            except UnicodeDecodeError:
                pass  # data: blobs, compressed files


# Spellings that point outside the repository.
OUTSIDE = [
    (re.compile(r"(?:\.\./|/work/|\b)shared/(?:SPEC|golden|seed|hooks|data)"), "a path outside the repository"),
    (re.compile(r"\bseed/0"), "a path outside the repository"),
    (re.compile(r"(?i)\bthe\s+seed\b(?![-_])"), 'say "the Keras callback", not "the seed"'),
    (re.compile(r"(?i)(?<![-_\w])seed's"), 'say "the Keras callback\'s", not "the seed\'s"'),
    (re.compile(r"(?i)\bissues?\s+#?\d+\b"), "the tracker's numbers belong in commit messages"),
]


def check_references():
    numbers, anchors = spec_sections()
    if len(numbers) < 20:
        problem("%s: only %d numbered sections found" % (SPEC, len(numbers)))
    cited = 0
    for path, text in repository_files():
        for n, line in enumerate(text.split("\n"), 1):
            where = "%s:%d" % (path, n)
            for pattern, why in OUTSIDE:
                if pattern.search(line):
                    problem("%s: %s: %s" % (where, why, line.strip()))
            for m in re.finditer(r"\bSPEC\b(?!\.md)", line):
                problem("%s: a bare SPEC: cite docs/SPEC.md with its section: %s" % (where, line.strip()))
            for m in re.finditer(r"(\S*)SPEC\.md", line):
                before = m.group(1)
                linked = path.endswith(".md") and re.search(r"\]\((?:\.\./)*(?:docs/)?$", before)
                if not before.endswith("docs/") and not linked and path != SPEC:
                    problem("%s: SPEC.md other than docs/SPEC.md: %s" % (where, line.strip()))
            for m in re.finditer(r"SPEC\.md#([\w-]+)", line):
                cited += 1
                if m.group(1) not in anchors:
                    problem("%s: docs/SPEC.md has no heading #%s" % (where, m.group(1)))
            for m in re.finditer(r"§\s*(\d+(?:\.\d+)*)", line):
                attached = re.search(r"SPEC\.md[\s(]*(?:and\s+|,\s*)?(?:§\s*\d+(?:\.\d+)*[\s,;]*(?:and\s+|or\s+)?)*$",
                                     line[:m.start()])
                if not attached and path != SPEC:
                    problem("%s: a § citation that does not name docs/SPEC.md: %s" % (where, line.strip()))
                cited += 1
                if m.group(1).rstrip(".") not in numbers:
                    problem("%s: docs/SPEC.md has no section %s" % (where, m.group(1)))
    return cited


# ---- 2. the parameter table against the library ----

def table_rows():
    text = open(SPEC, encoding="utf-8").read()
    section = text.split("### 2.1 ", 1)[1].split("\n#", 1)[0]
    rows = []
    for line in section.split("\n"):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 6 and cells[0].isdigit():
            rows.append(cells)
    return rows


def number(text):
    text = text.strip().replace("2^32-1", "4294967295")
    return float(text)


def check_table(path):
    lib = ctypes.CDLL(path)
    lib.sgdr_param_name.restype = ctypes.c_char_p
    lib.sgdr_param_name.argtypes = [ctypes.c_int]
    lib.sgdr_create.argtypes = [ctypes.POINTER(ctypes.c_void_p)]
    lib.sgdr_destroy.argtypes = [ctypes.c_void_p]
    lib.sgdr_set_param.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_double]
    lib.sgdr_get_param.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.POINTER(ctypes.c_double)]
    EVALUE = 3

    def fresh():
        s = ctypes.c_void_p()
        assert lib.sgdr_create(ctypes.byref(s)) == 0
        return s

    def status(pid, value):
        s = fresh()
        st = lib.sgdr_set_param(s, pid, value)
        lib.sgdr_destroy(s)
        return st

    def accepts(row, pid, value):
        if status(pid, value) != 0:
            problem("%s §2.1: %s: %r is refused, the table says it is valid" % (SPEC, row, value))

    def refuses(row, pid, value):
        st = status(pid, value)
        if st != EVALUE:
            problem("%s §2.1: %s: %r gives status %d, not SGDR_EVALUE" % (SPEC, row, value, st))

    rows = table_rows()
    known = 0
    while lib.sgdr_param_name(known + 1) is not None:
        known += 1
    if len(rows) != known:
        problem("%s §2.1 has %d parameters, the library %d" % (SPEC, len(rows), known))
    for pid_text, name, _symbol, kind, default, valid in rows:
        pid, name = int(pid_text), name.strip("`")
        got = lib.sgdr_param_name(pid)
        if got is None or got.decode() != name:
            problem("%s §2.1: id %d is %s in the library, %s in the table" % (SPEC, pid, got, name))
            continue
        s, value = fresh(), ctypes.c_double()
        lib.sgdr_get_param(s, pid, ctypes.byref(value))
        lib.sgdr_destroy(s)
        want = math.nan if default == "required" else number(default.split("(")[0])
        if not (value.value == want or (math.isnan(want) and math.isnan(value.value))):
            problem("%s §2.1: %s defaults to %r, the table says %s" % (SPEC, name, value.value, default))
        for bad in (math.nan, math.inf, -math.inf):
            refuses(name, pid, bad)
        m = re.match(r"finite, (>=?) (\S+)", valid)
        if kind == "real" and m:
            lo = number(m.group(2))
            if m.group(1) == ">=":
                accepts(name, pid, lo)
                refuses(name, pid, math.nextafter(lo, -math.inf))
            else:
                refuses(name, pid, lo)
                accepts(name, pid, math.nextafter(lo, math.inf))
            accepts(name, pid, lo + 1.5)
            continue
        m = re.match(r"(\d+) \.\. (2\^32-1)", valid)
        if kind == "integer" and m:
            lo, hi = number(m.group(1)), number(m.group(2))
            for v in (lo, lo + 1, hi):
                accepts(name, pid, v)
            for v in (lo - 1, hi + 1, lo + 2.5):
                refuses(name, pid, v)
            continue
        if kind == "choice" and re.match(r"0( \(`[a-z-]+`\))? or 1( \(`[a-z-]+`\))?$", valid):
            for v in (0, 1):
                accepts(name, pid, v)
            for v in (-1, 0.5, 2):
                refuses(name, pid, v)
            continue
        problem("%s §2.1: %s: kind '%s' with 'valid alone' '%s' is not understood" % (SPEC, name, kind, valid))
    return len(rows)


cited = check_references()
params = check_table(sys.argv[1])
if not problems:
    print("%s: %d citations resolve, nothing cites what lies outside the repository; "
          "its %d parameters are the library's" % (SPEC, cited, params))
sys.exit(1 if problems else 0)
