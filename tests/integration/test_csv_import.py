#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin import csv: migration from another EHR's CSV exports, the
real binary on a demo practice with the sample exports of tests/data/migration
(an old system's style: US dates, 12-hour times, quoted commas, quotes and a
line break in a field, CRLF, a UTF-8 BOM, a Windows-1252 file, bad rows).
A dry run reports exactly the bad rows and writes nothing; the real run
imports the good rows section by section (checked through patient search,
patient show, schedule list and the audit trail), a second run imports
nothing new, a third only the rows added; a row that fails midway leaves
nothing of itself; bad mappings, missing and malformed files are refused
with nothing written; only a role that may write the chart may import.

Usage: test_csv_import.py PATH/TO/charta-admin [unittest arguments]
"""

import json
import os
import re
import shutil
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402

DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'migration')

SECTIONS = ['patients', 'insurance', 'problems', 'medications', 'allergies', 'immunizations',
            'appointments', 'balances']

# (section, imported, rejected) of the sample exports on a fresh practice.
COUNTS = {
    'patients': (3, 2),
    'insurance': (2, 1),
    'problems': (3, 2),
    'medications': (1, 1),
    'allergies': (2, 1),
    'immunizations': (2, 1),
    'appointments': (2, 2),
    'balances': (2, 1),
}

# Every bad row of the sample exports: file, line (where the record starts:
# PATIENTS.CSV's line 3-4 is one record), and words of the reason.
REJECTS = {
    ('PATIENTS.CSV', 5): '“02/30/1990” is not a date',
    ('PATIENTS.CSV', 6): 'no family_name',
    ('INSURANCE.CSV', 4): 'unknown patient key “9999”',
    ('PROBLEMS.CSV', 4): '“Z99.999” is not an ICD-10-CM code',
    ('PROBLEMS.CSV', 6): 'unknown patient key “1003”',
    ('MEDS.CSV', 3): '“13/01/2016” is not a date',
    ('ALLERGIES.CSV', 4): '2 fields where the header names 5 columns',
    ('IMMUNIZATIONS.CSV', 4): '“777” is not a CVX code',
    ('APPOINTMENTS.CSV', 4): 'no provider “Dr. Who”',
    ('APPOINTMENTS.CSV', 5): '“Rescheduled” is not an appointment status',
    ('BALANCES.CSV', 4): '“abc” is not an amount of money',
}

LINE_RE = re.compile(r'^(\w+): (\d+) (?:would be )?imported, (\d+) skipped \(already imported\), '
                     r'(\d+) rejected$')
REJECT_RE = re.compile(r'^  ([\w.]+):(\d+): (.*)$')


class CsvImportTests(test_cli.DemoPracticeTestCase):

    demo_patients = 3

    def setUp(self):
        super().setUp()
        self.data = os.path.join(self.tmp, 'exports')
        shutil.copytree(DATA, self.data)
        self.mapping = os.path.join(self.data, 'mapping.ini')

    def run_import(self, *extra, user='doctor', expect=1, data=None, mapping=None):
        return self.demo(user, 'import', 'csv', '--mapping', mapping or self.mapping,
                         data or self.data, *extra, expect=expect)

    def parse(self, stdout):
        """The milestone lines as {section: (imported, skipped, rejected)} in
        order, and the rejected rows as {(file, line): reason}."""
        sections, rejects = {}, {}
        for line in stdout.splitlines():
            match = LINE_RE.match(line)
            if match:
                sections[match.group(1)] = tuple(int(match.group(i)) for i in (2, 3, 4))
                continue
            match = REJECT_RE.match(line)
            if match:
                rejects[(match.group(1), int(match.group(2)))] = match.group(3)
        return sections, rejects

    def assert_rejects(self, rejects):
        self.assertEqual(set(rejects), set(REJECTS))
        for where, words in REJECTS.items():
            self.assertIn(words, rejects[where], where)

    def find(self, query):
        """The MRNs patient search finds for @query."""
        proc = self.demo('doctor', 'patient', 'search', query)
        return [line.split()[0] for line in proc.stdout.splitlines()[1:]
                if re.match(r'^\d{8}\s', line)]

    def show(self, mrn):
        return json.loads(self.demo('doctor', 'patient', 'show', mrn, '--json').stdout)

    def appointments(self):
        proc = self.demo('frontdesk', 'schedule', 'list', '--from', '2024-03-01', '--to',
                         '2024-03-08', '--json')
        return json.loads(proc.stdout)

    def audit(self):
        return self.demo('admin', 'audit', 'list', '--csv', '-n', '100000').stdout

    def assert_nothing_written(self):
        for name in ("O'Brien", 'Nguy', 'Müller'):
            self.assertEqual(self.find(name), [], name)
        self.assertEqual(self.appointments(), [])
        audit = self.audit()
        self.assertNotIn(',migration,', audit)
        self.assertNotIn('medoffice7', audit)

    # ---- the dry run --------------------------------------------------------

    def test_dry_run_reports_the_rejects_and_writes_nothing(self):
        proc = self.run_import('--dry-run')
        self.assertIn('11 rows would be rejected', proc.stderr)
        sections, rejects = self.parse(proc.stdout)
        self.assertEqual(list(sections), SECTIONS)
        for name, (imported, rejected) in COUNTS.items():
            self.assertEqual(sections[name], (imported, 0, rejected), name)
        self.assertIn('patients: 3 would be imported', proc.stdout)
        self.assert_rejects(rejects)
        self.assertIn('Dry run: nothing was written.', proc.stdout)
        self.assert_nothing_written()

        # The same as JSON.
        report = json.loads(self.run_import('--dry-run', '--json').stdout)
        self.assertTrue(report['dry_run'])
        self.assertEqual(report['source'], 'medoffice7')
        self.assertEqual([s['section'] for s in report['sections']], SECTIONS)
        self.assertEqual({(r['file'], r['line']) for r in report['rejected']}, set(REJECTS))
        self.assert_nothing_written()

    # ---- the real run ----------------------------------------------------------

    def test_import_then_run_again(self):
        proc = self.run_import()
        self.assertIn('11 rows were rejected; the others were imported', proc.stderr)
        sections, rejects = self.parse(proc.stdout)
        self.assertEqual(list(sections), SECTIONS)
        for name, (imported, rejected) in COUNTS.items():
            self.assertEqual(sections[name], (imported, 0, rejected), name)
        self.assert_rejects(rejects)

        # Patients, from a file with a byte order mark and CRLF line ends.
        [obrien] = self.find("O'Brien")
        [nguyen] = self.find('Nguyễn')
        [muller] = self.find('Müller')
        self.assertEqual(self.find('Smith, Jane'), [])  # its date of birth is impossible
        mary = self.show(obrien)
        self.assertEqual((mary['family_name'], mary['given_name'], mary['birth_date'],
                          mary['sex']), ("O'Brien", 'Mary', '1956-03-14', 'female'))
        self.assertEqual(mary['address']['line'], '12 Oak Lane, Apt 4')
        self.assertEqual(mary['address']['country'], 'US')  # the mapping's default
        self.assertEqual(mary['phones'], [{'kind': 'home', 'number': '(217) 555-0101'}])
        self.assertEqual(mary['identifiers'], [{'system': 'medoffice7', 'value': '1001'}])
        an = self.show(nguyen)
        self.assertEqual((an['given_name'], an['birth_date'], an['sex']),
                         ('Văn An', '1980-07-04', 'male'))
        self.assertEqual(an['address']['line'], '"The Willows"\n400 River Rd')

        # Insurance, from a Windows-1252 file.
        [policy] = mary['insurance']
        self.assertEqual((policy['payer'], policy['plan'], policy['member_id'],
                          policy['subscriber_relation'], policy['start_date']),
                         ('Blue Cross Blue Shield of Illinois', 'PPO, Gold', 'XYZ123456', 'self',
                          '2024-01-01'))
        jurgen = self.show(muller)
        self.assertEqual([p['payer'] for p in jurgen['insurance']], ['Assurance Générale'])
        self.assertEqual(jurgen['insurance'][0]['subscriber_relation'], 'spouse')

        # The chart: ICD-10 codes with the dot put back and their names from
        # Charta's list, medications with their sig, allergies, CVX codes.
        chart = mary['chart']
        self.assertEqual({(p['code'], p['onset'], p['status']) for p in chart['problems']},
                         {('E11.9', '2010-05-01', 'active'), ('I10', '2012-01-15', 'active')})
        self.assertIn('Essential (primary) hypertension',
                      [p['display'] for p in chart['problems']])
        self.assertEqual(chart['medications'],
                         [{'name': 'Metformin 500 mg tablet', 'dose': '1 tab PO BID, with meals',
                           'start': '2010-05-01'}])
        self.assertEqual([(a['substance'], a['kind'], a['severity'], a['reaction'])
                          for a in chart['allergies']],
                         [('Penicillin', 'drug', 'moderate', 'Hives, itching')])
        self.assertEqual([(i['cvx'], i['date'], i['status']) for i in chart['immunizations']],
                         [('140', '2023-10-01', 'historical')])
        self.assertEqual([(p['code'], p['onset'], p['status'], p['display'])
                          for p in jurgen['chart']['problems']],
                         [('J45.909', '2003-01-02', 'resolved', 'Asthma, "mild"')])
        self.assertEqual(self.show(nguyen)['chart']['medications'], [])  # its stop date is bad
        self.assertEqual([i['cvx'] for i in self.show(nguyen)['chart']['immunizations']], ['03'])

        # Appointments, moved on to the status they had.
        appointments = {(a['start'], a['provider'], a['patient_mrn'], a['type'], a['status'],
                         a['duration_min'])
                        for a in self.appointments()}
        self.assertEqual(appointments,
                         {('2024-03-04T09:30:00Z', 'garcia', obrien, 'follow-up', 'done', 20),
                          ('2024-03-04T10:00:00Z', 'patel', nguyen, 'follow-up', 'no-show', 20)})

        # Opening balances, kept for the ledger: audited with their amounts.
        audit = self.audit()
        self.assertIn('opening balance 1234.56 from medoffice7', audit)
        self.assertIn('opening balance -25.00 from medoffice7', audit)
        self.assertEqual(audit.count(',opening-balance,'), 2)
        for section in SECTIONS:
            self.assertIn(',migration,%s,' % section, audit)
        self.demo('admin', 'audit', 'verify')

        # Again: nothing new, the same rows rejected.
        again = self.run_import()
        sections, rejects = self.parse(again.stdout)
        for name, (imported, rejected) in COUNTS.items():
            self.assertEqual(sections[name], (0, imported, rejected), name)
        self.assert_rejects(rejects)
        self.assertEqual(len(self.find("O'Brien")), 1)
        self.assertEqual(len(self.show(obrien)['chart']['problems']), 2)
        self.assertEqual(len(self.appointments()), 2)
        self.assertEqual(self.audit().count(',opening-balance,'), 2)

    def test_only_new_rows_are_imported(self):
        self.run_import()
        # The rows fixed and a new patient with a problem, as a later export has them.
        with open(os.path.join(self.data, 'PATIENTS.CSV'), 'ab') as f:
            f.write(b'1006,"Okafor","Chidi","12/01/1999","M","","","","","",""\r\n')
        with open(os.path.join(self.data, 'PROBLEMS.CSV'), 'a', newline='') as f:
            f.write('P6,1006,J45909,,2/3/2020,A\n')
        proc = self.run_import()
        sections, _ = self.parse(proc.stdout)
        self.assertEqual(sections['patients'], (1, 3, 2))
        self.assertEqual(sections['problems'], (1, 3, 2))
        [mrn] = self.find('Okafor')
        self.assertEqual([(p['code'], p['onset']) for p in self.show(mrn)['chart']['problems']],
                         [('J45.909', '2020-02-03')])
        # Rows that are all right now are imported; the others still wait.
        with open(os.path.join(self.data, 'BALANCES.CSV'), 'w', newline='') as f:
            f.write('Patient ID,Balance,As Of\r\n1005,0.00,12/31/2024\r\n')
        mapping = os.path.join(self.data, 'balances.ini')
        with open(mapping, 'w') as f:
            f.write('[source]\nname=medoffice7\ndate-formats=%m/%d/%Y\n\n'
                    '[balances]\nfile=BALANCES.CSV\npatient=Patient ID\namount=Balance\n'
                    'as_of=As Of\n')
        proc = self.run_import(mapping=mapping, expect=0)
        self.assertEqual(proc.stdout.splitlines(),
                         ['balances: 1 imported, 0 skipped (already imported), 0 rejected'])

    def test_a_row_failing_midway_leaves_nothing(self):
        # APPOINTMENTS.CSV line 5 is booked, then moved to a status Charta
        # does not know: the booking goes with the row.
        self.run_import()
        starts = [a['start'] for a in self.appointments()]
        self.assertNotIn('2024-03-06T11:00:00Z', starts)
        audit = self.audit()
        self.assertNotIn('2024-03-06 11:00', audit)
        self.assertEqual(len(re.findall(r',create,appointment,\d+,\d+,"booked 2024-03-0', audit)), 2)
        self.demo('admin', 'audit', 'verify')
        # A patient row the controller refuses leaves no patient either.
        self.assertEqual(self.find('Smith, Jane'), [])

    def test_a_patient_already_in_charta_is_not_registered_twice(self):
        mrn = self.demo('frontdesk', 'patient', 'add', '--family', 'Muller', '--given', 'Jurgen',
                        '--birth-date', '1945-11-11', '--sex', 'male').stdout.split()[-1]
        proc = self.run_import()
        sections, rejects = self.parse(proc.stdout)
        self.assertEqual(sections['patients'], (2, 0, 3))
        self.assertIn('already in Charta as MRN %s' % mrn, rejects[('PATIENTS.CSV', 7)])
        # Its rows wait for it: nothing lands in another chart.
        self.assertIn('unknown patient key “1005”', rejects[('ALLERGIES.CSV', 3)])
        self.assertEqual(self.find('Müller'), [mrn])
        self.assertEqual(self.show(mrn)['chart']['allergies'], [])

    # ---- bad input ------------------------------------------------------------

    def write_mapping(self, text):
        path = os.path.join(self.tmp, 'bad.ini')
        with open(path, 'w') as f:
            f.write(text)
        return path

    def test_bad_mappings_are_refused_with_nothing_written(self):
        with open(self.mapping) as f:
            good = f.read()
        cases = [
            ('[source\nname=x\n', 'Cannot read the mapping'),
            (good.replace('name=medoffice7\n', ''), '[source] needs name='),
            (good.replace('[balances]', '[ledger]'), '[ledger] is not a section Charta imports'),
            (good.replace('family_name=Last Name', 'family_name=Surname'),
             'PATIENTS.CSV has no column “Surname”'),
            (good.replace('family_name=Last Name', 'surname=Last Name'),
             '[patients] has no field “surname”'),
            (good.replace('key=Patient ID\nfamily_name', 'family_name'), '[patients] needs key='),
            (good.replace('dose=Sig\n', 'dose=Sig\nbirth_date=Start\n'),
             '[medications] has no field “birth_date”'),
            (good.replace('code-system=cvx', 'code-system=snomed'),
             'code-system=snomed is not one of cvx, text'),
            (good.replace('encoding=windows-1252', 'encoding=ebcdic'),
             '“ebcdic” is not an encoding'),
        ]
        for text, words in cases:
            proc = self.run_import(mapping=self.write_mapping(text))
            self.assertIn(words, proc.stderr, words)
            self.assertEqual(proc.stdout, '', words)
        proc = self.run_import(mapping=os.path.join(self.tmp, 'none.ini'))
        self.assertIn('there is no such file', proc.stderr)
        self.assert_nothing_written()

    def test_missing_and_malformed_files_are_refused_with_nothing_written(self):
        # A file of a late section missing: not even the patients are imported.
        os.remove(os.path.join(self.data, 'BALANCES.CSV'))
        proc = self.run_import()
        self.assertIn('BALANCES.CSV: there is no such file', proc.stderr)
        self.assertEqual(proc.stdout, '')
        self.assert_nothing_written()

        shutil.copy(os.path.join(DATA, 'BALANCES.CSV'), self.data)
        with open(os.path.join(self.data, 'MEDS.CSV'), 'ab') as f:
            f.write(b'1001,1,"Aspirin 81 mg,1 daily,01/01/2020,,Active\r\n')
        proc = self.run_import()
        self.assertIn('MEDS.CSV:4: a quoted field is not closed', proc.stderr)
        self.assert_nothing_written()

        # Windows-1252 bytes in a file said to be UTF-8.
        with open(self.mapping) as f:
            text = f.read().replace('encoding=windows-1252\n', '')
        proc = self.run_import(mapping=self.write_mapping(text))
        self.assertIn('INSURANCE.CSV:3: not UTF-8 text', proc.stderr)
        self.assert_nothing_written()

    # ---- who may ------------------------------------------------------------

    def test_permissions_and_usage(self):
        for user in ('frontdesk', 'admin', 'manager'):
            proc = self.run_import(user=user)
            self.assertNotEqual(proc.stderr, '')
            self.assertEqual(proc.stdout, '', user)
        self.assert_nothing_written()
        self.demo('doctor', 'import', 'csv', self.data, expect=2)
        self.demo('doctor', 'import', 'csv', '--mapping', self.mapping, expect=2)
        proc = self.run_admin('import', 'csv', '--help')
        self.assertIn('charta-admin import csv', proc.stdout)
        self.assertIn('--dry-run', proc.stdout)


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: test_csv_import.py CHARTA_ADMIN [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
