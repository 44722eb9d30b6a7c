#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin report: the real binary on a demo practice. The catalogue
(table and JSON); appointments booked through "schedule book" in March 2031,
when the demo practice has none, counted by the schedule reports to CSV read
back with the csv module and to PDF read back with pdftotext; the patient
reports' totals against the demo's patients; a saved filter's round trip (a
saved "group" used, then overridden); bad dates, unknown reports, options
and values, formats, providers and filters, each with its message and exit
status; the front desk refused.

Usage: test_reports.py PATH/TO/charta-admin [unittest arguments]
"""

import csv
import datetime
import json
import os
import subprocess
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402

MARCH = ('--from', '2031-03-01', '--to', '2031-03-31')
MONDAY = '2031-03-03'
MY_REPORTS = ('appointments', 'utilisation', 'no-shows', 'new-patients', 'demographics',
              'active-patients')


class ReportTests(test_cli.DemoPracticeTestCase):

    demo_patients = 5

    def book(self, n, provider, kind, time, minutes=None):
        args = ['schedule', 'book', '--patient', test_cli.PatientTests.demo_mrn(n),
                '--provider', provider, '--type', kind, '--start', '%sT%s' % (MONDAY, time),
                '--outside-hours']
        if minutes is not None:
            args += ['--duration', str(minutes)]
        self.demo('frontdesk', *args)

    def book_march(self):
        # García: a follow-up (20) and an annual exam (30); Patel: a follow-up of 30.
        self.book(1, 'garcia', 'follow-up', '09:00')
        self.book(2, 'garcia', 'annual-exam', '10:00')
        self.book(3, 'patel', 'follow-up', '14:00', minutes=30)

    def csv_rows(self, *args, user='manager'):
        path = os.path.join(self.tmp, 'out.csv')
        if os.path.exists(path):
            os.unlink(path)
        proc = self.demo(user, 'report', *args, '--format', 'csv', '--out', path)
        self.assertIn(path, proc.stdout)
        with open(path, newline='', encoding='utf-8') as f:
            return list(csv.reader(f))

    def test_list(self):
        table = self.run_admin('report', 'list').stdout
        for name in MY_REPORTS:
            self.assertIn(name, table)
        self.assertIn('group=provider|type|status', table)
        reports = {r['name']: r for r in json.loads(self.run_admin('report', 'list', '--json').stdout)}
        for name in MY_REPORTS:
            self.assertIn(name, reports)
            self.assertFalse(reports[name]['names_patients'])
        self.assertTrue(reports['appointments']['period'])
        self.assertFalse(reports['demographics']['period'])
        self.assertFalse(reports['demographics']['provider'])
        group = reports['appointments']['options'][0]
        self.assertEqual(group['name'], 'group')
        self.assertEqual(group['choices'], ['provider', 'type', 'status'])
        self.assertEqual(group['default'], 'provider')
        by = reports['demographics']['options'][0]
        self.assertEqual(by['choices'], ['age-band', 'sex', 'language', 'payer'])

    def test_schedule_reports(self):
        self.book_march()

        rows = self.csv_rows('appointments', *MARCH)
        self.assertEqual(rows[0], ['Provider', 'Booked', 'Confirmed', 'Arrived', 'In room', 'Done',
                                   'No-show', 'Cancelled', 'Total'])
        self.assertEqual(rows[1:], [['Dr. Ana García', '2', '0', '0', '0', '0', '0', '0', '2'],
                                    ['Dr. Ravi Patel', '1', '0', '0', '0', '0', '0', '0', '1'],
                                    ['Total', '3', '0', '0', '0', '0', '0', '0', '3']])

        rows = self.csv_rows('appointments', *MARCH, '--option', 'group=type')
        self.assertEqual([r[0] for r in rows], ['Appointment type', 'annual-exam', 'follow-up', 'Total'])
        self.assertEqual([r[-1] for r in rows[1:]], ['1', '2', '3'])

        rows = self.csv_rows('appointments', *MARCH, '--option', 'group=status')
        self.assertEqual(rows[0], ['Status', 'Appointments', 'Share'])
        self.assertEqual(rows[1], ['Booked', '3', '100'])
        self.assertEqual(rows[-1], ['Total', '3', '100'])

        # "report NAME" is "report run NAME"; one provider only.
        path = os.path.join(self.tmp, 'patel.csv')
        self.demo('doctor', 'report', 'run', 'appointments', *MARCH, '--provider', 'patel',
                  '--out', path)
        with open(path, newline='', encoding='utf-8') as f:
            rows = list(csv.reader(f))
        self.assertEqual([r[0] for r in rows[1:]], ['Dr. Ravi Patel', 'Total'])

        # The Monday: 8–17 less an hour's break, for each.
        rows = self.csv_rows('utilisation', '--from', MONDAY, '--to', MONDAY)
        self.assertEqual(rows[0], ['Provider', 'Booked minutes', 'Available minutes', 'Utilisation'])
        self.assertEqual(rows[1:], [['Dr. Ana García', '50', '480', '10.4'],
                                    ['Dr. Ravi Patel', '30', '480', '6.3'],
                                    ['Total', '80', '960', '8.3']])

        rows = self.csv_rows('no-shows', *MARCH)
        self.assertEqual(rows[-1], ['Total', '3', '0', '0', '0', '0'])

        rows = self.csv_rows('new-patients', '--from', '2031-01-01', '--to', '2031-03-31')
        self.assertEqual(rows, [['Month', 'New patients'], ['2031-01', '0'], ['2031-02', '0'],
                                ['2031-03', '0'], ['Total', '0']])

        # The same report as PDF: title, period, the numbers.
        pdf = os.path.join(self.tmp, 'appointments.pdf')
        self.demo('manager', 'report', 'appointments', *MARCH, '--format', 'pdf', '--out', pdf)
        text = subprocess.run(['pdftotext', '-layout', pdf, '-'], capture_output=True, text=True,
                              check=True).stdout
        self.assertIn('Appointments by provider, type and status', text)
        self.assertIn('1 March 2031 – 31 March 2031', text)
        self.assertIn('Dr. Ravi Patel', text)
        self.assertRegex(text, r'Total\s+3\s+0\s+0\s+0\s+0\s+0\s+0\s+3')

    def test_patient_reports(self):
        today = datetime.date.today().isoformat()
        for by in ('age-band', 'sex', 'language', 'payer'):
            rows = self.csv_rows('demographics', '--to', today, '--option', 'by=' + by)
            self.assertEqual(rows[0][1:], ['Patients', 'Share'])
            self.assertEqual(rows[-1][:2], ['Total', str(self.demo_patients)], by)
            self.assertEqual(sum(int(r[1]) for r in rows[1:-1]), self.demo_patients, by)
        rows = self.csv_rows('demographics', '--to', today, '--option', 'by=sex')
        self.assertEqual([r[0] for r in rows[1:]], ['Female', 'Male', 'Other', 'Unknown', 'Total'])

        rows = self.csv_rows('active-patients', '--to', today)
        self.assertEqual(rows[0], ['Provider of the last visit', 'Active patients', 'Share'])
        total = int(rows[-1][1])
        self.assertLessEqual(total, self.demo_patients)
        self.assertEqual(sum(int(r[1]) for r in rows[1:-1]), total)
        # Nobody was seen in the 18 months before the practice's first visits.
        rows = self.csv_rows('active-patients', '--to', '2001-01-01')
        self.assertEqual(rows, [['Provider of the last visit', 'Active patients', 'Share'],
                                ['Total', '0', '']])

        pdf = os.path.join(self.tmp, 'demographics.pdf')
        self.demo('manager', 'report', 'demographics', '--to', '2026-03-31', '--option', 'by=sex',
                  '--out', pdf)
        text = subprocess.run(['pdftotext', pdf, '-'], capture_output=True, text=True,
                              check=True).stdout
        self.assertIn('Patient demographics', text)
        self.assertIn('As of 31 March 2026', text)

    def test_saved_filters(self):
        self.book_march()
        self.demo('manager', 'report', 'filters', 'save', 'appointments', 'March 2031', *MARCH,
                  '--option', 'group=type')
        self.demo('manager', 'report', 'filters', 'save', 'no-shows', 'Patel last month',
                  '--period', 'last-month', '--provider', 'patel')
        saved = json.loads(self.demo('manager', 'report', 'filters', 'list', '--json').stdout)
        self.assertEqual([(f['report'], f['name']) for f in saved],
                         [('appointments', 'March 2031'), ('no-shows', 'Patel last month')])
        self.assertEqual(saved[0]['from'], '2031-03-01')
        self.assertEqual(saved[0]['options'], {'group': 'type'})
        self.assertEqual(saved[1]['period'], 'last-month')
        self.assertIsNone(saved[1]['from'])
        self.assertEqual(saved[1]['provider'], 'patel')
        # Another user's list is their own.
        self.assertEqual(json.loads(self.demo('doctor', 'report', 'filters', 'list',
                                              '--json').stdout), [])

        rows = self.csv_rows('appointments', '--filter', 'March 2031')
        self.assertEqual([r[0] for r in rows], ['Appointment type', 'annual-exam', 'follow-up', 'Total'])
        rows = self.csv_rows('appointments', '--filter', 'March 2031', '--option', 'group=status')
        self.assertEqual(rows[0][0], 'Status')
        self.csv_rows('no-shows', '--filter', 'Patel last month')

        # Saving the name again replaces it.
        self.demo('manager', 'report', 'filters', 'save', 'appointments', 'March 2031', *MARCH)
        saved = json.loads(self.demo('manager', 'report', 'filters', 'list', '--report',
                                     'appointments', '--json').stdout)
        self.assertEqual(len(saved), 1)
        self.assertEqual(saved[0]['options'], {})

        self.demo('manager', 'report', 'filters', 'delete', 'appointments', 'March 2031')
        proc = self.demo('manager', 'report', 'filters', 'delete', 'appointments', 'March 2031',
                         expect=1)
        self.assertIn('There is no saved filter “March 2031”', proc.stderr)
        proc = self.demo('manager', 'report', 'appointments', '--filter', 'March 2031',
                         '--out', os.path.join(self.tmp, 'x.csv'), expect=1)
        self.assertIn('There is no saved filter', proc.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'x.csv')))
        proc = self.demo('manager', 'report', 'filters', 'save', 'appointments', 'Bad', *MARCH,
                         '--option', 'group=colour', expect=2)
        self.assertIn('“colour” is not a value of the option “group”', proc.stderr)

    def test_bad_usage(self):
        out = os.path.join(self.tmp, 'bad.csv')
        cases = [
            (('appointments', '--from', '2031-02-30', '--to', '2031-03-31'),
             '“2031-02-30” is not a date (YYYY-MM-DD)'),
            (('appointments', '--from', '2031-04-01', '--to', '2031-03-31'),
             'The period starts (2031-04-01) after it ends (2031-03-31)'),
            (('appointments', '--period', 'last-fortnight'), 'Unknown period “last-fortnight”'),
            (('appointments',), 'Give --from and --to, or --period'),
            (('bogus', *MARCH), 'There is no report “bogus”'),
            (('run', 'bogus', *MARCH), 'There is no report “bogus”'),
            (('appointments', *MARCH, '--option', 'colour=blue'),
             'The report “appointments” has no option “colour”'),
            (('appointments', *MARCH, '--option', 'group'), '“group” is not NAME=VALUE'),
            (('appointments', *MARCH, '--option', 'type=abc'), '“abc” is not an appointment type'),
            (('demographics', '--to', '2031-03-31', '--provider', 'garcia'),
             'The report “demographics” does not take a provider'),
            (('appointments', *MARCH, '--format', 'xls', '--out', out), 'Unknown format “xls”'),
            (('appointments', *MARCH, '--out', os.path.join(self.tmp, 'bad.txt')),
             'Give --format csv or pdf'),
        ]
        for args, message in cases:
            proc = self.demo('manager', 'report', *args, expect=2)
            self.assertIn(message, proc.stderr, args)
        self.assertFalse(os.path.exists(out))

        proc = self.demo('manager', 'report', 'appointments', *MARCH, '--provider', 'nobody',
                         '--out', out, expect=1)
        self.assertIn('There is no provider “nobody”', proc.stderr)
        proc = self.demo('manager', 'report', 'appointments', *MARCH, '--option', 'type=999',
                         '--out', out, expect=1)
        self.assertIn('There is no appointment type 999', proc.stderr)
        proc = self.demo('frontdesk', 'report', 'appointments', *MARCH, '--out', out, expect=1)
        self.assertIn('Not allowed', proc.stderr)
        self.assertFalse(os.path.exists(out))

        # A report the administrator may run: counts only.
        self.demo('admin', 'report', 'appointments', *MARCH, '--out', out)
        self.assertTrue(os.path.exists(out))


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: test_reports.py CHARTA_ADMIN [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
