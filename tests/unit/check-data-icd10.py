#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the shipped ICD-10-CM list, resources/data/icd10/icd10cm-common.tsv.

The file must be UTF-8 with LF line ends, start with the header
`code<TAB>description<TAB>chapter`, and then hold one row per code with exactly
three fields: a code in ICD-10-CM shape written with its dot, a non-empty
description, and the chapter number (1-22) that the code's letter range
belongs to. Codes are unique and sorted in plain character order, there are at
least 2,000 of them, and a handful of well-known codes are present with their
exact official descriptions.

Prints "ok: N codes" and exits 0 when all holds; otherwise prints one line per
problem, naming the line of the file, and exits 1.
"""

import os
import re
import sys

src = os.environ.get("CHARTA_SOURCE_DIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
rel = os.path.join("resources", "data", "icd10", "icd10cm-common.tsv")
path = os.path.join(src, rel)

HEADER = "code\tdescription\tchapter"
MIN_ROWS = 2000

# ICD-10-CM code shape: a letter (not U), a digit, a digit or A/B, then
# optionally a dot and 1-4 further characters.
CODE_RE = re.compile(r"^[A-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?$")

# Chapter ranges by three-character category, inclusive at both ends.
CHAPTERS = [
    (1, "A00", "B99"),
    (2, "C00", "D49"),
    (3, "D50", "D89"),
    (4, "E00", "E89"),
    (5, "F01", "F99"),
    (6, "G00", "G99"),
    (7, "H00", "H59"),
    (8, "H60", "H95"),
    (9, "I00", "I99"),
    (10, "J00", "J99"),
    (11, "K00", "K95"),
    (12, "L00", "L99"),
    (13, "M00", "M99"),
    (14, "N00", "N99"),
    (15, "O00", "O9A"),
    (16, "P00", "P96"),
    (17, "Q00", "Q99"),
    (18, "R00", "R99"),
    (19, "S00", "T88"),
    (20, "V00", "Y99"),
    (21, "Z00", "Z99"),
    (22, "U00", "U85"),
]

# Well-known codes that must be present, each with its exact description.
SPOT_CHECKS = {
    "I10": "Essential (primary) hypertension",
    "E11.9": "Type 2 diabetes mellitus without complications",
    "J45.909": "Unspecified asthma, uncomplicated",
    "Z00.00": "Encounter for general adult medical examination without abnormal findings",
    "E78.5": "Hyperlipidemia, unspecified",
    "F41.1": "Generalized anxiety disorder",
    "J06.9": "Acute upper respiratory infection, unspecified",
    "N39.0": "Urinary tract infection, site not specified",
    "M54.50": "Low back pain, unspecified",
    "Z23": "Encounter for immunization",
}


def chapter_of(code):
    """The chapter whose category range holds the code, or None."""
    category = code[:3]
    for number, low, high in CHAPTERS:
        if low <= category <= high:
            return number
    return None


def main():
    failures = []

    def fail(lineno, message):
        failures.append(f"{rel}:{lineno}: {message}")

    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as e:
        print(f"{rel}: cannot read: {e.strerror}", file=sys.stderr)
        return 1

    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        print(f"{rel}:{line}: not valid UTF-8", file=sys.stderr)
        return 1

    if text.startswith("\ufeff"):
        fail(1, "starts with a byte order mark; write plain UTF-8")
        text = text[1:]
    if text and not text.endswith("\n"):
        fail(text.count("\n") + 1, "the last line does not end with a line feed")

    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()

    if not lines:
        print(f"{rel}:1: the file is empty", file=sys.stderr)
        return 1

    for lineno, line in enumerate(lines, 1):
        if "\r" in line:
            fail(lineno, "carriage return found; line ends must be LF only")

    if lines[0].rstrip("\r") != HEADER:
        fail(1, f"header is {lines[0]!r}, expected {HEADER!r}")

    seen = {}
    previous = None
    rows = {}
    for lineno, line in enumerate(lines[1:], 2):
        line = line.rstrip("\r")
        fields = line.split("\t")
        if len(fields) != 3:
            fail(lineno, f"has {len(fields)} field(s), expected 3 (code, description, chapter)")
            continue
        code, description, chapter = fields

        if not CODE_RE.match(code):
            fail(lineno, f"code {code!r} is not in ICD-10-CM shape")
        elif not 3 <= len(code.replace(".", "")) <= 7:
            fail(lineno, f"code {code!r} is not 3 to 7 characters long without its dot")

        if code in seen:
            fail(lineno, f"code {code} is a duplicate of line {seen[code]}")
        else:
            seen[code] = lineno

        if previous is not None and code <= previous:
            fail(lineno, f"code {code} is out of order (after {previous})")
        previous = code

        if not description.strip():
            fail(lineno, f"code {code} has an empty description")
        elif description != description.strip():
            fail(lineno, f"code {code} has a description with leading or trailing spaces")

        expected = chapter_of(code)
        if not re.fullmatch(r"[0-9]{1,2}", chapter) or not 1 <= int(chapter) <= 22:
            fail(lineno, f"code {code} has chapter {chapter!r}, not a number from 1 to 22")
        elif expected is None:
            fail(lineno, f"code {code} falls in no chapter's range")
        elif int(chapter) != expected:
            fail(lineno, f"code {code} has chapter {chapter}, but its range is chapter {expected}")

        rows[code] = (lineno, description)

    count = len(lines) - 1
    if count < MIN_ROWS:
        fail(len(lines), f"only {count} codes; at least {MIN_ROWS} are required")

    for code, want in SPOT_CHECKS.items():
        if code not in rows:
            fail(len(lines), f"well-known code {code} ({want}) is missing")
        elif rows[code][1] != want:
            fail(rows[code][0], f"code {code} reads {rows[code][1]!r}, expected {want!r}")

    if failures:
        for message in failures:
            print(message, file=sys.stderr)
        return 1

    print(f"ok: {count} codes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
