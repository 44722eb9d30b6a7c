#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin billing invoice, statement, close and closes: the real binary
on a demo practice, every PDF read back with pdftotext -layout. An invoice's
lines, payment and amount due agree with "billing charges --json"; a
statement's closing balance and amount due agree with "billing ledger
--json"; the daily close's expected cash, a close short by 2.50 recorded, a
second close refused, a reopen superseding it; bad encounters, patients,
dates and amounts, and an --out that cannot be written, fail with a clear
message, write no file and record nothing; who may print and who may close.

Usage: test_billing_docs.py PATH/TO/charta-admin [unittest arguments]
"""

import datetime
import json
import os
import re
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402

SAMPLE_FEES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                           'resources', 'data', 'fees', 'sample-fee-schedule.csv')


def money(cents):
    """As the PDFs print money: $1,234.56 and −$1.00."""
    text = '${:,}.{:02d}'.format(abs(cents) // 100, abs(cents) % 100)
    return ('−' + text) if cents < 0 else text


def pdf_text(path):
    return subprocess.run(['pdftotext', '-layout', path, '-'], check=True,
                          capture_output=True, text=True).stdout


class BillingDocsTests(test_cli.DemoPracticeTestCase):

    demo_patients = 5

    def setUp(self):
        super().setUp()
        self.env['TZ'] = 'UTC'
        self.today = datetime.datetime.now(datetime.timezone.utc).strftime('%Y-%m-%d')

    def out(self, name):
        return os.path.join(self.tmp, name)

    def assert_line(self, text, first, second=None):
        for line in text.splitlines():
            at = line.find(first)
            if at >= 0 and (second is None or second in line[at + len(first):]):
                return line
        self.fail('no line holds %r then %r in:\n%s' % (first, second, text))

    def open_encounter(self):
        """(MRN, encounter id) of a demo patient's encounter still open for charges."""
        self.demo('manager', 'billing', 'fees', 'import', SAMPLE_FEES)
        for n in range(1, self.demo_patients + 1):
            mrn = test_cli.PatientTests.demo_mrn(n)
            for e in json.loads(self.demo('frontdesk', 'billing', 'encounters', '--patient', mrn,
                                          '--json').stdout):
                if e['status'] == 'open' and e['lines'] == 0 and e['date'] >= '2024-01-01':
                    return mrn, e['id']
        self.fail('no demo encounter is open')

    def closes(self):
        return json.loads(self.demo('frontdesk', 'billing', 'closes', '--json').stdout)

    def test_invoice(self):
        mrn, eid = self.open_encounter()
        eid = str(eid)
        out = self.demo('frontdesk', 'billing', 'charge', '--encounter', eid, '--code', '99213',
                        '--modifier', '25').stdout
        line1 = out.split()[2].rstrip(':')
        self.demo('frontdesk', 'billing', 'charge', '--encounter', eid, '--code', '36415',
                  '--units', '2')
        self.demo('frontdesk', 'billing', 'pay', '--patient', mrn, '--amount', '20.00',
                  '--method', 'card', '--reference', 'T-4711', '--allocate', line1 + '=20.00')
        lines = json.loads(self.demo('frontdesk', 'billing', 'charges', eid, '--json').stdout)
        charged = sum(l['amount_cents'] for l in lines if not l['reversed'])
        due = sum(l['amount_cents'] - l['allocated_cents'] for l in lines if not l['reversed'])
        self.assertEqual(charged - due, 2000)

        path = self.out('invoice.pdf')
        proc = self.demo('frontdesk', 'billing', 'invoice', eid, '--out', path)
        number = 'INV-%06d' % int(eid)
        self.assertIn('Invoice %s written to %s' % (number, path), proc.stdout)
        self.assertEqual(os.stat(path).st_mode & 0o777, 0o600)
        text = pdf_text(path)
        self.assert_line(text, 'Invoice', number)
        self.assert_line(text, 'MRN ' + mrn)
        for l in lines:
            self.assert_line(text, l['code'], money(l['amount_cents']))
        self.assert_line(text, '36415', '$24.00')
        self.assert_line(text, 'Payment — card (ref T-4711)', money(-2000))
        self.assert_line(text, 'Total charges', money(charged))
        self.assert_line(text, 'Amount due', money(due))
        self.assert_line(text, 'Page 1 of 1')

        # To the insurer: the primary policy's payer and member ID, or a clear
        # refusal when the patient has none on that day.
        chart = json.loads(self.demo('doctor', 'patient', 'show', mrn, '--json').stdout)
        ins = self.out('insurer.pdf')
        proc = self.demo('frontdesk', 'billing', 'invoice', eid, '--to', 'insurer', '--out', ins,
                         expect=None)
        if proc.returncode == 0:
            text = pdf_text(ins)
            policy = chart['insurance'][0]
            self.assert_line(text, policy['payer'])
            self.assert_line(text, 'Member ID: ' + policy['member_id'])
            self.assert_line(text, 'Amount due', money(due))
        else:
            self.assertEqual(proc.returncode, 1, proc.stderr)
            self.assertIn('no active insurance policy', proc.stderr)
            self.assertFalse(os.path.exists(ins))

        # Bad input: a clear message and no file.
        bad = self.out('bad.pdf')
        proc = self.demo('frontdesk', 'billing', 'invoice', '999999', '--out', bad, expect=1)
        self.assertIn('No such encounter', proc.stderr)
        self.demo('frontdesk', 'billing', 'invoice', 'x12', '--out', bad, expect=2)
        self.demo('frontdesk', 'billing', 'invoice', eid, '--to', 'nobody', '--out', bad, expect=2)
        self.demo('frontdesk', 'billing', 'invoice', eid, expect=2)
        proc = self.demo('nurse', 'billing', 'invoice', eid, '--out', bad, expect=1)
        self.assertIn('Not allowed', proc.stderr)
        unwritable = os.path.join(self.tmp, 'no-such-dir', 'invoice.pdf')
        proc = self.demo('frontdesk', 'billing', 'invoice', eid, '--out', unwritable, expect=1)
        self.assertIn(unwritable, proc.stderr)
        self.assertFalse(os.path.exists(bad))
        self.assertFalse(os.path.exists(unwritable))

    def test_statement(self):
        mrn, eid = self.open_encounter()
        self.demo('frontdesk', 'billing', 'charge', '--encounter', str(eid), '--code', '99213')
        self.demo('frontdesk', 'billing', 'pay', '--patient', mrn, '--amount', '15.00',
                  '--method', 'cash')
        ledger = json.loads(self.demo('manager', 'billing', 'ledger', '--patient', mrn,
                                      '--json').stdout)
        balance = ledger['balance_cents']

        path = self.out('statement.pdf')
        proc = self.demo('frontdesk', 'billing', 'statement', mrn, '--out', path)
        self.assertIn('written to', proc.stdout)
        text = pdf_text(path)
        start = (datetime.datetime.now(datetime.timezone.utc).date()
                 - datetime.timedelta(days=90)).strftime('%Y-%m-%d')
        self.assert_line(text, 'Balance on ' + start)
        self.assert_line(text, 'Balance on ' + self.today, money(balance))
        self.assert_line(text, 'Payment — cash', money(-1500))
        self.assert_line(text, 'Amount due', money(max(balance, 0)))
        self.assert_line(text, 'Current', 'Over 90 days')

        # A whole year: the same closing balance.
        self.demo('frontdesk', 'billing', 'statement', mrn, '--from', '2025-01-01', '--to',
                  self.today, '--out', path)
        self.assert_line(pdf_text(path), 'Balance on ' + self.today, money(balance))

        bad = self.out('bad.pdf')
        proc = self.demo('frontdesk', 'billing', 'statement', '99999999', '--out', bad,
                         expect=1)
        self.assertNotEqual(proc.stderr.strip(), '')
        proc = self.demo('frontdesk', 'billing', 'statement', mrn, '--from', '2025-02-30',
                         '--out', bad, expect=1)
        self.assertIn('2025-02-30', proc.stderr)
        proc = self.demo('frontdesk', 'billing', 'statement', mrn, '--from', self.today,
                         '--to', '2025-01-01', '--out', bad, expect=1)
        self.assertIn('period', proc.stderr)
        self.demo('frontdesk', 'billing', 'statement', mrn, expect=2)
        self.demo('nurse', 'billing', 'statement', mrn, '--out', bad, expect=1)
        self.assertFalse(os.path.exists(bad))

    def test_close(self):
        mrn, eid = self.open_encounter()
        self.demo('frontdesk', 'billing', 'pay', '--patient', mrn, '--amount', '40.00',
                  '--method', 'cash')
        self.assertEqual(self.closes(), [])

        # The preview: the cash expected, nothing recorded.
        preview = self.out('preview.pdf')
        proc = self.demo('doctor', 'billing', 'close', self.today, '--preview', '--float',
                         '100.00', '--out', preview)
        self.assertIn('nothing recorded', proc.stdout)
        text = pdf_text(preview)
        self.assert_line(text, 'Not closed yet (preview)')
        line = self.assert_line(text, 'Expected cash')
        expected = int(re.search(r'\$([\d,]+)\.(\d\d)', line).group(0)
                       .replace('$', '').replace(',', '').replace('.', ''))
        self.assertGreaterEqual(expected, 10000 + 4000)
        self.assertEqual(self.closes(), [])

        # Refused: who may not close, bad amounts and dates, an --out that
        # cannot be written. Nothing is recorded.
        out = self.out('close.pdf')
        self.demo('doctor', 'billing', 'close', self.today, '--float', '100', '--counted', '1',
                  '--out', out, expect=1)
        self.demo('nurse', 'billing', 'close', self.today, '--preview', '--out', out, expect=1)
        self.demo('frontdesk', 'billing', 'close', self.today, '--float', 'ten', '--counted',
                  '1', '--out', out, expect=2)
        self.demo('frontdesk', 'billing', 'close', self.today, '--float', '100', '--counted',
                  '-5', '--out', out, expect=2)
        self.demo('frontdesk', 'billing', 'close', self.today, '--float', '100', '--out', out,
                  expect=2)
        self.demo('frontdesk', 'billing', 'close', self.today, '--preview', '--counted', '1',
                  '--out', out, expect=2)
        proc = self.demo('frontdesk', 'billing', 'close', '2026-02-30', '--float', '100',
                         '--counted', '1', '--out', out, expect=1)
        self.assertIn('2026-02-30', proc.stderr)
        tomorrow = (datetime.datetime.now(datetime.timezone.utc).date()
                    + datetime.timedelta(days=1)).strftime('%Y-%m-%d')
        self.demo('frontdesk', 'billing', 'close', tomorrow, '--float', '100', '--counted', '1',
                  '--out', out, expect=1)
        unwritable = os.path.join(self.tmp, 'no-such-dir', 'close.pdf')
        proc = self.demo('frontdesk', 'billing', 'close', self.today, '--float', '100.00',
                         '--counted', '1', '--out', unwritable, expect=1)
        self.assertIn(unwritable, proc.stderr)
        self.assertFalse(os.path.exists(out))
        self.assertEqual(self.closes(), [])

        # The close, 2.50 short.
        counted = expected - 250
        proc = self.demo('frontdesk', 'billing', 'close', self.today, '--float', '100.00',
                         '--counted', '%d.%02d' % (counted // 100, counted % 100),
                         '--note', 'Till 1', '--out', out)
        self.assertIn('difference -2.50', proc.stdout)
        text = pdf_text(out)
        self.assert_line(text, 'Closed by frontdesk at')
        self.assert_line(text, 'Counted cash', money(counted))
        self.assert_line(text, 'Difference: short by $2.50')
        closes = self.closes()
        self.assertEqual(len(closes), 1)
        self.assertEqual(closes[0]['day'], self.today)
        self.assertEqual(closes[0]['expected_cents'], expected)
        self.assertEqual(closes[0]['difference_cents'], -250)
        self.assertEqual(closes[0]['float_cents'], 10000)
        self.assertTrue(closes[0]['current'])

        # Again: refused without a reason; with one, it supersedes.
        proc = self.demo('manager', 'billing', 'close', self.today, '--float', '100.00',
                         '--counted', '1.00', '--out', out, expect=1)
        self.assertIn('reason for reopening', proc.stderr)
        self.assertEqual(len(self.closes()), 1)
        self.demo('manager', 'billing', 'close', self.today, '--float', '100.00', '--counted',
                  '%d.%02d' % (expected // 100, expected % 100), '--reopen-reason',
                  'Recounted', '--out', out)
        text = pdf_text(out)
        self.assert_line(text, 'Closed by manager at')
        self.assert_line(text, 'Difference: none')
        self.assert_line(text, 'Reopened and closed again: Recounted')
        closes = self.closes()
        self.assertEqual(len(closes), 2)
        self.assertFalse(closes[0]['current'])
        self.assertEqual(closes[0]['superseded_by'], closes[1]['id'])
        self.assertEqual(closes[1]['supersedes'], closes[0]['id'])
        self.assertEqual(closes[1]['difference_cents'], 0)
        table = self.demo('frontdesk', 'billing', 'closes').stdout
        self.assertIn('superseded by %d' % closes[1]['id'], table)

        # Printing a closed day shows the close that counts.
        self.demo('doctor', 'billing', 'close', self.today, '--preview', '--out', preview)
        self.assert_line(pdf_text(preview), 'Closed by manager at')
        for command in ('invoice', 'statement', 'close', 'closes'):
            self.run_admin('billing', command, '--help')


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: test_billing_docs.py CHARTA_ADMIN [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
