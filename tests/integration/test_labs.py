#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin import hl7, hl7 queue/assign/reprocess/log and lab results:
the real binary on a demo practice, with ORU^R01 messages built by an
independent implementation, Debian's python-hl7, for demo patients. Results
land in the chart with units, ranges, flags and status; a correction replaces
the current value and keeps the old one (--history); a patient the message
does not match waits in the queue until assigned; several messages in one
file, MLLP frames; an unreadable message is logged as rejected (exit 1); the
front desk may not import.

Usage: test_labs.py PATH/TO/charta-admin [unittest arguments]
"""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402

try:
    import hl7
except ImportError:
    hl7 = None

demo_mrn = test_cli.PatientTests.demo_mrn


def build_oru(control, mrn, family, given, birth_date, order, observations,
              order_status='F', order_comment=None, field_sep='|', enc='^~\\&'):
    """An ORU^R01 built with python-hl7's API: @observations is a list of
    (value type, code, text, value, units, range, flags, status).
    python-hl7 escapes a letter past ASCII as \\Xhh\\ of its Latin-1 byte
    ("Horváth" as "Horv\\Xe1\\th"), so the message says it is ISO 8859-1
    (MSH-18) for those bytes to read back as the letters they were."""
    base = hl7.parse(f'MSH{field_sep}{enc}{field_sep}X')
    e = base.escape

    def seg(*fields):
        return base.create_segment(
            [base.create_field([f]) if isinstance(f, str) else f for f in fields])

    def field(*reps):
        return base.create_field([base.create_repetition(list(r)) for r in reps])

    segments = [
        seg('MSH', field_sep, enc, 'PYLIS', field(['PYTHON LAB', '2.16.840.1.113883.3.9', 'ISO']),
            'CHARTA', 'OAKWOOD', '20240405101500', '', field(['ORU', 'R01', 'ORU_R01']),
            control, 'P', '2.5.1', '', '', '', '', '', '8859/1'),
        seg('PID', '1', '', field([mrn, '', '', 'OAKWOOD', 'MR']), '',
            field([e(family), e(given)]), '', birth_date.replace('-', ''), 'F'),
        seg('OBR', '1', 'ORD-' + order, 'FIL-' + order, field(['LIPID', 'Lipid panel', 'L']),
            '', '', '20240405080000', *([''] * 17), order_status),
    ]
    if order_comment:
        segments.append(seg('NTE', '1', 'L', e(order_comment)))
    for i, (vtype, code, text, value, units, ref, flags, status) in enumerate(observations, 1):
        segments.append(seg('OBX', str(i), vtype, field([code, e(text), 'LN']), '', e(value),
                            e(units), e(ref), flags, '', '', status, '', '', '20240405080000'))
    return str(base.create_message(segments))


@unittest.skipIf(hl7 is None, 'python3-hl7 is not installed')
class LabTests(test_cli.DemoPracticeTestCase):

    demo_patients = 5

    def setUp(self):
        super().setUp()
        self.mrn = demo_mrn(2)
        chart = json.loads(self.demo('doctor', 'patient', 'show', self.mrn, '--json').stdout)
        self.family = chart['family_name']
        self.given = chart['given_name']
        self.birth_date = chart['birth_date']

    def message_file(self, name, *messages, mllp=False):
        path = os.path.join(self.tmp, name)
        with open(path, 'wb') as f:
            for text in messages:
                data = text.encode('utf-8')
                f.write(b'\x0b' + data + b'\x1c\r' if mllp else data + b'\r\n')
        return path

    def results(self, *extra, mrn=None):
        proc = self.demo('doctor', 'lab', 'results', '--patient', mrn or self.mrn, '--json',
                         *extra)
        return json.loads(proc.stdout)

    def log(self):
        return json.loads(self.demo('doctor', 'hl7', 'log', '--json').stdout)

    def lipid(self, control, cholesterol='212', status='F', **kw):
        return build_oru(control, self.mrn, self.family, self.given, self.birth_date, '100',
                         [('NM', '2093-3', 'Cholesterol, Total', cholesterol, 'mg/dL', '100-199',
                           'H', status),
                          ('NM', '2085-9', 'HDL Cholesterol', '<20', 'mg/dL', '>39', 'L', status),
                          ('ST', '8251-1', 'Comment', 'Fasting | 12 h & more', '', '', '', status)],
                         order_status=status, **kw)

    def test_import_into_the_chart(self):
        path = self.message_file('lipid.hl7', self.lipid('PY1', order_comment='Lipemic ^ sample'))
        proc = self.demo('nurse', 'import', 'hl7', path)
        self.assertIn('imported for MRN %s' % self.mrn, proc.stdout)
        results = {r['code']: r for r in self.results()}
        self.assertEqual(set(results), {'2093-3', '2085-9', '8251-1'})
        chol = results['2093-3']
        self.assertEqual(chol['value'], '212')
        self.assertEqual(chol['numeric_value'], 212)
        self.assertEqual(chol['units'], 'mg/dL')
        self.assertEqual(chol['reference_range'], '100-199')
        self.assertEqual(chol['abnormal_flags'], 'H')
        self.assertEqual(chol['status'], 'F')
        self.assertEqual(chol['system'], 'LN')
        self.assertEqual(chol['test_text'], 'Lipid panel')
        self.assertEqual(chol['filler_number'], 'FIL-100')
        self.assertEqual(chol['observed_at'], '2024-04-05T08:00:00')
        self.assertTrue(chol['current'])
        # Not a number: kept as the lab wrote it.
        self.assertEqual(results['2085-9']['value'], '<20')
        self.assertIsNone(results['2085-9']['numeric_value'])
        self.assertEqual(results['2085-9']['reference_range'], '>39')
        # python-hl7's escapes, decoded.
        self.assertEqual(results['8251-1']['value'], 'Fasting | 12 h & more')

        entry = self.log()[0]
        self.assertEqual(entry['outcome'], 'imported')
        self.assertEqual(entry['patient'], self.mrn)
        self.assertEqual(entry['control_id'], 'PY1')
        self.assertEqual(entry['source'], 'file')
        self.assertEqual(entry['sending_facility'], 'PYTHON LAB')

        # The import is in the patient's audit trail.
        audit = self.demo('admin', 'audit', 'list', '--csv').stdout
        self.assertIn('lab-results', audit)

    def test_correction_keeps_history(self):
        first = self.message_file('first.hl7', self.lipid('PY1'))
        fix = self.message_file('fix.hl7', self.lipid('PY2', cholesterol='189', status='C'))
        self.demo('doctor', 'import', 'hl7', first)
        proc = self.demo('doctor', 'import', 'hl7', fix)
        self.assertIn('3 replacing earlier ones', proc.stdout)

        current = {r['code']: r for r in self.results()}
        self.assertEqual(len(current), 3)
        self.assertEqual(current['2093-3']['value'], '189')
        self.assertEqual(current['2093-3']['status'], 'C')

        history = [r for r in self.results('--history') if r['code'] == '2093-3']
        self.assertEqual(len(history), 2)
        old = [r for r in history if not r['current']]
        self.assertEqual(len(old), 1)
        self.assertEqual(old[0]['value'], '212')
        self.assertEqual(old[0]['status'], 'F')
        self.assertEqual(old[0]['replaced_by'], current['2093-3']['id'])

        table = self.demo('doctor', 'lab', 'results', '--patient', self.mrn, '--history').stdout
        self.assertIn('replaced by %d' % current['2093-3']['id'], table)

    def test_several_messages_in_one_file(self):
        other = demo_mrn(3)
        chart = json.loads(self.demo('doctor', 'patient', 'show', other, '--json').stdout)
        second = build_oru('PY9', other, chart['family_name'], chart['given_name'],
                           chart['birth_date'], '200',
                           [('NM', '2345-7', 'Glucose', '104', 'mg/dL', '70-99', 'H', 'P')],
                           order_status='P', field_sep='!', enc='@~$%')
        for mllp in (False, True):
            with self.subTest(mllp=mllp):
                self.setUp()
                path = self.message_file('batch.hl7', self.lipid('PY1'), second, mllp=mllp)
                proc = self.demo('doctor', 'import', 'hl7', path)
                self.assertIn('(1/2)', proc.stdout)
                self.assertIn('(2/2)', proc.stdout)
                self.assertEqual(len(self.results()), 3)
                glucose = self.results(mrn=other)
                self.assertEqual([(r['code'], r['value'], r['status']) for r in glucose],
                                 [('2345-7', '104', 'P')])

    def test_unmatched_waits_then_assign(self):
        # The lab's own number and a birth date this chart does not have.
        text = build_oru('PY5', 'LAB-778', self.family, self.given, '1901-01-01', '300',
                         [('NM', '2093-3', 'Cholesterol, Total', '150', 'mg/dL', '100-199', 'N',
                           'F')])
        path = self.message_file('stranger.hl7', text)
        proc = self.demo('doctor', 'import', 'hl7', path)
        self.assertIn('queued', proc.stdout)
        self.assertEqual(self.results(), [])

        queue = json.loads(self.demo('doctor', 'hl7', 'queue', '--json').stdout)
        self.assertEqual(len(queue), 1)
        self.assertEqual(queue[0]['birth_date'], '1901-01-01')
        self.assertIn('LAB-778', queue[0]['reason'])
        message_id = str(queue[0]['id'])

        self.demo('frontdesk', 'hl7', 'assign', message_id, '--patient', self.mrn, expect=1)
        proc = self.demo('doctor', 'hl7', 'assign', message_id, '--patient', self.mrn)
        self.assertIn('imported for MRN %s' % self.mrn, proc.stdout)
        self.assertEqual([r['value'] for r in self.results()], ['150'])
        self.assertEqual(json.loads(self.demo('doctor', 'hl7', 'queue', '--json').stdout), [])
        # Once imported, it stays as it is.
        proc = self.demo('doctor', 'hl7', 'assign', message_id, '--patient', demo_mrn(1),
                         expect=1)
        self.assertIn('imported already', proc.stderr)

    def test_rejected_is_logged(self):
        good = self.message_file('good.hl7', self.lipid('PY1'))
        bad = self.write('bad.hl7', 'this is no HL7 message\n')
        proc = self.demo('doctor', 'import', 'hl7', good, bad, expect=1)
        self.assertIn('rejected', proc.stdout)
        self.assertIn('1 of 2 messages were not imported', proc.stderr)
        log = self.log()
        self.assertEqual([m['outcome'] for m in log], ['rejected', 'imported'])
        self.assertIn('cannot be read', log[0]['reason'])
        self.assertEqual(len(self.results()), 3)
        # The same message again is a duplicate, not a second copy.
        proc = self.demo('doctor', 'import', 'hl7', good, expect=1)
        self.assertIn('duplicate', proc.stdout.lower())
        self.assertEqual(len(self.results('--history')), 3)

    def test_permissions(self):
        path = self.message_file('lipid.hl7', self.lipid('PY1'))
        self.demo('frontdesk', 'import', 'hl7', path, expect=1)
        self.demo('manager', 'lab', 'results', '--patient', self.mrn, expect=1)
        self.assertEqual(self.log(), [])

    def test_usage(self):
        self.demo('doctor', 'import', 'hl7', expect=2)
        self.demo('doctor', 'hl7', 'assign', '12', expect=2)
        self.demo('doctor', 'hl7', 'assign', 'twelve', '--patient', self.mrn, expect=2)
        self.demo('doctor', 'lab', 'results', expect=2)
        for command in (['import', 'hl7'], ['hl7', 'queue'], ['hl7', 'assign'],
                        ['hl7', 'reprocess'], ['hl7', 'log'], ['lab', 'results']):
            proc = self.run_admin(*command, '--help')
            self.assertIn('charta-admin %s' % ' '.join(command), proc.stdout)


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: test_labs.py CHARTA_ADMIN [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
