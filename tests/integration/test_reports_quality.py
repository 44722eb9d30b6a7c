#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin report quality and quality-patients: the real binary on a
demo practice, checked against an independent computation of the measures
from the practice's own FHIR R4 export ("export fhir --all": patients,
encounters, conditions, vital signs, immunizations) and the CVX table in
resources/data/cvx. Every measure's denominator is the exact set of
patients; the numerators of blood pressure, BMI and childhood immunization
are recomputed too (HbA1c results and smoking status are not in the export:
their numerators are checked against the patient lists). CSV read back with
the csv module, PDF with pdftotext; the front desk and the administrator are
refused; a bad option is refused and writes nothing.

Usage: test_reports_quality.py PATH/TO/charta-admin [unittest arguments]
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

CVX_TSV = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                       'resources', 'data', 'cvx', 'cvx.tsv')

MEASURES = ['hba1c-tested', 'hba1c-poor', 'bp-controlled', 'child-immunization', 'bmi',
            'smoking']
TITLES = ['Diabetes: HbA1c measured', 'Diabetes: HbA1c poor control (> 9 %)',
          'Hypertension: blood pressure controlled', 'Childhood immunization status',
          'Adults with a BMI recorded', 'Smoking status recorded']
# Doses needed by the second birthday, by the vaccine groups of cvx.tsv.
DOSES = {'dtap': 4, 'ipv': 3, 'mmr': 1, 'hib': 3, 'hepb': 3, 'varicella': 1, 'pcv': 4}


def minus_years(day, years):
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def age_on(birth, day):
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def instant(text):
    return datetime.datetime.fromisoformat(text.replace('Z', '+00:00'))


def load_ndjson(folder, kind):
    path = os.path.join(folder, kind + '.ndjson')
    if not os.path.exists(path):
        return []
    with open(path, encoding='utf-8') as f:
        return [json.loads(line) for line in f if line.strip()]


def code_of(concept, system):
    for coding in concept.get('coding', []):
        if coding.get('system') == system:
            return coding.get('code')
    return None


def cvx_groups():
    with open(CVX_TSV, encoding='utf-8') as f:
        rows = list(csv.DictReader(f, delimiter='\t'))
    return {int(r['cvx']): r['vaccine_group'].split(',') for r in rows}


