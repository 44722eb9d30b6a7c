#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Keeps po/ in step with the sources.

1. Every source file with a translatable string is listed in po/POTFILES.in,
   and every listed file exists.
2. The Spanish translation covers every message the sources have now: a fresh
   template is extracted with xgettext and compared with msgcmp, which fails on
   a message that is missing, untranslated or fuzzy in es.po.
"""

import os
import re
import subprocess
import sys
import tempfile

src = os.environ.get("CHARTA_SOURCE_DIR") or os.path.dirname(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
failures = []

marker_c = re.compile(r'(?<![A-Za-z0-9_])(?:_|N_|C_|NC_|g_dngettext|ngettext)\s*\(')
marker_ui = re.compile(r'translatable="yes"')

listed = []
with open(os.path.join(src, "po", "POTFILES.in"), encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if line and not line.startswith("#"):
            listed.append(line)

for path in listed:
    if not os.path.isfile(os.path.join(src, path)):
        failures.append(f"po/POTFILES.in lists {path}, which does not exist")

for top in ("app", "db", "ui"):
    for root, _dirs, files in os.walk(os.path.join(src, top)):
        for name in files:
            path = os.path.join(root, name)
            rel = os.path.relpath(path, src)
            if name.endswith((".c", ".h")):
                text = open(path, encoding="utf-8").read()
                # Strip comments so that "_(" in prose does not count.
                text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
                has = marker_c.search(text) is not None
            elif name.endswith(".ui"):
                has = marker_ui.search(open(path, encoding="utf-8").read()) is not None
            else:
                continue
            if has and rel not in listed:
                failures.append(f"{rel} has translatable strings but is not in po/POTFILES.in")

with tempfile.TemporaryDirectory() as tmp:
    pot = os.path.join(tmp, "charta.pot")
    cmd = ["xgettext", "--from-code=UTF-8", "--add-comments", "--directory", src,
           "--files-from", os.path.join(src, "po", "POTFILES.in"), "--output", pot,
           "--keyword=_", "--keyword=N_", "--keyword=C_:1c,2", "--keyword=NC_:1c,2",
           "--keyword=g_dngettext:2,3", "--keyword=ngettext:1,2",
           "--flag=g_set_error:4:c-format", "--flag=g_strdup_printf:1:c-format"]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        failures.append("xgettext failed: " + r.stderr.strip())
    else:
        # A format macro such as G_GINT64_FORMAT inside _() is invisible to
        # xgettext: the message is cut at the "%" and never translated. The
        # <inttypes.h> macros (PRId64) are the ones gettext understands.
        with open(pot, encoding="utf-8") as f:
            for m in re.finditer(r'^msgid "(.*)"\n((?:".*"\n)*)', f.read(), flags=re.M):
                text = m.group(1) + "".join(re.findall(r'"(.*)"', m.group(2)))
                # ("%%" at the end is a percent sign, not a cut.)
                if re.search(r'(^|[^%])(%%)*%$', text):
                    failures.append(f"a message is cut off after '%' (a format macro inside _()?): {text!r}")
        es = os.path.join(src, "po", "es.po")
        r = subprocess.run(["msgfmt", "--check", "--output-file=/dev/null", es],
                           capture_output=True, text=True)
        if r.returncode != 0:
            failures.append("po/es.po does not compile: " + r.stderr.strip())
        r = subprocess.run(["msgcmp", es, pot], capture_output=True, text=True)
        if r.returncode != 0:
            failures.append("po/es.po is not complete (msgcmp):\n  " +
                            "\n  ".join(r.stderr.strip().splitlines()[:40]))
        with open(es, encoding="utf-8") as f:
            if re.search(r"^#,.*\bfuzzy\b", f.read(), flags=re.M):
                failures.append("po/es.po has fuzzy entries")

if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)

print(f"ok: {len(listed)} files in POTFILES.in, es.po complete")
