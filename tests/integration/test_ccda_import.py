#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin import ccd, reconcile list/accept/decline: the real binary on a
demo practice. A CCD exported from one chart and imported into another chart
of the same person lists that chart's problems, allergies and medications,
and accepting them all makes the second chart hold the same; imported into
the chart it came from, every item is marked as already there. A CCD written
in another vendor's style (tests/data/ccda: SNOMED CT problems with ICD-10-CM
translations, RxNorm medications, nullFlavor codes whose text is only in the
narrative, R1.1 and R2.1 templateIds, entries without templateIds) gives the
items it holds. Decisions are all or nothing; a chart of another patient is
refused unless forced; a file that is not XML, XML that is not a CCD, a CCD
that declares entities (XXE: the file they name is never read) and a file too
large are refused with a clear message and nothing is staged.

Usage: test_ccda_import.py PATH/TO/charta-admin [unittest arguments]
"""

import csv
import io
import json
import os
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402

VENDOR_CCD = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, 'data',
                          'ccda', 'vendor-r21-ccd.xml')
demo_mrn = test_cli.PatientTests.demo_mrn
V3 = '{urn:hl7-org:v3}'

# What the vendor CCD holds, in order: (kind, system, code, text, details).
VENDOR_ITEMS = [
    ('problem', 'icd10cm', 'I10', 'Essential (primary) hypertension',
     {'onset': '2016-01-05', 'clinical_status': 'active'}),
    ('problem', None, None, 'Chronic migraine without aura',
     {'onset': None, 'clinical_status': 'active'}),
    ('problem', 'snomed', '427679007', 'Mild intermittent asthma',
     {'onset': '2008-03-01', 'clinical_status': 'resolved'}),
    ('problem', 'icd10cm', 'E11.9', 'Type 2 diabetes mellitus without complication',
     {'onset': '2019-04-12', 'clinical_status': 'active'}),
    ('allergy', 'rxnorm', '7980', 'Penicillin G',
     {'reaction': 'Hives', 'severity': 'moderate', 'allergy_kind': 'drug',
      'clinical_status': 'active'}),
    ('allergy', 'snomed', '256349002', 'Peanut',
     {'reaction': 'Anaphylaxis', 'severity': 'severe', 'allergy_kind': 'food',
      'clinical_status': 'active'}),
    ('allergy', None, None, 'Latex (natural rubber)',
     {'reaction': 'Rash', 'severity': None, 'allergy_kind': 'environment',
      'clinical_status': 'inactive'}),
    ('medication', 'rxnorm', '314076', 'lisinopril 10 MG Oral Tablet',
     {'dose': 'Take 1 tablet by mouth daily.', 'onset': '2016-01-05'}),
    ('medication', 'rxnorm', '861007', 'metFORMIN 500 MG tablet',
     {'dose': 'Take 1 tablet by mouth 2 times daily with meals.', 'onset': '2019-04-12'}),
    ('medication', None, None, 'Fish Oil 1,000 mg capsule',
     {'dose': 'Take 1 capsule by mouth daily.', 'onset': None, 'clinical_status': 'active'}),
    ('medication', 'rxnorm', '308191', 'amoxicillin 500 MG Oral Capsule',
     {'dose': 'Take 1 capsule by mouth 3 times daily for 10 days.', 'onset': '2024-02-03',
      'clinical_status': 'stopped'}),
]

XXE_CCD = '''<?xml version="1.0"?>
<!DOCTYPE ClinicalDocument [
  <!ENTITY secret SYSTEM "file://{path}">
]>
<ClinicalDocument xmlns="urn:hl7-org:v3">
  <title>&secret;</title>
  <recordTarget><patientRole><patient>
    <name><given>Marta</given><family>Quintero-Lind</family></name>
    <birthTime value="19610814"/>
  </patient></patientRole></recordTarget>
  <component><structuredBody><component><section>
    <code code="11450-4" codeSystem="2.16.840.1.113883.6.1"/>
    <entry><act><entryRelationship><observation>
      <value code="I10" codeSystem="2.16.840.1.113883.6.90" displayName="&secret;"/>
    </observation></entryRelationship></act></entry>
  </section></component></structuredBody></component>
</ClinicalDocument>
'''

LAUGHS_CCD = '''<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<ClinicalDocument xmlns="urn:hl7-org:v3"><title>&lol3;</title></ClinicalDocument>
'''


class CcdImportTests(test_cli.DemoPracticeTestCase):

    demo_patients = 5

    # ---- helpers ----------------------------------------------------------------

    def chart(self, mrn):
        return json.loads(self.demo('doctor', 'patient', 'show', mrn, '--json').stdout)

    def items(self, mrn, *extra):
        return json.loads(self.demo('doctor', 'reconcile', 'list', '--patient', mrn, '--json',
                                    *extra).stdout)

    def documents(self, mrn):
        return json.loads(self.demo('doctor', 'doc', 'list', '--patient', mrn, '--json').stdout)

    def import_ccd(self, mrn, path, *extra, user='doctor', expect=0):
        return self.demo(user, 'import', 'ccd', '--patient', mrn, path, *extra, expect=expect)

    def add_patient(self, family, given, birth_date, sex):
        return self.demo('frontdesk', 'patient', 'add', '--family', family, '--given', given,
                         '--birth-date', birth_date, '--sex', sex, '--force').stdout.strip()

    def add_marta(self):
        return self.add_patient('Quintero-Lind', 'Marta', '1961-08-14', 'female')

    def export(self, mrn):
        path = os.path.join(self.tmp, 'export-%s.xml' % mrn)
        self.demo('doctor', 'export', 'ccd', '--patient', mrn, '--out', path)
        return path

    def rich_patient(self):
        """A demo patient with problems, allergies and medications."""
        for n in range(1, self.demo_patients + 1):
            mrn = demo_mrn(n)
            chart = self.chart(mrn)['chart']
            if chart['problems'] and chart['allergies'] and chart['medications']:
                return mrn, self.chart(mrn)
        self.skipTest('no demo patient with problems, allergies and medications')

    def audit(self, *filters):
        proc = self.demo('admin', 'audit', 'list', '--csv', *filters, raw=True)
        return list(csv.DictReader(io.StringIO(proc.stdout.decode())))

    def incoming_audit(self):
        return [e for e in self.audit() if e['object_type'] == 'incoming']

    def assert_nothing_staged(self, mrn, documents_before):
        self.assertEqual(self.items(mrn), [])
        self.assertEqual(len(self.documents(mrn)), documents_before)
        self.assertEqual(self.incoming_audit(), [])

    @staticmethod
    def chart_sets(chart):
        c = chart['chart']
        return (
            sorted((p['code'], p['display'], p['status'], p['onset']) for p in c['problems']),
            sorted((a['substance'], a['reaction'], a['severity'], a['kind'])
                   for a in c['allergies']),
            sorted((m['name'], m['dose'], m['start']) for m in c['medications']),
        )

    # ---- round trip ---------------------------------------------------------------

    def test_round_trip_into_another_chart_of_the_same_person(self):
        mrn, source = self.rich_patient()
        path = self.export(mrn)
        copy = self.add_patient(source['family_name'], source['given_name'],
                                source['birth_date'], source['sex'])
        before = self.chart(copy)

        proc = self.import_ccd(copy, path)
        items = self.items(copy)
        lines = proc.stdout.splitlines()
        self.assertEqual(lines[0], 'Staged %d items from outside record %d'
                         % (len(items), items[0]['document']))
        self.assertEqual([line.split('\t')[:3] for line in lines[1:]],
                         [[str(i['id']), i['kind'], 'pending'] for i in items])

        src = source['chart']
        self.assertEqual(sorted((i['code'], i['text']) for i in items if i['kind'] == 'problem'),
                         sorted((p['code'], p['display']) for p in src['problems']))
        self.assertEqual(sorted((i['text'], i['reaction'], i['severity'])
                                for i in items if i['kind'] == 'allergy'),
                         sorted((a['substance'], a['reaction'], a['severity'])
                                for a in src['allergies']))
        self.assertEqual(sorted((i['text'], i['dose']) for i in items
                                if i['kind'] == 'medication'),
                         sorted((m['name'], m['dose']) for m in src['medications']))
        for item in items:
            if item['kind'] == 'problem':
                self.assertEqual(item['system'], 'icd10cm')
        # The document itself is filed with the chart's documents.
        docs = self.documents(copy)
        self.assertEqual(len(docs), 1, docs)
        self.assertEqual(docs[0]['category'], 'referral')
        self.assertEqual(docs[0]['content_type'], 'application/xml')
        self.assertEqual(self.chart(copy), before)   # staging changes no chart

        self.demo('doctor', 'reconcile', 'accept', '--patient', copy,
                  *[str(i['id']) for i in items])
        self.assertEqual(self.chart_sets(self.chart(copy)), self.chart_sets(source))
        self.assertEqual({i['status'] for i in self.items(copy)}, {'accepted'})
        self.assertEqual(self.items(copy, '--pending'), [])

        # The same document again: everything is on the chart now.
        self.import_ccd(copy, path)
        again = self.items(copy, '--pending')
        self.assertEqual(again, [])
        newest = [i for i in self.items(copy) if i['document'] != items[0]['document']]
        self.assertEqual(len(newest), len(items))
        self.assertEqual({i['status'] for i in newest}, {'already'})
        self.demo('admin', 'audit', 'verify')

    def test_import_into_the_chart_it_came_from_marks_everything_already(self):
        mrn, source = self.rich_patient()
        path = self.export(mrn)
        self.import_ccd(mrn, path)
        items = self.items(mrn)
        self.assertGreaterEqual(len(items), 3)
        self.assertEqual({i['status'] for i in items}, {'already'})
        self.assertTrue(all(i['already_item_id'] for i in items))
        self.assertEqual(self.chart(mrn)['chart'], source['chart'])
        # An item already on the chart is not accepted twice.
        proc = self.demo('doctor', 'reconcile', 'accept', '--patient', mrn, str(items[0]['id']),
                         expect=1)
        self.assert_failure_message(proc, 'already')

    # ---- another vendor's CCD ------------------------------------------------------

    def test_vendor_ccd_items(self):
        mrn = self.add_marta()
        self.import_ccd(mrn, VENDOR_CCD)
        items = self.items(mrn)
        self.assertEqual([(i['kind'], i['system'], i['code'], i['text']) for i in items],
                         [v[:4] for v in VENDOR_ITEMS])
        for item, expected in zip(items, VENDOR_ITEMS):
            for key, value in expected[4].items():
                self.assertEqual(item[key], value, (item, key))
            self.assertEqual(item['status'], 'pending')
        docs = self.documents(mrn)
        self.assertEqual(len(docs), 1)
        self.assertEqual(docs[0]['source'], 'Lakeshore Health System')
        self.assertEqual(docs[0]['date'], '2025-03-11')
        entries = self.incoming_audit()
        self.assertEqual(len(entries), 1)
        self.assertEqual(entries[0]['action'], 'create')
        self.assertIn('11 items', entries[0]['detail'])

    def test_accept_and_decline(self):
        mrn = self.add_marta()
        self.import_ccd(mrn, VENDOR_CCD)
        ids = {i['text']: str(i['id']) for i in self.items(mrn)}

        self.demo('doctor', 'reconcile', 'accept', '--patient', mrn,
                  ids['Essential (primary) hypertension'], ids['Penicillin G'],
                  ids['lisinopril 10 MG Oral Tablet'], ids['Mild intermittent asthma'],
                  ids['amoxicillin 500 MG Oral Capsule'])
        self.demo('nurse', 'reconcile', 'decline', '--patient', mrn, ids['Peanut'],
                  ids['Fish Oil 1,000 mg capsule'], '--reason', 'Patient denies it')

        chart = self.chart(mrn)['chart']
        self.assertEqual(sorted((p['code'], p['display'], p['status'], p['onset'])
                                for p in chart['problems']),
                         [('427679007', 'Mild intermittent asthma', 'resolved', '2008-03-01'),
                          ('I10', 'Essential (primary) hypertension', 'active', '2016-01-05')])
        self.assertEqual(chart['allergies'], [{'substance': 'Penicillin G', 'reaction': 'Hives',
                                               'severity': 'moderate', 'kind': 'drug'}])
        # The finished course is on the list as past, not current.
        self.assertEqual(chart['medications'],
                         [{'name': 'lisinopril 10 MG Oral Tablet',
                           'dose': 'Take 1 tablet by mouth daily.', 'start': '2016-01-05'}])
        exported = ET.parse(self.export(mrn)).getroot()
        states = [sa.find(V3 + 'statusCode').get('code')
                  for sa in exported.iter(V3 + 'substanceAdministration')
                  if sa.find('.//' + V3 + 'manufacturedMaterial/' + V3 + 'name').text
                  == 'amoxicillin 500 MG Oral Capsule']
        self.assertEqual(states, ['completed'])

        by_text = {i['text']: i for i in self.items(mrn)}
        hypertension = by_text['Essential (primary) hypertension']
        self.assertEqual((hypertension['status'], hypertension['decided_by']),
                         ('accepted', 'doctor'))
        self.assertTrue(hypertension['chart_item_id'] and hypertension['decided_at'])
        self.assertTrue(by_text['lisinopril 10 MG Oral Tablet']['reconciliation_id'])
        peanut = by_text['Peanut']
        self.assertEqual((peanut['status'], peanut['decided_by'], peanut['reason']),
                         ('declined', 'nurse', 'Patient denies it'))
        self.assertIsNone(peanut['chart_item_id'])
        self.assertEqual(len(self.items(mrn, '--pending')), 4)

        # Decided is decided.
        for command in (['accept'], ['decline', '--reason', 'again']):
            proc = self.demo('doctor', 'reconcile', *command, '--patient', mrn, ids['Peanut'],
                             expect=1)
            self.assert_failure_message(proc, 'Item %s' % ids['Peanut'], 'declined already')
        entries = [e for e in self.incoming_audit() if e['action'] == 'update']
        self.assertEqual(len(entries), 2)
        self.assertIn('5 accepted', entries[-1]['detail'])
        self.assertIn('2 declined', entries[0]['detail'])
        self.demo('admin', 'audit', 'verify')

    def test_decisions_are_all_or_nothing(self):
        mrn = self.add_marta()
        other = self.add_patient('Quintero-Lind', 'Marta', '1961-08-14', 'female')
        self.import_ccd(mrn, VENDOR_CCD)
        self.import_ccd(other, VENDOR_CCD)
        mine = [str(i['id']) for i in self.items(mrn)]
        theirs = [str(i['id']) for i in self.items(other)]
        before = self.chart(mrn)

        bad = [
            (mine[:3] + ['999999'], 'Item 999999'),
            (mine[:3] + [theirs[0]], 'Item %s' % theirs[0]),
            (mine[:3] + [mine[1]], 'Item %s' % mine[1]),
        ]
        for args, needle in bad:
            proc = self.demo('doctor', 'reconcile', 'accept', '--patient', mrn, *args, expect=1)
            self.assert_failure_message(proc, needle)
            self.assertEqual(self.chart(mrn), before)
            self.assertEqual(len(self.items(mrn, '--pending')), len(mine))

        # The front desk may not decide, nor import.
        proc = self.demo('frontdesk', 'reconcile', 'accept', '--patient', mrn, mine[0], expect=1)
        self.assertIn('charta-admin: ', proc.stderr)
        self.import_ccd(mrn, VENDOR_CCD, user='frontdesk', expect=1)
        self.assertEqual(self.chart(mrn), before)
        self.assertEqual(len(self.items(mrn)), len(mine))

        # Bad usage.
        for args in (['decline', '--patient', mrn, mine[0]],
                     ['accept', '--patient', mrn, 'seven'],
                     ['accept', '--patient', mrn],
                     ['list']):
            self.assert_usage_error(self.demo('doctor', 'reconcile', *args, expect=2))
        self.assert_usage_error(self.demo('doctor', 'import', 'ccd', VENDOR_CCD, expect=2))
        self.assertEqual(self.chart(mrn), before)

    # ---- the patient ------------------------------------------------------------------

    def test_another_patient_is_refused_unless_forced(self):
        mrn = demo_mrn(1)
        chart = self.chart(mrn)
        docs = len(self.documents(mrn))
        proc = self.import_ccd(mrn, VENDOR_CCD, expect=1)
        self.assert_failure_message(proc, 'Marta Ines Quintero-Lind, born 1961-08-14',
                                    '%s, born %s' % (chart['family_name'], chart['birth_date']),
                                    mrn)
        self.assert_nothing_staged(mrn, docs)

        # Same name, another birth date.
        twin = self.add_patient('Quintero-Lind', 'Marta', '1961-08-15', 'female')
        self.import_ccd(twin, VENDOR_CCD, expect=1)
        self.assertEqual(self.items(twin), [])

        self.import_ccd(mrn, VENDOR_CCD, '--force')
        self.assertEqual(len(self.items(mrn)), len(VENDOR_ITEMS))
        entries = self.incoming_audit()
        self.assertEqual(len(entries), 1)
        self.assertIn('FORCED', entries[0]['detail'])

    # ---- bad input --------------------------------------------------------------------

    def test_bad_files_are_refused_and_nothing_is_staged(self):
        mrn = self.add_marta()
        secret = self.write('secret.txt', 'TOP-SECRET-MARKER-4711\n')
        with open(VENDOR_CCD, encoding='utf-8') as f:
            vendor = f.read()
        cases = [
            ('empty.xml', '', 'empty'),
            ('garbage.xml', 'MSH|^~\\&|LAB|\r\x00\x01 not xml at all', 'not well-formed XML'),
            ('truncated.xml', vendor[:5000],
             'not well-formed XML'),
            ('other.xml', '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>',
             'not a CDA document'),
            ('nonamespace.xml', '<ClinicalDocument><title>x</title></ClinicalDocument>',
             'not a CDA document'),
            ('xxe.xml', XXE_CCD.format(path=secret), 'DOCTYPE'),
            ('xxe-vendor.xml', vendor.replace(
                '<ClinicalDocument ',
                '<!DOCTYPE ClinicalDocument [<!ENTITY s SYSTEM "file://%s">]>\n'
                '<ClinicalDocument ' % secret, 1).replace('<title>Lakeshore',
                                                          '<title>&s;Lakeshore'),
             'DOCTYPE'),
            ('laughs.xml', LAUGHS_CCD, 'DOCTYPE'),
        ]
        for name, text, needle in cases:
            with self.subTest(name=name):
                path = self.write(name, text)
                proc = self.import_ccd(mrn, path, expect=1)
                self.assert_failure_message(proc, needle)
                self.assertNotIn('TOP-SECRET', proc.stdout + proc.stderr)
                self.assert_nothing_staged(mrn, 0)

        big = os.path.join(self.tmp, 'big.xml')
        with open(big, 'wb') as f:
            f.truncate(17 * 1024 * 1024)
        proc = self.import_ccd(mrn, big, expect=1)
        self.assert_failure_message(proc, 'larger than')
        proc = self.import_ccd(mrn, os.path.join(self.tmp, 'missing.xml'), expect=1)
        self.assert_failure_message(proc, 'missing.xml')
        self.assert_nothing_staged(mrn, 0)
        self.assertNotIn('TOP-SECRET',
                         self.demo('admin', 'audit', 'list', '--csv').stdout)

    def test_a_ccd_without_those_sections_stages_nothing_to_decide(self):
        mrn = self.add_marta()
        with open(VENDOR_CCD, encoding='utf-8') as f:
            text = f.read()
        start = text.index('<structuredBody>') + len('<structuredBody>')
        end = text.index('</structuredBody>')
        path = self.write('empty-body.xml', text[:start] + text[end:])
        proc = self.import_ccd(mrn, path)
        self.assertEqual(proc.stdout.splitlines()[1:], [])
        self.assertEqual(self.items(mrn), [])
        self.assertEqual(len(self.documents(mrn)), 1)


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: test_ccda_import.py CHARTA_ADMIN [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
