#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin billing: the real binary on a demo practice. The sample fee
schedule shipped in resources/data/fees is imported (again: nothing added),
listed by date (99213 changes price on 2025-01-01); a CSV with one bad row
fails naming its line and imports nothing; charges on an encounter with a
modifier and a diagnosis pointer; the physician marks it ready, after which
it takes no more charges; a card payment with its terminal reference,
allocated to the lines; a payment reversed by the office manager (once);
a write-off and an adjustment; the ledger as JSON, whose balance is always
the sum of its entries; the opening balances a CSV migration left, taken
in once; who may do what; bad usage exits 2.

Usage: test_billing.py PATH/TO/charta-admin [unittest arguments]
"""

import csv
import io
import json
import os
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402

MIGRATION = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'migration')
SAMPLE_FEES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                           'resources', 'data', 'fees', 'sample-fee-schedule.csv')


class BillingTests(test_cli.DemoPracticeTestCase):

    demo_patients = 5
    # No history: these tests import the fee schedule and build the ledger themselves.
    demo_args = ('--history-years', '0')

    def fees(self, *args):
        return json.loads(self.demo('manager', 'billing', 'fees', 'list', '--json',
                                    *args).stdout)

    def ledger(self, mrn, user='manager'):
        data = json.loads(self.demo(user, 'billing', 'ledger', '--patient', mrn,
                                    '--json').stdout)
        # The invariant, every time it is read.
        self.assertEqual(data['balance_cents'],
                         sum(e['amount_cents'] for e in data['entries']))
        return data

    def import_sample(self):
        proc = self.demo('manager', 'billing', 'fees', 'import', SAMPLE_FEES)
        self.assertIn('Fee versions added: 32, already there: 0', proc.stdout)

    def patient_with_problem(self):
        """A demo patient with an ICD-10 problem: (MRN, its code)."""
        for n in range(1, self.demo_patients + 1):
            mrn = test_cli.PatientTests.demo_mrn(n)
            chart = json.loads(self.demo('doctor', 'patient', 'show', mrn, '--json').stdout)
            problems = [p for p in chart['chart']['problems'] if p.get('code')]
            if problems:
                return mrn, problems[0]['code']
        self.fail('no demo patient has a problem')

    def encounters(self, mrn):
        return json.loads(self.demo('frontdesk', 'billing', 'encounters', '--patient', mrn,
                                    '--json').stdout)

    def test_fee_schedule(self):
        self.import_sample()
        proc = self.demo('manager', 'billing', 'fees', 'import', SAMPLE_FEES)
        self.assertIn('Fee versions added: 0, already there: 32', proc.stdout)

        def price(code, day):
            rows = [f for f in self.fees('--on', day) if f['code'] == code]
            self.assertEqual(len(rows), 1, rows)
            return rows[0]['price_cents']

        self.assertEqual(price('99213', '2024-06-01'), 9800)
        self.assertEqual(price('99213', '2024-12-31'), 9800)
        self.assertEqual(price('99213', '2025-01-01'), 10200)
        self.assertEqual(price('J1030', '2026-01-01'), 850)
        self.assertEqual(len(self.fees()), 32)
        self.assertEqual(self.fees('--on', '2023-12-31'), [])
        table = self.demo('doctor', 'billing', 'fees', 'list').stdout
        self.assertIn('Established patient office visit, low complexity', table)

        # Only the office manager imports; the others may read or not.
        self.demo('frontdesk', 'billing', 'fees', 'import', SAMPLE_FEES, expect=1)
        self.demo('nurse', 'billing', 'fees', 'list', expect=1)

    def test_bad_fee_csv_imports_nothing(self):
        with open(SAMPLE_FEES, encoding='utf-8') as f:
            lines = f.read().splitlines()
        for bad, needle in (('99999,"Made-up visit",12.345,2024-01-01,', '12.345'),
                            ('99999,"Made-up visit",12.00,2024-02-30,', '2024-02-30'),
                            ('99 99,"Made-up visit",12.00,2024-01-01,', '99 99'),
                            ('99999,,12.00,2024-01-01,', 'description')):
            broken = lines[:5] + [bad] + lines[5:]
            path = os.path.join(self.tmp, 'broken.csv')
            with open(path, 'w', encoding='utf-8') as f:
                f.write('\n'.join(broken) + '\n')
            proc = self.demo('manager', 'billing', 'fees', 'import', path, expect=1)
            self.assert_failure_message(proc, 'broken.csv', 'line 6', needle)
            self.assertEqual(self.fees(), [])
        proc = self.demo('manager', 'billing', 'fees', 'import',
                         os.path.join(self.tmp, 'missing.csv'), expect=1)
        self.assertEqual(self.fees(), [])

    def test_charge_ready_pay_reverse(self):
        self.import_sample()
        mrn, dx = self.patient_with_problem()
        encounter = self.encounters(mrn)[0]
        self.assertEqual(encounter['status'], 'open')
        eid = str(encounter['id'])

        out = self.demo('doctor', 'billing', 'charge', '--encounter', eid, '--code', '99214',
                        '--modifier', '25', '--dx', dx).stdout
        line1 = out.split()[2].rstrip(':')
        out = self.demo('doctor', 'billing', 'charge', '--encounter', eid, '--code', '36415',
                        '--units', '2').stdout
        line2 = out.split()[2].rstrip(':')
        self.assertIn('36415 × 2 = 24.00', out)
        # Refused: a nurse, a code with no price, a diagnosis not in the chart,
        # five modifiers. None of them leaves a line.
        self.demo('nurse', 'billing', 'charge', '--encounter', eid, '--code', '99213', expect=1)
        proc = self.demo('doctor', 'billing', 'charge', '--encounter', eid, '--code', '12345',
                         expect=1)
        self.assert_failure_message(proc, '12345')
        proc = self.demo('doctor', 'billing', 'charge', '--encounter', eid, '--code', '99213',
                         '--dx', 'Z99.89', expect=1)
        self.assert_failure_message(proc, 'Z99.89')
        self.demo('doctor', 'billing', 'charge', '--encounter', eid, '--code', '99213',
                  *sum((['--modifier', m] for m in ('25', '59', '76', '77', '91')), []),
                  expect=1)
        lines = json.loads(self.demo('frontdesk', 'billing', 'charges', eid, '--json').stdout)
        self.assertEqual([(str(l['id']), l['code'], l['units'], l['modifiers'])
                          for l in lines],
                         [(line1, '99214', 1, '25'), (line2, '36415', 2, None)])
        self.demo('nurse', 'billing', 'charges', eid, expect=1)
        charged = self.encounters(mrn)[0]
        self.assertEqual(charged['lines'], 2)
        day = charged['date']
        price = [f for f in self.fees('--on', day) if f['code'] == '99214'][0]['price_cents']
        self.assertEqual(charged['charged_cents'], price + 2 * 1200)

        # Ready to bill: by the physician only, once; then no more charges.
        self.demo('frontdesk', 'billing', 'ready', eid, expect=1)
        self.demo('doctor', 'billing', 'ready', eid)
        self.demo('doctor', 'billing', 'ready', eid, expect=1)
        self.assertEqual(self.encounters(mrn)[0]['status'], 'ready')
        proc = self.demo('doctor', 'billing', 'charge', '--encounter', eid, '--code', '99213',
                         expect=1)
        self.assert_failure_message(proc, 'ready to bill')

        total = price + 2400
        self.assertEqual(self.ledger(mrn)['balance_cents'], total)

        # A card payment needs its terminal reference; an allocation past the
        # line or past the payment is refused; neither stores anything.
        before = self.ledger(mrn)
        self.demo('frontdesk', 'billing', 'pay', '--patient', mrn, '--amount', '50.00',
                  '--method', 'card', expect=1)
        self.demo('frontdesk', 'billing', 'pay', '--patient', mrn, '--amount', '50.00',
                  '--method', 'card', '--reference', 'T-77', '--allocate', line2 + '=30.00',
                  expect=1)
        self.demo('frontdesk', 'billing', 'pay', '--patient', mrn, '--amount', '10.00',
                  '--method', 'cash', '--allocate', line1 + '=20.00', expect=1)
        self.assertEqual(self.ledger(mrn)['entries'], before['entries'])

        out = self.demo('frontdesk', 'billing', 'pay', '--patient', mrn, '--amount', '50.00',
                        '--method', 'card', '--reference', 'T-77',
                        '--allocate', line1 + '=26.00', '--allocate', line2 + '=24.00').stdout
        self.assertIn('Balance: %d.%02d' % divmod(total - 5000, 100), out)
        data = self.ledger(mrn)
        payment = [e for e in data['entries'] if e['kind'] == 'payment'][0]
        self.assertEqual(payment['amount_cents'], -5000)
        self.assertEqual(payment['method'], 'card')
        self.assertEqual(data['balance_cents'], total - 5000)
        # Line 2 is paid in full now.
        self.demo('frontdesk', 'billing', 'pay', '--patient', mrn, '--amount', '1.00',
                  '--method', 'cash', '--allocate', line2 + '=0.01', expect=1)

        # The correction is a reversing entry, by the office manager, once.
        pid = str(payment['id'])
        self.demo('frontdesk', 'billing', 'reverse', pid, '--reason', 'wrong card', expect=1)
        self.demo('manager', 'billing', 'reverse', pid, '--reason', 'wrong card')
        proc = self.demo('manager', 'billing', 'reverse', pid, '--reason', 'again', expect=1)
        self.assert_failure_message(proc, 'already reversed')
        data = self.ledger(mrn)
        self.assertEqual(data['balance_cents'], total)
        payment = [e for e in data['entries'] if e['id'] == payment['id']][0]
        reversal = [e for e in data['entries'] if e['kind'] == 'reversal'][0]
        self.assertEqual(payment['reversed_by'], reversal['id'])
        self.assertEqual(reversal['reverses'], payment['id'])
        self.assertEqual(reversal['amount_cents'], 5000)
        self.assertEqual(reversal['reason'], 'wrong card')
        # With the payment reversed, line 2 is owed again and takes a new one.
        self.demo('frontdesk', 'billing', 'pay', '--patient', mrn, '--amount', '24.00',
                  '--method', 'cash', '--allocate', line2 + '=24.00')

        lines = json.loads(self.demo('frontdesk', 'billing', 'charges', eid, '--json').stdout)
        self.assertEqual([l['allocated_cents'] for l in lines], [0, 2400])

        # Write-offs and adjustments: the office manager, with a reason.
        self.demo('frontdesk', 'billing', 'write-off', '--patient', mrn, '--amount', '5.00',
                  '--reason', 'small balance', expect=1)
        self.demo('manager', 'billing', 'write-off', '--patient', mrn, '--amount', '5.00',
                  '--line', line1, '--reason', 'small balance')
        self.demo('manager', 'billing', 'adjust', '--patient', mrn, '--amount=-1.50',
                  '--reason', 'rounding')
        self.demo('manager', 'billing', 'refund', '--patient', mrn, '--amount', '2.00',
                  '--method', 'cash', '--reason', 'overpaid parking')
        data = self.ledger(mrn, user='doctor')
        self.assertEqual(data['balance_cents'], total - 2400 - 500 - 150 + 200)
        self.assertEqual([e['kind'] for e in data['entries']],
                         ['charge', 'charge', 'payment', 'reversal', 'payment', 'write-off',
                          'adjustment', 'refund'])
        table = self.demo('manager', 'billing', 'ledger', '--patient', mrn).stdout
        self.assertIn('Balance: %d.%02d' % divmod(data['balance_cents'], 100), table)
        self.demo('nurse', 'billing', 'ledger', '--patient', mrn, expect=1)

        # Every write is in the audit trail, and it still verifies.
        rows = list(csv.DictReader(io.StringIO(
            self.demo('admin', 'audit', 'list', '--csv').stdout)))
        written = {(r['action'], r['object_type'], r['user']) for r in rows}
        for entry in (('create', 'fee-schedule', 'manager'), ('create', 'charge', 'doctor'),
                      ('update', 'billing-encounter', 'doctor'),
                      ('create', 'payment', 'frontdesk'), ('create', 'reversal', 'manager'),
                      ('create', 'write-off', 'manager'), ('create', 'adjustment', 'manager'),
                      ('create', 'refund', 'manager'), ('view', 'ledger', 'doctor')):
            self.assertIn(entry, written)
        self.demo('admin', 'audit', 'verify')

    def test_opening_balances_from_a_migration(self):
        """The CSV migration's sample exports (tests/data/migration) leave
        two opening balances; the ledger takes each in once."""
        data = os.path.join(self.tmp, 'exports')
        shutil.copytree(MIGRATION, data)
        self.demo('doctor', 'import', 'csv', '--mapping', os.path.join(data, 'mapping.ini'),
                  data, expect=1)  # the sample has rows it rejects
        search = self.demo('doctor', 'patient', 'search', "O'Brien").stdout.splitlines()[1:]
        [mrn] = [line.split()[0] for line in search if line[:8].isdigit()]

        # The doctor reads ledgers but does not post.
        self.demo('doctor', 'billing', 'post-openings', expect=1)
        self.assertEqual(self.ledger(mrn, user='doctor')['entries'], [])
        # Reading the balance at the front desk takes this patient's in.
        data = self.ledger(mrn, user='frontdesk')
        self.assertEqual(data['balance_cents'], 123456)
        self.assertEqual([(e['kind'], e['amount_cents']) for e in data['entries']],
                         [('opening', 123456)])
        self.assertIn('medoffice7', data['entries'][0]['reason'])
        # The other one, by the command; then there are none left.
        self.assertIn('Opening balances posted: 1',
                      self.demo('manager', 'billing', 'post-openings').stdout)
        self.assertIn('Opening balances posted: 0',
                      self.demo('manager', 'billing', 'post-openings').stdout)
        self.assertEqual(self.ledger(mrn)['balance_cents'], 123456)

    def test_usage(self):
        self.demo('frontdesk', 'billing', 'pay', '--patient', '00000018', '--method', 'cash',
                  expect=2)
        self.demo('frontdesk', 'billing', 'pay', '--patient', '00000018', '--amount', '12.345',
                  '--method', 'cash', expect=2)
        self.demo('manager', 'billing', 'reverse', '12', expect=2)
        self.demo('manager', 'billing', 'reverse', 'x', '--reason', 'r', expect=2)
        self.demo('doctor', 'billing', 'charge', '--code', '99213', expect=2)
        self.demo('manager', 'billing', 'ledger', expect=2)
        self.assertIn('Opening balances posted: 0',
                      self.demo('manager', 'billing', 'post-openings').stdout)
        for command in ('pay', 'charge', 'charges', 'ledger', 'reverse', 'ready', 'write-off', 'adjust',
                        'refund', 'encounters'):
            self.run_admin('billing', command, '--help')
        self.run_admin('billing', 'fees', 'import', '--help')


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: test_billing.py CHARTA_ADMIN [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