class Expected:
    """The measures as of @to, computed from the FHIR export alone."""

    def __init__(self, folder, to):
        self.to = to
        self.start = datetime.datetime.combine(minus_years(to, 1) + datetime.timedelta(days=1),
                                               datetime.time(), datetime.timezone.utc)
        self.end = datetime.datetime.combine(to + datetime.timedelta(days=1), datetime.time(),
                                             datetime.timezone.utc)
        self.patients = {}
        for p in load_ndjson(folder, 'Patient'):
            if p.get('active') is False or 'birthDate' not in p:
                continue
            mrn = next(i['value'] for i in p['identifier'] if i.get('system') == 'urn:charta:mrn')
            self.patients['Patient/' + p['id']] = {
                'mrn': mrn, 'birth': datetime.date.fromisoformat(p['birthDate']),
                'visit': False, 'problems': [], 'bp': [], 'bmi': False, 'weight': False,
                'height': False, 'vaccines': []}
        for e in load_ndjson(folder, 'Encounter'):
            p = self.patients.get(e['subject']['reference'])
            if p and e['status'] != 'entered-in-error' \
                    and self.start <= instant(e['period']['start']) < self.end:
                p['visit'] = True
        for c in load_ndjson(folder, 'Condition'):
            p = self.patients.get(c['subject']['reference'])
            clinical = code_of(c.get('clinicalStatus', {}),
                               'http://terminology.hl7.org/CodeSystem/condition-clinical')
            verification = code_of(c.get('verificationStatus', {}),
                                   'http://terminology.hl7.org/CodeSystem/condition-ver-status')
            code = code_of(c['code'], 'http://hl7.org/fhir/sid/icd-10-cm')
            if p and code and clinical == 'active' and verification != 'entered-in-error':
                p['problems'].append(code)
        for o in load_ndjson(folder, 'Observation'):
            p = self.patients.get(o['subject']['reference'])
            if not p or o['status'] == 'entered-in-error' or 'effectiveDateTime' not in o:
                continue
            when = instant(o['effectiveDateTime'])
            if not self.start <= when < self.end:
                continue
            code = code_of(o['code'], 'http://loinc.org')
            if code == '85354-9':
                parts = {code_of(c['code'], 'http://loinc.org'): c['valueQuantity']['value']
                         for c in o.get('component', []) if 'valueQuantity' in c}
                if '8480-6' in parts and '8462-4' in parts:
                    p['bp'].append((when, parts['8480-6'], parts['8462-4']))
            elif code == '39156-5':
                p['bmi'] = True
            elif code == '29463-7':
                p['weight'] = True
            elif code == '8302-2':
                p['height'] = True
        for i in load_ndjson(folder, 'Immunization'):
            p = self.patients.get(i['patient']['reference'])
            code = code_of(i['vaccineCode'], 'http://hl7.org/fhir/sid/cvx')
            if p and code and i['status'] == 'completed':
                p['vaccines'].append((int(code), i['occurrenceDateTime'][:10]))
        self.groups = cvx_groups()

    def in_age(self, p, low, high=None):
        age = age_on(p['birth'], self.to)
        return p['visit'] and age >= low and (high is None or age <= high)

    @staticmethod
    def has_problem(p, prefixes):
        return any(code.startswith(prefixes) for code in p['problems'])

    def immunized(self, p):
        try:
            second = p['birth'].replace(year=p['birth'].year + 2)
        except ValueError:
            second = p['birth'].replace(year=p['birth'].year + 2, day=28)
        by = second.isoformat()
        days = {group: set() for group in DOSES}
        parts = {'measles': set(), 'mumps': set(), 'rubella': set()}
        for cvx, day in p['vaccines']:
            if day > by:
                continue
            for group in self.groups.get(cvx, []):
                if group == 'mmr' and cvx not in (3, 94):
                    # Single antigens and partial combinations make one MMR
                    # only together.
                    for part, codes in (('measles', (4, 5)), ('mumps', (7, 38)),
                                        ('rubella', (4, 6, 38))):
                        if cvx in codes:
                            parts[part].add(day)
                elif group in days:
                    days[group].add(day)
        if not days['mmr'] and all(parts.values()):
            days['mmr'].add('parts')
        return all(len(days[g]) >= n for g, n in DOSES.items())

    def denominator(self, measure):
        """{mrn: met or None (not computable from the export)}"""
        result = {}
        from_day = minus_years(self.to, 1) + datetime.timedelta(days=1)
        for p in self.patients.values():
            met = None
            if measure in ('hba1c-tested', 'hba1c-poor'):
                if not (self.in_age(p, 18, 75) and self.has_problem(p, ('E10', 'E11', 'E13'))):
                    continue
            elif measure == 'bp-controlled':
                if not (self.in_age(p, 18, 85)
                        and self.has_problem(p, ('I10', 'I11', 'I12', 'I13', 'I14', 'I15', 'I16'))):
                    continue
                last = max(p['bp'], default=None)
                met = last is not None and last[1] < 140 and last[2] < 90
            elif measure == 'child-immunization':
                second = p['birth'].replace(year=p['birth'].year + 2) \
                    if (p['birth'].month, p['birth'].day) != (2, 29) \
                    else p['birth'].replace(year=p['birth'].year + 2, day=28)
                if not (p['visit'] and from_day <= second <= self.to):
                    continue
                met = self.immunized(p)
            elif measure == 'bmi':
                if not self.in_age(p, 18):
                    continue
                met = p['bmi'] or (p['weight'] and p['height'])
            elif measure == 'smoking':
                if not self.in_age(p, 13):
                    continue
            result[p['mrn']] = met
        return result


