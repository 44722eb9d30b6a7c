#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Checks Charta's HL7 v2 parser and writer against python-hl7.

python-hl7 (Debian's python3-hl7) is an independent implementation. This
script
(a) builds messages with python-hl7's API, and takes the sample messages in
    tests/data/hl7/; parses both with python-hl7 and with Charta (through
    the hl7-dump helper) and compares every element, escapes decoded;
(b) has python-hl7 parse what Charta's writer produced (ACKs and a built
    message) and checks the fields.

Usage: check-hl7-python.py PATH/TO/hl7-dump
"""

import json
import os
import subprocess
import sys
import tempfile

try:
    import hl7
except ImportError:
    print("python3-hl7 is not installed (apt-get install python3-hl7)", file=sys.stderr)
    sys.exit(1)

dump = sys.argv[1]
src = os.environ.get("CHARTA_SOURCE_DIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
data_dir = os.path.join(src, "tests", "data", "hl7")
failures = []
checked = 0


def fail(what):
    failures.append(what)


def run_dump(*args, stdin=None):
    r = subprocess.run([dump, *args], input=stdin, capture_output=True)
    if r.returncode != 0:
        raise RuntimeError(f"hl7-dump {' '.join(args)} failed: {r.stderr.decode(errors='replace')}")
    return r.stdout


def normalize_message_text(raw, encoding):
    """What python-hl7 needs: text, CR between segments, no MLLP frame."""
    text = raw.decode(encoding)
    text = text.strip("\x0b\x1c\r\n ")
    lines = [line for line in text.replace("\r\n", "\r").replace("\n", "\r").split("\r")
             if line.strip()]
    return "\r".join(lines)


def py_unescape(msg, value):
    # python-hl7 writes a line break as CR; Charta as LF. (extract_field()
    # unescapes by itself: its results are not passed through here.)
    return msg.unescape(value).replace("\r", "\n")


def compare(name, raw, encoding="utf-8"):
    """Parses @raw with both and compares every element."""
    global checked
    text = normalize_message_text(raw, encoding)
    pm = hl7.parse(text)
    with tempfile.NamedTemporaryFile(suffix=".hl7") as f:
        f.write(raw)
        f.flush()
        cm = json.loads(run_dump("parse", f.name))

    if len(pm) != len(cm):
        fail(f"{name}: python-hl7 sees {len(pm)} segments, Charta {len(cm)}")
        return
    for si, (pseg, (cname, cfields)) in enumerate(zip(pm, cm)):
        pname = str(pseg[0])
        if pname != cname:
            fail(f"{name}: segment {si}: {pname} vs {cname}")
            continue
        # python-hl7: MSH[1] is the field separator, MSH[2] the encoding
        # characters; other segments' seg[n] is field n.
        pfields = list(pseg)[1:]
        if pname == "MSH":
            if str(pseg[1]) != cfields[0] or str(pseg[2]) != cfields[1]:
                fail(f"{name}: MSH-1/MSH-2 {str(pseg[1])!r} {str(pseg[2])!r} vs {cfields[:2]!r}")
            pfields = list(pseg)[3:]
            cfields = cfields[2:]
            first = 3
        else:
            first = 1
        if len(pfields) != len(cfields):
            fail(f"{name}: {pname} (segment {si}): {len(pfields)} fields vs {len(cfields)}")
            continue
        for fi, (pf, cf) in enumerate(zip(pfields, cfields)):
            where = f"{name}: {pname}-{fi + first} (segment {si})"
            # python-hl7 gives a plain string for a field without any
            # repetition or component separator.
            preps = pf if isinstance(pf, hl7.Field) else [pf]
            if not isinstance(pf, hl7.Field) or len(pf) == 0:
                preps = [pf]
            if len(preps) != len(cf):
                fail(f"{where}: {len(preps)} repetitions vs {len(cf)}")
                continue
            for ri, (pr, cr) in enumerate(zip(preps, cf)):
                pcomps = list(pr) if isinstance(pr, hl7.Repetition) else [pr]
                if len(pcomps) != len(cr):
                    fail(f"{where}.{ri + 1}: {len(pcomps)} components vs {len(cr)}")
                    continue
                for ci, (pc, cc) in enumerate(zip(pcomps, cr)):
                    psubs = list(pc) if isinstance(pc, hl7.Component) else [pc]
                    if len(psubs) != len(cc):
                        fail(f"{where} rep {ri + 1} comp {ci + 1}: {len(psubs)} subcomponents vs {len(cc)}")
                        continue
                    for ui, (ps, cs) in enumerate(zip(psubs, cc)):
                        expected = py_unescape(pm, str(ps))
                        checked += 1
                        if expected != cs:
                            fail(f"{where} rep {ri + 1} comp {ci + 1} sub {ui + 1}: "
                                 f"python-hl7 {expected!r}, Charta {cs!r}")


# (a) Sample files, parsed by both.
for entry in sorted(os.listdir(data_dir)):
    if not entry.endswith(".hl7"):
        continue
    with open(os.path.join(data_dir, entry), "rb") as f:
        raw = f.read()
    encoding = "latin-1" if b"8859/1" in raw.split(b"\r")[0] else "utf-8"
    try:
        compare(entry, raw, encoding)
    except Exception as e:  # noqa: BLE001 - report and go on
        fail(f"{entry}: {e}")


# (a) Messages built with python-hl7's API, escapes made by python-hl7.
def build_with_python(field_sep, enc):
    base = hl7.parse(f"MSH{field_sep}{enc}{field_sep}X")

    def seg(*fields):
        return base.create_segment(
            [base.create_field([f]) if isinstance(f, str) else f for f in fields])

    def field(*reps):
        return base.create_field([base.create_repetition(list(r)) for r in reps])

    e = base.escape
    msh = seg("MSH", field_sep, enc, "PYTHON-HL7", field(["LAB", "1.2.3", "ISO"]), "CHARTA", "OAKWOOD",
              "20240401120000", "", field(["ORU", "R01", "ORU_R01"]), "PY0001", "P", "2.5.1")
    pid = seg("PID", "1", "", field(["MRN1", "", "", "OAKWOOD", "MR"], ["X9", "", "", "LAB", "PI"]), "",
              field([e("O'Brien|Smith & Sons"), e("Ann^Marie~Lou")]), "", "19800101", "F")
    obr = seg("OBR", "1", "P1", "F1", field(["CBC", e("Blood count \\ diff"), "L"]))
    obx = seg("OBX", "1", "TX", field(["11529-5", "Surgical path report", "LN"]), "",
              e("line one\rline two: 5 < 6 & 7 > 3 | ok"), "", "", "", "", "", "F")
    nte = seg("NTE", "1", "L", e("Comment with all: | ^ ~ \\ & done"))
    zzz = seg("ZZZ", field(["a", "b"], ["c"]), "", "trailing")
    msg = base.create_message([msh, pid, obr, obx, nte, zzz])
    return str(msg)


for field_sep, enc in (("|", "^~\\&"), ("!", "@~$%"), ("*", ":#\\@")):
    text = build_with_python(field_sep, enc)
    try:
        compare(f"python-built {field_sep}{enc}", text.encode())
        pm = hl7.parse(text)
        with tempfile.NamedTemporaryFile(suffix=".hl7") as f:
            f.write(text.encode())
            f.flush()
            cm = json.loads(run_dump("parse", f.name))
        # A few values by name, so that a shared mistake cannot hide.
        pid = [s for s in cm if s[0] == "PID"][0][1]
        if pid[4][0][0][0] != "O'Brien|Smith & Sons" or pid[4][0][1][0] != "Ann^Marie~Lou":
            fail(f"python-built {field_sep}{enc}: PID-5 read as {pid[4]!r}")
        obx = [s for s in cm if s[0] == "OBX"][0][1]
        if obx[4][0][0][0] != "line one\nline two: 5 < 6 & 7 > 3 | ok":
            fail(f"python-built {field_sep}{enc}: OBX-5 read as {obx[4]!r}")
    except Exception as e:  # noqa: BLE001
        fail(f"python-built {field_sep}{enc}: {e}")


# (b) What Charta writes, read by python-hl7.
def parse_charta_output(raw):
    text = raw.decode("utf-8")
    if not text.startswith("MSH"):
        raise RuntimeError(f"Charta wrote {text[:40]!r}")
    return hl7.parse(text)


def expect(what, got, want):
    global checked
    checked += 1
    if got != want:
        fail(f"{what}: {got!r}, expected {want!r}")


for sample, control_id, sender, receiver in (
        ("cbc-quest.hl7", "Q7731885510", "LAB", "CHARTA"),
        ("custom-delimiters.hl7", "MM20240327-4", "MEDITECH", "CHARTA")):
    path = os.path.join(data_dir, sample)
    try:
        ack = parse_charta_output(run_dump("ack", "AA", "", "", path))
        expect(f"ACK AA of {sample}: segments", [str(s[0]) for s in ack], ["MSH", "MSA"])
        expect(f"ACK AA of {sample}: MSH-3", str(ack.segment("MSH")[3]), receiver)
        expect(f"ACK AA of {sample}: MSH-5", str(ack.segment("MSH")[5]), sender)
        expect(f"ACK AA of {sample}: MSH-9.1", str(ack.segment("MSH")[9][0][0]), "ACK")
        expect(f"ACK AA of {sample}: MSA-1", str(ack.segment("MSA")[1]), "AA")
        expect(f"ACK AA of {sample}: MSA-2", str(ack.segment("MSA")[2]), control_id)
        if str(ack.segment("MSH")[10]) == control_id or len(str(ack.segment("MSH")[10])) != 20:
            fail(f"ACK AA of {sample}: MSH-10 is {str(ack.segment('MSH')[10])!r}")
        if sample == "cbc-quest.hl7":
            # python-hl7's own ACK of the same message agrees on the swap.
            ref = hl7.parse(normalize_message_text(open(path, "rb").read(), "utf-8")).create_ack("AA")
            expect("ACK AA vs python-hl7 create_ack: MSH-3..6",
                   [str(ack.segment("MSH")[i]) for i in range(3, 7)],
                   [str(ref.segment("MSH")[i]) for i in range(3, 7)])

        text = "OBX-5 (segment 7): value “abc” | ^ ~ & \\ is not a number"
        ack = parse_charta_output(run_dump("ack", "AE", text, "102", path))
        expect(f"ACK AE of {sample}: segments", [str(s[0]) for s in ack], ["MSH", "MSA", "ERR"])
        expect(f"ACK AE of {sample}: MSA-1", str(ack.segment("MSA")[1]), "AE")
        expect(f"ACK AE of {sample}: MSA-3", py_unescape(ack, str(ack.segment("MSA")[3])), text)
        err = ack.segment("ERR")
        expect(f"ACK AE of {sample}: ERR-3.1", str(err[3][0][0]), "102")
        expect(f"ACK AE of {sample}: ERR-3.3", str(err[3][0][2]), "HL70357")
        expect(f"ACK AE of {sample}: ERR-4", str(err[4]), "E")
        expect(f"ACK AE of {sample}: ERR-8", py_unescape(ack, str(err[8])), text)
    except Exception as e:  # noqa: BLE001
        fail(f"ACK of {sample}: {e}")

# A message built by Charta's writer, from values full of delimiters.
values = {
    (3, 1, 1, 1): "CHARTA",
    (4, 1, 1, 1): "OAKWOOD",
    (4, 1, 2, 1): "2.16.840.1.113883.3.99",
    (9, 1, 1, 1): "ORM",
    (9, 1, 2, 1): "O01",
    (10, 1, 1, 1): "C0001",
    (12, 1, 1, 1): "2.5.1",
}
pid_values = {
    (3, 1, 1, 1): "MRN|1",
    (3, 1, 4, 1): "OAKWOOD",
    (3, 1, 4, 2): "1.2.3",
    (3, 1, 5, 1): "MR",
    (3, 2, 1, 1): "X~9",
    (5, 1, 1, 1): "O'Brien & Sons",
    (5, 1, 2, 1): "Ann^Marie",
    (11, 1, 1, 1): "12 Main St\\Apt 4\nBack door",
}
for delims in ("|^~\\&", "!@~$%", "*:#\\@"):
    lines = ["SEG MSH"]
    lines += [f"SET {f} {r} {c} {s} {v}" for (f, r, c, s), v in values.items()]
    lines.append("SEG PID")
    lines += [f"SET {f} {r} {c} {s} " + v.replace("\\", "\\\\").replace("\n", "\\n")
              for (f, r, c, s), v in pid_values.items()]
    try:
        out = run_dump("write", delims, stdin="\n".join(lines).encode() + b"\n")
        if not out.endswith(b"\r") or b"\n" in out:
            fail(f"writer {delims}: segments must end with CR only")
        pm = parse_charta_output(out)
        expect(f"writer {delims}: MSH-1", str(pm.segment("MSH")[1]), delims[0])
        expect(f"writer {delims}: MSH-2", str(pm.segment("MSH")[2]), delims[1:])
        msh = pm.segment("MSH")
        for (f, r, c, s), v in values.items():
            got = msh.extract_field(repeat_num=r, field_num=f, component_num=c, subcomponent_num=s)
            expect(f"writer {delims}: MSH-{f}.{r}.{c}.{s}", got.replace("\r", "\n"), v)
        pid = pm.segment("PID")
        for (f, r, c, s), v in pid_values.items():
            got = pid.extract_field(repeat_num=r, field_num=f, component_num=c, subcomponent_num=s)
            expect(f"writer {delims}: PID-{f}.{r}.{c}.{s}", got.replace("\r", "\n"), v)
        # Both parsers agree on every element of what Charta wrote.
        compare(f"Charta-written {delims}", out)
    except Exception as e:  # noqa: BLE001
        fail(f"writer {delims}: {e}")

if failures:
    for f in failures:
        print("FAIL:", f, file=sys.stderr)
    sys.exit(1)
print(f"ok: {checked} values agree between Charta and python-hl7")
