#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin demo's history, read back through the real binary: past
appointments (mostly done, some no-shows), the sample fee schedule, charges
on past encounters (most ready to bill, the chart's last visit still open),
payments by several methods at back-dated times, write-offs; every ledger's
balance is the sum of its entries, some patients owe and some do not. The
same seed gives the same history; --history-years 0 gives none (and no fee
schedule); bad values of the new options exit 2 and create nothing.

Usage: test_demo_billing.py PATH/TO/charta-admin [unittest arguments]
"""

import collections
import datetime
import json
import os
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402

PATIENTS = 8


def mrn(n):
    return test_cli.PatientTests.demo_mrn(n)


class DemoBillingTests(test_cli.DemoPracticeTestCase):

    demo_patients = PATIENTS
    demo_seed = 3

    def ledger(self, n, practice=None):
        practice = practice or self.practice
        data = json.loads(self.as_user(practice, 'manager', test_cli.DEMO_PASSWORD,
                                       'billing', 'ledger', '--patient', mrn(n),
                                       '--json').stdout)
        # The invariant, for every patient read.
        self.assertEqual(data['balance_cents'], sum(e['amount_cents'] for e in data['entries']))
        return data

    def test_ledgers_payments_and_balances(self):
        kinds = collections.Counter()
        methods = collections.Counter()
        balances = []
        now = time.time()
        oldest = now
        for n in range(1, PATIENTS + 1):
            data = self.ledger(n)
            balances.append(data['balance_cents'])
            for entry in data['entries']:
                kinds[entry['kind']] += 1
                if entry['kind'] == 'payment':
                    methods[entry['method']] += 1
                posted = datetime.datetime.fromisoformat(
                    entry['posted_at'].replace('Z', '+00:00')).timestamp()
                # Back-dated, never in the future.
                self.assertLessEqual(posted, now + 60, entry)
                oldest = min(oldest, posted)
        self.assertGreater(kinds['charge'], 5 * PATIENTS, kinds)
        self.assertGreater(kinds['payment'], 3 * PATIENTS, kinds)
        self.assertGreater(kinds['write-off'], 0, kinds)
        # Cash and card at the desk, insurers' remittances, cheques and
        # transfers later.
        self.assertGreaterEqual(set(methods), {'cash', 'card', 'insurer'}, methods)
        self.assertGreaterEqual(len(methods), 4, methods)
        # A history of years, not of today.
        self.assertLess(oldest, now - 365 * 86400)
        # Some owe, some are square; nobody is owed a fortune.
        self.assertTrue(any(b > 0 for b in balances), balances)
        self.assertTrue(any(b == 0 for b in balances), balances)
        self.assertTrue(all(b >= -100000 for b in balances), balances)

    def test_encounters_charged_and_ready(self):
        statuses = collections.Counter()
        for n in range(1, PATIENTS + 1):
            encounters = json.loads(self.demo('frontdesk', 'billing', 'encounters', '--patient',
                                              mrn(n), '--json').stdout)
            self.assertTrue(encounters)
            # The chart's last visit (newest first) is still open, uncharged.
            self.assertEqual(encounters[0]['status'], 'open', encounters[0])
            self.assertEqual(encounters[0]['lines'], 0, encounters[0])
            for e in encounters:
                statuses[e['status']] += 1
                if e['status'] == 'ready':
                    self.assertGreater(e['lines'], 0, e)
                    self.assertGreater(e['charged_cents'], 0, e)
        self.assertGreater(statuses['ready'], statuses['open'], statuses)

        # Charges at the fee schedule's price in force on the visit's date.
        fees = json.loads(self.demo('manager', 'billing', 'fees', 'list', '--json').stdout)
        self.assertEqual(len(fees), 32)
        encounter = next(e for e in json.loads(self.demo(
            'frontdesk', 'billing', 'encounters', '--patient', mrn(1), '--json').stdout)
            if e['status'] == 'ready')
        lines = json.loads(self.demo('frontdesk', 'billing', 'charges', str(encounter['id']),
                                     '--json').stdout)
        self.assertEqual(sum(l['amount_cents'] for l in lines if not l['reversed']),
                         encounter['charged_cents'])
        for line in lines:
            prices = [f['price_cents'] for f in fees if f['code'] == line['code']
                      and f['effective_from'] <= line['service_date']
                      and (not f.get('effective_to') or line['service_date'] <= f['effective_to'])]
            self.assertEqual(prices, [line['unit_price_cents']], line)
            self.assertEqual(line['service_date'], encounter['date'])

    def test_past_appointments(self):
        today = datetime.date.today()
        listing = json.loads(self.demo('frontdesk', 'schedule', 'list',
                                       '--from', str(today - datetime.timedelta(days=3 * 366)),
                                       '--to', str(today - datetime.timedelta(days=2)),
                                       '--json').stdout)
        statuses = collections.Counter(a['status'] for a in listing)
        self.assertGreater(len(listing), 3 * PATIENTS, statuses)
        self.assertGreater(statuses['done'], len(listing) * 0.7, statuses)
        self.assertGreater(statuses['no-show'], 0, statuses)
        self.assertEqual(statuses['booked'], 0, statuses)
        for a in listing:
            self.assertIn(a['provider'], ('garcia', 'patel'))
            start = datetime.datetime.fromisoformat(a['start'].replace('Z', '+00:00'))
            local = start.astimezone()
            # Weekdays, within working hours, around lunch.
            self.assertLess(local.weekday(), 5, a)
            self.assertGreaterEqual(local.hour, 8, a)
            end = local + datetime.timedelta(minutes=a['duration_min'])
            self.assertLessEqual((end.hour, end.minute), (17, 0), a)
        # No provider is booked twice at once.
        by_provider = collections.defaultdict(list)
        for a in listing:
            start = datetime.datetime.fromisoformat(a['start'].replace('Z', '+00:00'))
            by_provider[a['provider']].append(
                (start, start + datetime.timedelta(minutes=a['duration_min'])))
        for spans in by_provider.values():
            spans.sort()
            for (_, end), (start, _) in zip(spans, spans[1:]):
                self.assertLessEqual(end, start)

    def test_same_seed_same_history(self):
        other = os.path.join(self.tmp, 'again')
        self.run_admin('demo', '--practice', other, '--patients', str(PATIENTS),
                       '--seed', str(self.demo_seed))
        for n in (1, PATIENTS):
            mine = self.ledger(n)
            theirs = self.ledger(n, practice=other)
            self.assertEqual([(e['kind'], e['amount_cents']) for e in mine['entries']],
                             [(e['kind'], e['amount_cents']) for e in theirs['entries']])


class DemoHistoryOptionTests(test_cli.CliTestCase):

    def test_no_history(self):
        practice = os.path.join(self.tmp, 'plain')
        self.run_admin('demo', '--practice', practice, '--patients', '3', '--history-years', '0')
        fees = json.loads(self.as_user(practice, 'manager', test_cli.DEMO_PASSWORD, 'billing',
                                       'fees', 'list', '--json').stdout)
        self.assertEqual(fees, [])
        for n in (1, 2, 3):
            data = json.loads(self.as_user(practice, 'manager', test_cli.DEMO_PASSWORD, 'billing',
                                           'ledger', '--patient', mrn(n), '--json').stdout)
            self.assertEqual(data['entries'], [])
            self.assertEqual(data['balance_cents'], 0)

    def test_bad_values(self):
        for args in (('--history-years', '-1'), ('--history-years', '21'), ('--visits', '41'),
                     ('--visits', 'many')):
            practice = os.path.join(self.tmp, 'bad')
            proc = self.run_admin('demo', '--practice', practice, '--patients', '1', *args,
                                  expect=2)
            self.assertIn('Usage:', proc.stderr + proc.stdout, args)
            self.assertFalse(os.path.exists(practice), args)


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: test_demo_billing.py CHARTA_ADMIN [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