class QualityReportTests(test_cli.DemoPracticeTestCase):

    demo_patients = 40

    def setUp(self):
        super().setUp()
        self.env['TZ'] = 'UTC'
        # The demo's history ends today; a day some months back moves the
        # 12 months over other visits.
        self.today = datetime.datetime.now(datetime.timezone.utc).date()
        export = os.path.join(self.tmp, 'fhir')
        self.demo('doctor', 'export', 'fhir', '--all', '--out', export)
        self.export = export

    def run_csv(self, user, name, to, *options, expect=0):
        out = os.path.join(self.tmp, '%s-%s.csv' % (name, len(os.listdir(self.tmp))))
        args = ['report', name, '--to', to.isoformat(), '--format', 'csv', '--out', out]
        for option in options:
            args += ['--option', option]
        proc = self.demo(user, *args, expect=expect)
        if expect != 0:
            self.assertFalse(os.path.exists(out))
            return proc
        with open(out, newline='', encoding='utf-8') as f:
            return list(csv.reader(f))

    def check_day(self, to):
        expected = Expected(self.export, to)
        summary = self.run_csv('doctor', 'quality', to)
        self.assertEqual(summary[0], ['Measure', 'Denominator', 'Numerator', 'Rate', 'Note'])
        self.assertEqual([row[0] for row in summary[1:]], TITLES)

        for measure, title, row in zip(MEASURES, TITLES, summary[1:]):
            with self.subTest(measure=measure, to=to):
                want = expected.denominator(measure)
                rows = self.run_csv('doctor', 'quality-patients', to, 'measure=' + measure)
                self.assertEqual(rows[0], ['Patient', 'MRN', 'Birth date', 'Met', 'Value', 'Date'])
                got = {r[1]: r[3] == 'Yes' for r in rows[1:]}
                self.assertEqual(len(got), len(rows) - 1, 'a patient listed twice')
                self.assertEqual(sorted(got), sorted(want), 'the denominator')
                for mrn, met in want.items():
                    if met is not None:
                        self.assertEqual(got[mrn], met, 'patient %s' % mrn)
                for r in rows[1:]:
                    self.assertIn(r[3], ('Yes', 'No'))
                    if r[5]:
                        datetime.date.fromisoformat(r[5])

                denominator, numerator = int(row[1]), int(row[2])
                self.assertEqual(denominator, len(got))
                self.assertEqual(numerator, sum(got.values()))
                if denominator:
                    self.assertAlmostEqual(float(row[3]), 100.0 * numerator / denominator, places=5)
                else:
                    self.assertEqual(row[3], '')
                self.assertEqual(row[4], 'lower is better' if measure == 'hba1c-poor' else '')
        return summary

    def test_measures_today(self):
        summary = self.check_day(self.today)
        # The demo has diabetics, hypertensives and adults with visits: the
        # comparison above is about something.
        for row in (summary[1], summary[3], summary[5], summary[6]):
            self.assertGreater(int(row[1]), 0, row)

    def test_measures_months_ago(self):
        self.check_day(self.today - datetime.timedelta(days=200))

    def test_met_and_not_met(self):
        for measure in ('smoking', 'bp-controlled'):
            everyone = self.run_csv('manager', 'quality-patients', self.today, 'measure=' + measure)
            met = self.run_csv('manager', 'quality-patients', self.today, 'measure=' + measure,
                               'which=met')
            not_met = self.run_csv('manager', 'quality-patients', self.today,
                                   'measure=' + measure, 'which=not-met')
            self.assertEqual(met[0], everyone[0])
            self.assertEqual(sorted(r[1] for r in met[1:]),
                             sorted(r[1] for r in everyone[1:] if r[3] == 'Yes'))
            self.assertEqual(sorted(r[1] for r in not_met[1:]),
                             sorted(r[1] for r in everyone[1:] if r[3] == 'No'))
            self.assertTrue(all(r[3] == 'Yes' for r in met[1:]))

    def test_pdf(self):
        if shutil.which('pdftotext') is None:
            self.skipTest('pdftotext is not installed')
        out = os.path.join(self.tmp, 'quality.pdf')
        self.demo('manager', 'report', 'quality', '--to', self.today.isoformat(),
                  '--format', 'pdf', '--out', out)
        with open(out, 'rb') as f:
            self.assertEqual(f.read(5), b'%PDF-')
        text = subprocess.run(['pdftotext', '-layout', out, '-'], capture_output=True,
                              text=True, check=True).stdout
        squeezed = ''.join(text.split())
        for needle in ['Clinical quality measures', 'Denominator', 'Numerator',
                       'lower is better'] + TITLES:
            self.assertIn(''.join(needle.split()), squeezed)

        out = os.path.join(self.tmp, 'bp.pdf')
        self.demo('doctor', 'report', 'quality-patients', '--to', self.today.isoformat(),
                  '--option', 'measure=bp-controlled', '--format', 'pdf', '--out', out)
        text = subprocess.run(['pdftotext', '-layout', out, '-'], capture_output=True,
                              text=True, check=True).stdout
        rows = self.run_csv('doctor', 'quality-patients', self.today, 'measure=bp-controlled')
        squeezed = ''.join(text.split())
        for r in rows[1:]:
            self.assertIn(r[1], squeezed)

    def test_refused(self):
        for user in ('frontdesk', 'admin'):
            proc = self.run_csv(user, 'quality', self.today, expect=1)
            self.assert_failure_message(proc, 'not allowed')
        proc = self.run_csv('doctor', 'quality-patients', self.today, 'measure=cholesterol',
                            expect=2)
        self.assertIn('cholesterol', proc.stderr)
        proc = self.run_csv('doctor', 'quality-patients', self.today, 'which=some', expect=2)
        self.assertIn('some', proc.stderr)


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: test_reports_quality.py CHARTA_ADMIN [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
