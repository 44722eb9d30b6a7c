#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin report revenue, ar-ageing and collections: the real binary on
a demo practice (with its billing history), read back from CSV (the csv
module) and PDF (pdftotext). The A/R ageing is checked against every
patient's ledger (charta-admin billing ledger --json): each row's total is
the ledger balance, the buckets add up to it, every patient who owes (or is
owed) is listed and nobody else; the payers' view adds up to the same. The
revenue and collections are checked by what known changes move: a charge
of two units on an open encounter, a payment allocated to it, the charge
reversed, a write-off. Bad options are bad usage and write no file; the
front desk is refused.

Usage: test_reports_money.py PATH/TO/charta-admin [unittest arguments]
"""

import csv
import datetime
import json
import os
import shutil
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402

demo_mrn = test_cli.PatientTests.demo_mrn
SAMPLE_FEES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                           'resources', 'data', 'fees', 'sample-fee-schedule.csv')


def cents(text):
    """"-12.34" → -1234, exactly."""
    sign = -1 if text.startswith('-') else 1
    whole, _, frac = text.lstrip('-').partition('.')
    return sign * (int(whole) * 100 + int((frac + '00')[:2]))


class MoneyReportTests(test_cli.DemoPracticeTestCase):

    demo_patients = 8

    def setUp(self):
        super().setUp()
        self.today = datetime.date.today().isoformat()
        # The shipped sample schedule (the demo may have taken it in already:
        # importing it again adds nothing).
        self.demo('manager', 'billing', 'fees', 'import', SAMPLE_FEES)

    def report_csv(self, name, *args, user='manager'):
        out = os.path.join(self.tmp, name + '.csv')
        self.demo(user, 'report', name, *args, '--format', 'csv', '--out', out)
        with open(out, encoding='utf-8', newline='') as f:
            rows = list(csv.reader(f))
        os.unlink(out)
        return rows[0], rows[1:]

    def by_label(self, rows):
        return {r[0]: r for r in rows}

    def ledger(self, mrn):
        data = json.loads(self.demo('manager', 'billing', 'ledger', '--patient', mrn,
                                    '--json').stdout)
        self.assertEqual(data['balance_cents'], sum(e['amount_cents'] for e in data['entries']))
        return data

    def test_ageing_equals_the_ledgers(self):
        # Whatever the demo's history, someone owes something and someone
        # is owed: a charge on an open encounter, a payment on its own.
        encounter = self.open_encounter()
        self.demo('doctor', 'billing', 'charge', '--encounter', str(encounter['id']),
                  '--code', '99213')
        other = [demo_mrn(n) for n in range(1, self.demo_patients + 1)
                 if demo_mrn(n) != encounter['mrn']][0]
        self.demo('frontdesk', 'billing', 'pay', '--patient', other, '--amount', '7.50',
                  '--method', 'cash')

        header, rows = self.report_csv('ar-ageing', '--to', self.today)
        self.assertEqual(header, ['Patient', 'MRN', '0–30 days', '31–60 days', '61–90 days',
                                  'Over 90 days', 'Total'])
        total = rows[-1]
        self.assertEqual(total[0], 'Total')
        listed = {r[1]: r for r in rows[:-1]}
        owed = {}
        for n in range(1, self.demo_patients + 1):
            mrn = demo_mrn(n)
            balance = self.ledger(mrn)['balance_cents']
            if balance != 0:
                owed[mrn] = balance
        self.assertTrue(owed, 'the demo left nobody owing anything')
        self.assertEqual(set(listed), set(owed))
        for mrn, row in listed.items():
            buckets = [cents(v) for v in row[2:6]]
            self.assertEqual(cents(row[6]), owed[mrn], row)
            self.assertEqual(sum(buckets), owed[mrn], row)
        # Largest first.
        totals = [cents(r[6]) for r in rows[:-1]]
        self.assertEqual(totals, sorted(totals, reverse=True))
        for column in range(2, 7):
            self.assertEqual(cents(total[column]), sum(cents(r[column]) for r in rows[:-1]))
        self.assertEqual(cents(total[6]), sum(owed.values()))

        # The payers' view: the same money, split between payers and patients.
        header, payer_rows = self.report_csv('ar-ageing', '--to', self.today,
                                             '--option', 'party=payers')
        self.assertEqual(header[0], 'Owed by')
        self.assertEqual(payer_rows[-1][0], 'Total')
        self.assertIn('Patients', [r[0] for r in payer_rows])
        self.assertEqual(cents(payer_rows[-1][5]), sum(owed.values()))
        for column in range(1, 6):
            self.assertEqual(cents(payer_rows[-1][column]),
                             sum(cents(r[column]) for r in payer_rows[:-1]))

        # A new charge today is owed now, in the first bucket.
        mrn = encounter['mrn']
        before = cents(listed[mrn][2])
        self.demo('doctor', 'billing', 'charge', '--encounter', str(encounter['id']),
                  '--code', '36415', '--units', '1')
        price = self.price('36415', encounter['date'])
        age = (datetime.date.today() - datetime.date.fromisoformat(encounter['date'])).days
        _, rows = self.report_csv('ar-ageing', '--to', self.today)
        row = [r for r in rows if r[1] == mrn][0]
        self.assertEqual(cents(row[6]), owed[mrn] + price)
        self.assertEqual(cents(row[6]), self.ledger(mrn)['balance_cents'])
        if age <= 30:
            self.assertEqual(cents(row[2]), before + price)

    def test_ageing_as_of_earlier_days(self):
        """As of an earlier day, the ageing is the ledgers as they stood at
        its end: a model of balance-forward ageing over the entries posted
        by then (charges by service date, other debits by the day posted,
        what was reversed by then left out), patient by patient. The demo's
        history was posted over three years, so each day cuts through it."""
        today = datetime.date.today()
        ledgers = {demo_mrn(n): self.ledger(demo_mrn(n))['entries']
                   for n in range(1, self.demo_patients + 1)}
        for days in (45, 200, 500):
            day = today - datetime.timedelta(days=days)
            end = datetime.datetime.combine(day + datetime.timedelta(days=1),
                                            datetime.time()).timestamp()
            expected = {}
            for mrn, entries in ledgers.items():
                posted = [e for e in entries if self.posted(e) < end]
                balance = sum(e['amount_cents'] for e in posted)
                if balance == 0:
                    continue
                reversed_then = {e['reverses'] for e in posted if e['reverses']}
                debits = [0, 0, 0, 0]
                for e in posted:
                    if e['id'] in reversed_then or e['kind'] == 'reversal':
                        continue
                    if e['kind'] == 'charge':
                        dated = datetime.date.fromisoformat(e['service_date'])
                    elif e['kind'] in ('refund', 'opening', 'adjustment') and e['amount_cents'] > 0:
                        dated = datetime.datetime.fromtimestamp(self.posted(e)).date()
                    else:
                        continue
                    age = (day - dated).days
                    debits[0 if age <= 30 else 1 if age <= 60 else 2 if age <= 90 else 3] += \
                        e['amount_cents']
                buckets = [0, 0, 0, 0]
                if balance <= 0:
                    buckets[0] = balance
                else:
                    left = balance
                    for b in range(3):
                        buckets[b] = min(left, max(debits[b], 0))
                        left -= buckets[b]
                    buckets[3] = left
                expected[mrn] = buckets + [balance]

            _, rows = self.report_csv('ar-ageing', '--to', day.isoformat())
            got = {r[1]: [cents(v) for v in r[2:7]] for r in rows[:-1]}
            self.assertEqual(got, expected, day)
            self.assertEqual(cents(rows[-1][6]), sum(v[4] for v in expected.values()))
        self.assertTrue(expected, 'nobody owed anything 500 days ago')

    @staticmethod
    def posted(entry):
        return datetime.datetime.fromisoformat(
            entry['posted_at'].replace('Z', '+00:00')).timestamp()

    def price(self, code, day):
        fees = json.loads(self.demo('manager', 'billing', 'fees', 'list', '--on', day,
                                    '--json').stdout)
        return [f for f in fees if f['code'] == code][0]['price_cents']

    def open_encounter(self, mrn=None):
        mrns = [mrn] if mrn else [demo_mrn(n) for n in range(1, self.demo_patients + 1)]
        for m in mrns:
            encounters = json.loads(self.demo('frontdesk', 'billing', 'encounters', '--patient',
                                              m, '--json').stdout)
            for e in encounters:
                if e['status'] == 'open' and e['date'] <= self.today:
                    e['mrn'] = m
                    return e
        self.fail('no open encounter')

    def test_revenue_and_collections_move_by_what_was_posted(self):
        encounter = self.open_encounter()
        day, mrn = encounter['date'], encounter['mrn']
        period = ['--from', day, '--to', self.today]

        def revenue(group):
            header, rows = self.report_csv('revenue', *period, '--option', 'group=' + group)
            self.assertEqual(header[1:], ['Charges', 'Payments', 'Net'])
            self.assertEqual(rows[-1][0], 'Total')
            for column in (1, 2, 3):
                self.assertEqual(cents(rows[-1][column]),
                                 sum(cents(r[column]) for r in rows[:-1]))
            for r in rows:
                self.assertEqual(cents(r[3]), cents(r[1]) - cents(r[2]))
            return {r[0]: [cents(v) for v in r[1:]] for r in rows}

        def collections():
            header, rows = self.report_csv('collections', *period)
            self.assertEqual(header, ['Month', 'Charges', 'Payments',
                                      'Write-offs and adjustments', 'Collection rate'])
            return {r[0]: r[1:] for r in rows}

        code_before = revenue('code')
        month_before = revenue('month')
        coll_before = collections()

        price = self.price('99213', day)
        out = self.demo('doctor', 'billing', 'charge', '--encounter', str(encounter['id']),
                        '--code', '99213', '--units', '2').stdout
        line = out.split()[2].rstrip(':')
        self.demo('frontdesk', 'billing', 'pay', '--patient', mrn, '--amount', '30.00',
                  '--method', 'cash', '--allocate', line + '=30.00')

        code_after = revenue('code')
        zero = [0, 0, 0]
        old = code_before.get('99213', zero)
        self.assertEqual(code_after['99213'], [old[0] + 2 * price, old[1] + 3000,
                                               old[2] + 2 * price - 3000])
        self.assertEqual(code_after['Total'][0], code_before['Total'][0] + 2 * price)
        self.assertEqual(code_after['Total'][1], code_before['Total'][1] + 3000)
        month_after = revenue('month')
        self.assertEqual(month_after[day[:7]][0], month_before[day[:7]][0] + 2 * price)
        self.assertEqual(month_after[self.today[:7]][1], month_before[self.today[:7]][1] + 3000)

        # The charge reversed: it no longer counts; the payment still does.
        entry = [e for e in self.ledger(mrn)['entries']
                 if e['kind'] == 'charge' and str(e['charge_line']) == line][0]
        self.demo('manager', 'billing', 'reverse', str(entry['id']), '--reason', 'wrong code')
        code_reversed = revenue('code')
        self.assertEqual(code_reversed['99213'][0], old[0])
        self.assertEqual(code_reversed['99213'][1], old[1] + 3000)

        # A write-off today: the month's write-offs and its rate.
        self.demo('manager', 'billing', 'write-off', '--patient', mrn, '--amount', '12.34',
                  '--reason', 'Small balance')
        coll_after = collections()
        month = self.today[:7]
        c, p, w, rate = coll_after[month]
        self.assertEqual(cents(w), cents(coll_before[month][2]) + 1234)
        self.assertEqual(cents(p), cents(coll_before[month][1]) + 3000)
        if cents(c) - cents(w) > 0:
            self.assertAlmostEqual(float(rate), 100 * cents(p) / (cents(c) - cents(w)), places=1)
        else:
            self.assertEqual(rate, '')
        self.assertEqual(cents(coll_after['Total'][2]), cents(coll_before['Total'][2]) + 1234)

    def test_pdf(self):
        out = os.path.join(self.tmp, 'ageing.pdf')
        self.demo('manager', 'report', 'ar-ageing', '--to', self.today, '--format', 'pdf',
                  '--out', out)
        _, rows = self.report_csv('ar-ageing', '--to', self.today)
        if shutil.which('pdftotext') is None:
            self.skipTest('pdftotext is not installed')
        text = subprocess.run(['pdftotext', '-layout', out, '-'], capture_output=True,
                              text=True, check=True).stdout
        self.assertIn('Accounts receivable ageing', text)
        self.assertIn('Over 90 days', text)
        total = cents(rows[-1][6])
        self.assertIn('${:,}.{:02d}'.format(abs(total) // 100, abs(total) % 100), text)
        self.assertIn(rows[0][0], text)

        out = os.path.join(self.tmp, 'revenue.pdf')
        self.demo('manager', 'report', 'revenue', '--from', self.today[:4] + '-01-01',
                  '--to', self.today, '--option', 'group=payer', '--format', 'pdf', '--out', out)
        text = subprocess.run(['pdftotext', '-layout', out, '-'], capture_output=True,
                              text=True, check=True).stdout
        self.assertIn('Revenue by provider, code and payer', text)
        self.assertIn('Group by: Payer', text)

    def test_refused(self):
        out = os.path.join(self.tmp, 'bad.csv')
        self.demo('manager', 'report', 'revenue', '--from', self.today, '--to', self.today,
                  '--option', 'group=week', '--format', 'csv', '--out', out, expect=2)
        self.demo('manager', 'report', 'ar-ageing', '--to', self.today,
                  '--option', 'party=insurers', '--format', 'csv', '--out', out, expect=2)
        self.demo('manager', 'report', 'collections', '--from', self.today, '--to', '2001-01-01',
                  '--format', 'csv', '--out', out, expect=2)
        self.demo('frontdesk', 'report', 'revenue', '--from', self.today, '--to', self.today,
                  '--format', 'csv', '--out', out, expect=1)
        # The administrator sees the money, not who owes it.
        self.demo('admin', 'report', 'ar-ageing', '--to', self.today, '--format', 'csv',
                  '--out', out, expect=1)
        self.assertFalse(os.path.exists(out))
        self.demo('admin', 'report', 'revenue', '--from', self.today, '--to', self.today,
                  '--format', 'csv', '--out', out)
        self.assertTrue(os.path.exists(out))


if __name__ == '__main__':
    test_cli.main()
