# SPDX-License-Identifier: MIT
"""Relative links and anchors of Markdown files, for the checks of the documentation.

    md_links.py FILE.md...     (from the top directory)

Every relative link outside code blocks must name an existing path and, into a Markdown
file, a heading of it (GitHub's anchor: lower case, punctuation dropped, spaces as dashes).
Prints each broken link and exits 1 if there is any. spec_check.py imports headings() and
slug() for docs/SPEC.md's anchors.
"""
import os
import re
import sys


def slug(heading):
    heading = re.sub(r"[`*]", "", heading.strip()).lower()
    heading = re.sub(r"[^\w\- ]", "", heading)
    return heading.replace(" ", "-")


def headings(path):
    """The text of each heading of `path` outside code blocks, without its #s."""
    fence = False
    for line in open(path, encoding="utf-8"):
        if line.startswith("```"):
            fence = not fence
        elif not fence and line.startswith("#"):
            yield line.lstrip("#")


def broken(md):
    """The broken links of `md`, one message each."""
    text = re.sub(r"```.*?```", "", open(md, encoding="utf-8").read(), flags=re.S)
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+:", target):
            continue
        path, _, anchor = target.partition("#")
        full = os.path.normpath(os.path.join(os.path.dirname(md), path)) if path else md
        if not os.path.exists(full):
            yield "%s: link to missing %s" % (md, target)
        elif anchor and full.endswith(".md") and anchor not in {slug(h) for h in headings(full)}:
            yield "%s: no heading for #%s in %s" % (md, anchor, full)


if __name__ == "__main__":
    bad = [msg for md in sys.argv[1:] for msg in broken(md)]
    for msg in bad:
        print(msg)
    sys.exit(1 if bad else 0)
