#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks the clinical reference data under resources/data/.

  cvx/cvx.tsv                     CDC CVX vaccine codes
  cvx/immunization-schedule.tsv   simplified routine schedule ("what is due by age")
  loinc/loinc-common.tsv          common LOINC laboratory tests and vital signs

Each file must be UTF-8 without a byte order mark, tab-separated, LF line ends,
with the exact header, the same number of fields on every line, no empty line
and no field with leading or trailing blanks.  On top of that:

  cvx.tsv        codes of 2 or 3 digits as the CDC writes them (01..09 with the
                 leading zero), unique, in numeric order; status active or
                 inactive; vaccine_group one or more keys separated by commas.
  schedule       vaccine groups that cvx.tsv uses; dose a positive integer;
                 ages whole days with min <= recommended <= max; the rows of a
                 group together and in order of recommended age.
  loinc          codes NNNNN-C with a valid LOINC mod-10 check digit; one row
                 per (code, sex), ordered by code number then sex (any, female,
                 male); sex any, female or male; known category; numeric
                 low <= high.

It also spot-checks a few rows that the application relies on.  It prints one
"ok:" line with the counts, or every problem as FILE:LINE: MESSAGE and exits 1.
Standard library only.
"""

import os
import re
import sys

src = os.environ.get("CHARTA_SOURCE_DIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
data = os.path.join(src, "resources", "data")

CVX_PATH = os.path.join("resources", "data", "cvx", "cvx.tsv")
SCHEDULE_PATH = os.path.join("resources", "data", "cvx", "immunization-schedule.tsv")
LOINC_PATH = os.path.join("resources", "data", "loinc", "loinc-common.tsv")
READMES = [os.path.join("resources", "data", "cvx", "README.md"),
           os.path.join("resources", "data", "loinc", "README.md")]

CVX_HEADER = ["cvx", "short_name", "full_name", "status", "vaccine_group"]
SCHEDULE_HEADER = ["vaccine_group", "dose", "min_age_days", "recommended_age_days",
                   "max_age_days", "notes"]
LOINC_HEADER = ["loinc", "short_name", "long_name", "unit", "low", "high", "sex",
                "category"]

STATUSES = {"active", "inactive"}
SEXES = ["any", "female", "male"]
CATEGORIES = {"vital-signs", "chemistry", "hematology", "lipids", "endocrine",
              "urinalysis", "coagulation", "serology", "microbiology", "other"}

VITAL_SIGNS = {
    "8480-6": "systolic blood pressure",
    "8462-4": "diastolic blood pressure",
    "8867-4": "heart rate",
    "8310-5": "body temperature",
    "9279-1": "respiratory rate",
    "59408-5": "oxygen saturation by pulse oximetry",
    "8302-2": "body height",
    "29463-7": "body weight",
    "39156-5": "body mass index",
    "9843-4": "head occipital-frontal circumference",
    "72514-3": "pain severity 0-10",
}

CVX_RE = re.compile(r"^[0-9]{2,3}$")
LOINC_RE = re.compile(r"^([0-9]{1,7})-([0-9])$")
GROUP_RE = re.compile(r"^[a-z0-9_]+$")
INT_RE = re.compile(r"^[0-9]+$")
NUM_RE = re.compile(r"^-?[0-9]+(\.[0-9]+)?$")

failures = []


def fail(path, line, message):
    failures.append(f"{path}:{line}: {message}" if line else f"{path}: {message}")


def loinc_check_digit(number):
    """The LOINC mod-10 check digit of the part before the hyphen.

    As LOINC describes it: number the digits from the right; take the digits in
    odd positions (1st, 3rd, ...) as a number and double it; put the digits in
    even positions in front of the result; add up all the digits of that; the
    check digit is what brings the sum up to the next multiple of ten.
    """
    digits = number[::-1]
    odd = digits[0::2][::-1]
    even = digits[1::2][::-1]
    combined = even + str(int(odd) * 2)
    total = sum(int(c) for c in combined)
    return (10 - total % 10) % 10


# The algorithm against the example in the LOINC manual and known codes.
assert loinc_check_digit("12345") == 5
assert loinc_check_digit("718") == 7
assert loinc_check_digit("2345") == 7
assert loinc_check_digit("98979") == 8


def read_table(rel, header):
    """Returns [(line_number, fields)] for the data lines, or None."""
    path = os.path.join(src, rel)
    try:
        raw = open(path, "rb").read()
    except OSError as e:
        fail(rel, 0, f"cannot read: {e.strerror}")
        return None
    if raw.startswith(b"\xef\xbb\xbf"):
        fail(rel, 1, "starts with a byte order mark")
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        fail(rel, line, "not valid UTF-8")
        return None
    if "\r" in text:
        line = text[:text.index("\r")].count("\n") + 1
        fail(rel, line, "carriage return: lines must end with LF only")
    if not text.endswith("\n"):
        fail(rel, text.count("\n") + 1, "the last line does not end with a newline")
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    if not lines:
        fail(rel, 1, "empty file")
        return None
    got = lines[0].rstrip("\r").split("\t")
    if got != header:
        fail(rel, 1, "header must be exactly: " + "\\t".join(header))
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        line = line.rstrip("\r")
        if line.strip() == "":
            fail(rel, number, "empty line")
            continue
        fields = line.split("\t")
        if len(fields) != len(header):
            fail(rel, number, f"{len(fields)} fields, expected {len(header)}")
            continue
        for name, value in zip(header, fields):
            if value != value.strip():
                fail(rel, number, f"{name} has leading or trailing blanks")
        rows.append((number, fields))
    return rows


def check_cvx():
    rows = read_table(CVX_PATH, CVX_HEADER)
    by_code = {}
    groups = set()
    if rows is None:
        return by_code, groups
    previous = None
    for number, (code, short_name, full_name, status, group_field) in rows:
        if not CVX_RE.match(code):
            fail(CVX_PATH, number, f"CVX code {code!r} is not 2 or 3 digits")
            continue
        value = int(code)
        if code != str(value).zfill(2):
            fail(CVX_PATH, number, f"CVX code {code!r}: only 01-09 take a leading zero")
        if code in by_code:
            fail(CVX_PATH, number, f"duplicate CVX code {code} (first on line {by_code[code][0]})")
            continue
        if previous is not None and value <= previous:
            fail(CVX_PATH, number, f"CVX code {code} out of numeric order")
        previous = value
        if not short_name:
            fail(CVX_PATH, number, "empty short_name")
        if not full_name:
            fail(CVX_PATH, number, "empty full_name")
        if status not in STATUSES:
            fail(CVX_PATH, number, f"unknown status {status!r} (active or inactive)")
        keys = group_field.split(",")
        if not all(GROUP_RE.match(k) for k in keys):
            fail(CVX_PATH, number, f"vaccine_group {group_field!r}: keys are lower-case "
                 "letters, digits and _ separated by commas")
        elif len(set(keys)) != len(keys):
            fail(CVX_PATH, number, f"vaccine_group {group_field!r} repeats a key")
        elif "other" in keys and len(keys) > 1:
            fail(CVX_PATH, number, "vaccine_group other cannot be combined with other keys")
        groups.update(keys)
        by_code[code] = (number, short_name, full_name, status, keys)

    # Spot checks.
    if "08" not in by_code:
        fail(CVX_PATH, 0, "CVX 08 (hepatitis B, pediatric/adolescent) is missing")
    else:
        number, short_name, full_name, _status, keys = by_code["08"]
        if ("hepatitis b" not in full_name.lower() or "pediatric" not in full_name.lower()
                or keys != ["hepb"]):
            fail(CVX_PATH, number, "CVX 08 must be hepatitis B, pediatric/adolescent, group hepb")
    if "141" not in by_code:
        fail(CVX_PATH, 0, "CVX 141 (influenza) is missing")
    else:
        number, short_name, full_name, _status, keys = by_code["141"]
        if "influenza" not in full_name.lower() or keys != ["influenza"]:
            fail(CVX_PATH, number, "CVX 141 must be an influenza vaccine, group influenza")
    return by_code, groups


def check_schedule(cvx_groups):
    rows = read_table(SCHEDULE_PATH, SCHEDULE_HEADER)
    if rows is None:
        return 0
    seen_keys = {}
    finished_groups = set()
    current = None
    last_age = None
    last_dose = None
    for number, (group, dose, min_age, rec_age, max_age, notes) in rows:
        if not GROUP_RE.match(group):
            fail(SCHEDULE_PATH, number, f"vaccine_group {group!r} is not a single key")
        elif cvx_groups and group not in cvx_groups:
            fail(SCHEDULE_PATH, number, f"vaccine_group {group!r} is not used by any row of cvx.tsv")
        if not INT_RE.match(dose) or int(dose) < 1:
            fail(SCHEDULE_PATH, number, f"dose {dose!r} is not a positive integer")
            dose_value = None
        else:
            dose_value = int(dose)
        ages = {}
        for name, value, required in (("min_age_days", min_age, True),
                                       ("recommended_age_days", rec_age, True),
                                       ("max_age_days", max_age, False)):
            if value == "":
                if required:
                    fail(SCHEDULE_PATH, number, f"{name} is empty")
                continue
            if not INT_RE.match(value):
                fail(SCHEDULE_PATH, number, f"{name} {value!r} is not a whole number of days")
                continue
            ages[name] = int(value)
        lo = ages.get("min_age_days")
        rec = ages.get("recommended_age_days")
        hi = ages.get("max_age_days")
        if lo is not None and rec is not None and lo > rec:
            fail(SCHEDULE_PATH, number, f"min_age_days {lo} > recommended_age_days {rec}")
        if rec is not None and hi is not None and rec > hi:
            fail(SCHEDULE_PATH, number, f"recommended_age_days {rec} > max_age_days {hi}")
        if lo is not None and hi is not None and lo > hi:
            fail(SCHEDULE_PATH, number, f"min_age_days {lo} > max_age_days {hi}")
        key = (group, dose, min_age)
        if key in seen_keys:
            fail(SCHEDULE_PATH, number, f"duplicate row {group} dose {dose} from {min_age} days "
                 f"(first on line {seen_keys[key]})")
        seen_keys[key] = number
        # Order: a group's rows together, by recommended age then dose.
        if group != current:
            if group in finished_groups:
                fail(SCHEDULE_PATH, number, f"rows of {group} are not together")
            if current is not None:
                finished_groups.add(current)
            current = group
            last_age = rec
            last_dose = dose_value
        else:
            if rec is not None and last_age is not None:
                if rec < last_age or (rec == last_age and dose_value is not None
                                      and last_dose is not None and dose_value <= last_dose):
                    fail(SCHEDULE_PATH, number, f"{group} dose {dose} out of order "
                         "(by recommended age, then dose)")
            last_age = rec
            last_dose = dose_value
    return len(rows)


def check_loinc():
    rows = read_table(LOINC_PATH, LOINC_HEADER)
    if rows is None:
        return 0, 0
    by_code = {}
    previous = None
    for number, fields in rows:
        code, short_name, long_name, unit, low, high, sex, category = fields
        m = LOINC_RE.match(code)
        if not m:
            fail(LOINC_PATH, number, f"LOINC code {code!r} is not NNNNN-C")
            continue
        if m.group(1) != str(int(m.group(1))):
            fail(LOINC_PATH, number, f"LOINC code {code!r} has a leading zero")
        expected = loinc_check_digit(m.group(1))
        if int(m.group(2)) != expected:
            fail(LOINC_PATH, number, f"LOINC code {code}: check digit should be {expected}")
        if sex not in SEXES:
            fail(LOINC_PATH, number, f"unknown sex {sex!r} (any, female or male)")
            continue
        if category not in CATEGORIES:
            fail(LOINC_PATH, number, f"unknown category {category!r}")
        if not short_name:
            fail(LOINC_PATH, number, "empty short_name")
        if not long_name:
            fail(LOINC_PATH, number, "empty long_name")
        if " " in unit:
            fail(LOINC_PATH, number, f"unit {unit!r} contains a space (UCUM has none)")
        values = {}
        for name, value in (("low", low), ("high", high)):
            if value == "":
                continue
            if not NUM_RE.match(value):
                fail(LOINC_PATH, number, f"{name} {value!r} is not a number")
                continue
            values[name] = float(value)
        if "low" in values and "high" in values and values["low"] > values["high"]:
            fail(LOINC_PATH, number, f"low {low} > high {high}")
        if values and not unit:
            fail(LOINC_PATH, number, "a reference range needs a unit")
        order = (int(m.group(1)), SEXES.index(sex))
        if previous is not None and order <= previous:
            fail(LOINC_PATH, number, f"{code} ({sex}) out of order or duplicate "
                 "(by code number, then any, female, male)")
        previous = order
        entries = by_code.setdefault(code, [])
        for other_number, other in entries:
            if other[6] == sex:
                fail(LOINC_PATH, number, f"duplicate {code} for sex {sex} (line {other_number})")
            elif "any" in (sex, other[6]):
                fail(LOINC_PATH, number, f"{code} has a row for any and a row for one sex "
                     f"(line {other_number})")
            for i, name in ((2, "long_name"), (3, "unit"), (7, "category")):
                if other[i] != fields[i]:
                    fail(LOINC_PATH, number, f"{code}: {name} differs from line {other_number}")
        entries.append((number, fields))

    # Spot checks.
    for code, what in VITAL_SIGNS.items():
        if code not in by_code:
            fail(LOINC_PATH, 0, f"vital sign {code} ({what}) is missing")
            continue
        for number, fields in by_code[code]:
            if fields[7] != "vital-signs":
                fail(LOINC_PATH, number, f"{code} ({what}) must be in category vital-signs")
    if "4548-4" not in by_code:
        fail(LOINC_PATH, 0, "4548-4 (hemoglobin A1c) is missing")
    else:
        for number, fields in by_code["4548-4"]:
            if "a1c" not in fields[2].lower() or fields[3] != "%":
                fail(LOINC_PATH, number, "4548-4 must be hemoglobin A1c in %")
    return len(rows), len(by_code)


for readme in READMES:
    if not os.path.isfile(os.path.join(src, readme)):
        fail(readme, 0, "missing")

cvx_codes, cvx_groups = check_cvx()
schedule_rows = check_schedule(cvx_groups)
loinc_rows, loinc_codes = check_loinc()

if failures:
    for f in failures:
        print(f, file=sys.stderr)
    print(f"FAIL: {len(failures)} problem(s) in the clinical reference data", file=sys.stderr)
    sys.exit(1)

active = sum(1 for v in cvx_codes.values() if v[3] == "active")
print(f"ok: {len(cvx_codes)} CVX codes ({active} active, {len(cvx_groups)} vaccine groups), "
      f"{schedule_rows} schedule rows, {loinc_rows} LOINC rows ({loinc_codes} codes)")
