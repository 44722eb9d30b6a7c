#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin export ccd: the real binary on a demo practice. A patient's
Continuity of Care Document (C-CDA R2.1) valid against the CDA R2 schema with
the SDTC extensions (tests/data/cda-schema, checked with libxml2's xmllint);
the header and every section's entries the same as the chart shows them
(patient show --json, lab results --json); a narrative table for every
section, each entry pointing at its row; sections with nothing in them
flagged nullFlavor="NI"; lab results imported from HL7 as their own
organizer; the file readable by its owner only; unknown patients, bad usage,
unwritable targets and roles without chart access refused; every export
audited.

Usage: test_ccda.py PATH/TO/charta-admin [unittest arguments]
"""

import csv
import glob
import io
import json
import os
import shutil
import stat
import subprocess
import sys
import unittest
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402

SCHEMA = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, 'data',
                      'cda-schema', 'infrastructure', 'cda', 'CDA_SDTC.xsd')
HL7_DATA = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, 'data', 'hl7')
# Not imported by name: unittest would run every test class in this module.
demo_mrn = test_cli.PatientTests.demo_mrn

V3 = '{urn:hl7-org:v3}'
XSI_TYPE = '{http://www.w3.org/2001/XMLSchema-instance}type'
LOINC = '2.16.840.1.113883.6.1'
ICD10CM = '2.16.840.1.113883.6.90'
CVX = '2.16.840.1.113883.12.292'
# Section LOINC code → (section templateId, its entries' templateId).
SECTIONS = {
    '48765-2': ('2.16.840.1.113883.10.20.22.2.6.1', '2.16.840.1.113883.10.20.22.4.30'),
    '10160-0': ('2.16.840.1.113883.10.20.22.2.1.1', '2.16.840.1.113883.10.20.22.4.16'),
    '11450-4': ('2.16.840.1.113883.10.20.22.2.5.1', '2.16.840.1.113883.10.20.22.4.3'),
    '11369-6': ('2.16.840.1.113883.10.20.22.2.2.1', '2.16.840.1.113883.10.20.22.4.52'),
    '8716-3': ('2.16.840.1.113883.10.20.22.2.4.1', '2.16.840.1.113883.10.20.22.4.26'),
    '30954-2': ('2.16.840.1.113883.10.20.22.2.3.1', '2.16.840.1.113883.10.20.22.4.1'),
    '46240-8': ('2.16.840.1.113883.10.20.22.2.22.1', '2.16.840.1.113883.10.20.22.4.49'),
}
ALLERGIES, MEDICATIONS, PROBLEMS, IMMUNIZATIONS, VITALS, RESULTS, ENCOUNTERS = SECTIONS
# The vital signs the demo records, and their UCUM units.
VITAL_UNITS = {
    '8480-6': 'mm[Hg]', '8462-4': 'mm[Hg]', '8867-4': '/min', '8310-5': 'Cel',
    '29463-7': 'kg', '8302-2': 'cm', '39156-5': 'kg/m2',
}
GENDERS = {'female': 'F', 'male': 'M'}


def xmllint(path):
    """Validates @path against the CDA schema: (ok, what xmllint said)."""
    proc = subprocess.run(['xmllint', '--noout', '--schema', SCHEMA, path],
                          capture_output=True, text=True, timeout=120)
    return proc.returncode == 0, proc.stderr


def templates(element):
    return {t.get('root') for t in element.findall(V3 + 'templateId')}


def cda_time(iso):
    """2026-10-24T22:01:30Z as a CDA TS."""
    return iso.replace('-', '').replace(':', '').replace('T', '').replace('Z', '') + '+0000'


def text_of(element):
    return ''.join(element.itertext()).strip() if element is not None else ''


class Document:
    """A parsed CCD, its sections by LOINC code."""

    def __init__(self, path):
        self.root = ET.parse(path).getroot()
        self.sections = {}
        body = self.root.find(V3 + 'component/' + V3 + 'structuredBody')
        for component in body.findall(V3 + 'component'):
            section = component.find(V3 + 'section')
            code = section.find(V3 + 'code').get('code')
            assert code not in self.sections, 'two sections %s' % code
            self.sections[code] = section
        self.row_ids = {e.get('ID') for e in self.root.iter() if e.get('ID') is not None}

    def entries(self, code):
        return self.sections[code].findall(V3 + 'entry')

    def narrative(self, code):
        return self.sections[code].find(V3 + 'text')

    def rows(self, code):
        return self.narrative(code).findall('.//' + V3 + 'tbody/' + V3 + 'tr')


class CcdaExportTests(test_cli.DemoPracticeTestCase):

    demo_patients = 12

    @classmethod
    def setUpClass(cls):
        if shutil.which('xmllint') is None:
            raise unittest.SkipTest('xmllint (libxml2-utils) is not installed')
        super().setUpClass()

    # ---- helpers ------------------------------------------------------------

    def export(self, mrn, user='doctor', expect=0, out=None):
        out = out or os.path.join(self.tmp, 'ccd-%s.xml' % mrn)
        proc = self.demo(user, 'export', 'ccd', '--patient', mrn, '--out', out, expect=expect)
        if expect != 0:
            return proc
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)
        ok, message = xmllint(out)
        self.assertTrue(ok, 'not valid CDA:\n%s' % message[:3000])
        doc = Document(out)
        n_entries = sum(len(doc.entries(code)) for code in doc.sections)
        self.assertEqual(proc.stdout, '%s %d\n' % (out, n_entries))
        self.assert_well_formed_ccd(doc)
        return doc

    def show(self, mrn):
        return json.loads(self.demo('doctor', 'patient', 'show', mrn, '--json').stdout)

    def audit_entries(self, *filters):
        proc = self.demo('admin', 'audit', 'list', '--csv', *filters, raw=True)
        rows = list(csv.reader(io.StringIO(proc.stdout.decode(), newline='')))
        return [dict(zip(rows[0], row)) for row in rows[1:]]

    def ccda_exports(self):
        return [e for e in self.audit_entries('--action', 'export') if e['object_type'] == 'ccda']

    def rich_patient(self):
        """A demo patient with problems, medications, immunizations, results and vitals."""
        for n in range(1, self.demo_patients + 1):
            mrn = demo_mrn(n)
            chart = self.show(mrn)['chart']
            if all(chart[k] for k in ('problems', 'medications', 'immunizations', 'results',
                                      'vitals')):
                return mrn
        self.fail('no demo patient has problems, medications, immunizations, results and vitals')

    def assert_well_formed_ccd(self, doc):
        """What every CCD holds, whatever the patient."""
        root = doc.root
        self.assertEqual(root.tag, V3 + 'ClinicalDocument')
        self.assertEqual(root.find(V3 + 'realmCode').get('code'), 'US')
        type_id = root.find(V3 + 'typeId')
        self.assertEqual((type_id.get('root'), type_id.get('extension')),
                         ('2.16.840.1.113883.1.3', 'POCD_HD000040'))
        header_templates = {(t.get('root'), t.get('extension'))
                            for t in root.findall(V3 + 'templateId')}
        self.assertIn(('2.16.840.1.113883.10.20.22.1.1', '2015-08-01'), header_templates)
        self.assertIn(('2.16.840.1.113883.10.20.22.1.2', '2015-08-01'), header_templates)
        code = root.find(V3 + 'code')
        self.assertEqual((code.get('code'), code.get('codeSystem')), ('34133-9', LOINC))
        self.assertEqual(root.find(V3 + 'confidentialityCode').get('code'), 'N')
        self.assertTrue(root.find(V3 + 'id').get('root'))
        self.assertTrue(text_of(root.find(V3 + 'title')))
        self.assertTrue(text_of(root.find('.//' + V3 + 'custodian//' + V3 + 'name')))
        self.assertTrue(text_of(root.find('.//' + V3 + 'author//' + V3 + 'assignedPerson')))

        # The seven sections, each with its template, a title and a narrative.
        self.assertEqual(set(doc.sections), set(SECTIONS))
        for code, (template, entry_template) in SECTIONS.items():
            section = doc.sections[code]
            self.assertIn(template, templates(section), code)
            self.assertTrue(text_of(section.find(V3 + 'title')), code)
            self.assertTrue(text_of(doc.narrative(code)), 'section %s has no narrative' % code)
            entries = doc.entries(code)
            if entries:
                self.assertIsNone(section.get('nullFlavor'), code)
                self.assertEqual(len(doc.rows(code)) > 0, True, code)
            else:
                self.assertEqual(section.get('nullFlavor'), 'NI', code)
            for entry in entries:
                self.assertIn(entry_template, templates(entry[0]), code)

        # Every reference into the narrative lands on a row or cell that is there.
        for reference in root.iter(V3 + 'reference'):
            target = reference.get('value')
            self.assertTrue(target.startswith('#'), target)
            self.assertIn(target[1:], doc.row_ids)

    # ---- the schema itself ------------------------------------------------------

    def test_schema_catches_what_is_not_cda(self):
        """The validation can fail: a document out of order is refused."""
        doc_path = os.path.join(self.tmp, 'broken.xml')
        self.export(demo_mrn(1), out=doc_path)
        with open(doc_path) as f:
            text = f.read()
        # An element CDA does not have.
        broken = text.replace('<realmCode code="US"/>', '<realmCode code="US"/><bogus/>', 1)
        self.assertNotEqual(broken, text)
        with open(doc_path, 'w') as f:
            f.write(broken)
        ok, message = xmllint(doc_path)
        self.assertFalse(ok)
        self.assertIn('bogus', message)

    # ---- one patient ---------------------------------------------------------------

    def test_rich_patient_is_valid_and_complete(self):
        mrn = self.rich_patient()
        shown = self.show(mrn)
        chart = shown['chart']
        doc = self.export(mrn)
        root = doc.root

        # The patient, as registered.
        role = root.find(V3 + 'recordTarget/' + V3 + 'patientRole')
        self.assertEqual([i.get('extension') for i in role.findall(V3 + 'id')], [mrn])
        patient = role.find(V3 + 'patient')
        name = patient.find(V3 + 'name')
        self.assertEqual(text_of(name.find(V3 + 'family')), shown['family_name'])
        self.assertEqual(text_of(name.find(V3 + 'given')), shown['given_name'])
        self.assertEqual(patient.find(V3 + 'birthTime').get('value'),
                         shown['birth_date'].replace('-', ''))
        self.assertEqual(patient.find(V3 + 'administrativeGenderCode').get('code'),
                         GENDERS[shown['sex']])
        addr = role.find(V3 + 'addr')
        self.assertEqual(text_of(addr.find(V3 + 'streetAddressLine')), shown['address']['line'])
        self.assertEqual(text_of(addr.find(V3 + 'postalCode')), shown['address']['postal_code'])
        self.assertEqual([t.get('value') for t in role.findall(V3 + 'telecom')],
                         ['tel:' + p['number'] for p in shown['phones']])
        # Who wrote it: the exporting physician, for the practice.
        self.assertEqual(text_of(root.find('.//' + V3 + 'author//' + V3 + 'assignedPerson')),
                         'Dr. Ana García')

        # Problems: one concern a problem, its observation coded in ICD-10-CM.
        problems = doc.entries(PROBLEMS)
        self.assertEqual(len(problems), len(chart['problems']))
        codes = []
        for entry in problems:
            act = entry.find(V3 + 'act')
            self.assertEqual(act.find(V3 + 'code').get('code'), 'CONC')
            self.assertEqual(act.find(V3 + 'statusCode').get('code'), 'active')
            observation = act.find(V3 + 'entryRelationship/' + V3 + 'observation')
            self.assertIn('2.16.840.1.113883.10.20.22.4.4', templates(observation))
            value = observation.find(V3 + 'value')
            self.assertEqual(value.get(XSI_TYPE), 'CD')
            self.assertEqual(value.get('codeSystem'), ICD10CM)
            codes.append(value.get('code'))
        self.assertEqual(sorted(codes), sorted(p['code'] for p in chart['problems']))
        self.assertEqual(len(doc.rows(PROBLEMS)), len(chart['problems']))
        narrative = text_of(doc.narrative(PROBLEMS))
        for problem in chart['problems']:
            self.assertIn(problem['display'], narrative)
            self.assertIn(problem['code'], narrative)

        # Allergies, or "no known allergies" as a negated observation.
        allergies = doc.entries(ALLERGIES)
        observations = [e.find(V3 + 'act/' + V3 + 'entryRelationship/' + V3 + 'observation')
                        for e in allergies]
        negated = [o for o in observations if o.get('negationInd') == 'true']
        real = [o for o in observations if o.get('negationInd') != 'true']
        self.assertEqual(len(negated), 1 if chart['no_known_allergies'] else 0)
        self.assertEqual(sorted(text_of(o.find('.//' + V3 + 'playingEntity/' + V3 + 'name'))
                                for o in real),
                         sorted(a['substance'] for a in chart['allergies']))

        # The medication list.
        medications = doc.entries(MEDICATIONS)
        self.assertEqual(len(medications), len(chart['medications']))
        self.assertEqual(sorted(text_of(m.find('.//' + V3 + 'manufacturedMaterial/' + V3 + 'name'))
                                for m in medications),
                         sorted(m['name'] for m in chart['medications']))
        narrative = text_of(doc.narrative(MEDICATIONS))
        for medication in chart['medications']:
            if medication['dose']:
                self.assertIn(medication['dose'], narrative)

        # Immunizations: CVX.
        immunizations = doc.entries(IMMUNIZATIONS)
        cvx = [e.find('.//' + V3 + 'manufacturedMaterial/' + V3 + 'code') for e in immunizations]
        self.assertTrue(all(c.get('codeSystem') == CVX for c in cvx))
        self.assertEqual(sorted(c.get('code') for c in cvx),
                         sorted(i['cvx'] for i in chart['immunizations']))
        for entry in immunizations:
            administration = entry.find(V3 + 'substanceAdministration')
            self.assertEqual(administration.get('negationInd'), 'false')
            self.assertRegex(administration.find(V3 + 'effectiveTime').get('value'), r'^\d{8}$')

        # Vital signs: an organizer a visit, LOINC codes and UCUM units.
        organizers = [e.find(V3 + 'organizer') for e in doc.entries(VITALS)]
        self.assertTrue(organizers)
        vitals = {}
        for organizer in organizers:
            self.assertEqual(organizer.get('classCode'), 'CLUSTER')
            when = organizer.find(V3 + 'effectiveTime').get('value')
            for observation in organizer.iter(V3 + 'observation'):
                self.assertIn('2.16.840.1.113883.10.20.22.4.27', templates(observation))
                code = observation.find(V3 + 'code')
                self.assertEqual(code.get('codeSystem'), LOINC)
                value = observation.find(V3 + 'value')
                self.assertEqual(value.get(XSI_TYPE), 'PQ')
                self.assertEqual(value.get('unit'), VITAL_UNITS[code.get('code')])
                self.assertEqual(observation.find(V3 + 'effectiveTime').get('value'), when)
                vitals.setdefault(code.get('code'), []).append((when, float(value.get('value'))))
        # The newest of each is what the chart shows.
        for vital in chart['vitals']:
            newest = max(vitals[vital['code']])
            self.assertEqual(newest[0], cda_time(vital['effective_at']))
            self.assertAlmostEqual(newest[1], vital['value'], places=9)
        self.assertEqual(len(doc.rows(VITALS)), sum(len(v) for v in vitals.values()))

        # Results: the chart's lab items with their ranges and flags.
        results = [o for e in doc.entries(RESULTS) for o in e.iter(V3 + 'observation')]
        self.assertEqual(len(results), len(chart['results']))
        got = sorted((o.find(V3 + 'code').get('code'), o.find(V3 + 'value').get('value'),
                      o.find(V3 + 'value').get('unit')) for o in results)
        want = sorted((r['code'], ('%g' % r['value']), r['unit']) for r in chart['results'])
        self.assertEqual(got, want)
        for observation in results:
            self.assertEqual(observation.find(V3 + 'code').get('codeSystem'), LOINC)
            low = observation.find('.//' + V3 + 'observationRange/' + V3 + 'value/' + V3 + 'low')
            self.assertIsNotNone(low)
        flags = sorted(o.find(V3 + 'interpretationCode').get('code') for o in results)
        self.assertEqual(flags, sorted(r['flag'] or 'N' for r in chart['results']))

        # Encounters: the chart shows the newest five; all of them are there.
        encounters = doc.entries(ENCOUNTERS)
        starts = {e.find(V3 + 'encounter/' + V3 + 'effectiveTime').get('value')
                  for e in encounters}
        self.assertGreaterEqual(len(encounters), len(chart['encounters']))
        self.assertLessEqual({cda_time(e['start']) for e in chart['encounters']}, starts)
        narrative = text_of(doc.narrative(ENCOUNTERS))
        for encounter in chart['encounters']:
            self.assertIn(encounter['reason'], narrative)

    def test_every_demo_patient_is_valid(self):
        for n in range(1, self.demo_patients + 1):
            mrn = demo_mrn(n)
            chart = self.show(mrn)['chart']
            doc = self.export(mrn)
            self.assertEqual(len(doc.entries(PROBLEMS)), len(chart['problems']), mrn)
            self.assertEqual(len(doc.entries(MEDICATIONS)), len(chart['medications']), mrn)
            self.assertEqual(len(doc.entries(IMMUNIZATIONS)), len(chart['immunizations']), mrn)
            self.assertEqual(len(doc.entries(ALLERGIES)),
                             len(chart['allergies']) + (1 if chart['no_known_allergies'] else 0),
                             mrn)

    def test_new_patient_with_empty_sections(self):
        proc = self.demo('frontdesk', 'patient', 'add', '--family', 'Ñúñez & <Sons>',
                         '--given', 'Zoë "Z"', '--birth-date', '2001-02-03', '--sex', 'female',
                         '--force')
        mrn = proc.stdout.strip().splitlines()[-1]
        doc = self.export(mrn)
        patient = doc.root.find('.//' + V3 + 'patientRole/' + V3 + 'patient')
        self.assertEqual(text_of(patient.find(V3 + 'name/' + V3 + 'family')), 'Ñúñez & <Sons>')
        self.assertEqual(text_of(patient.find(V3 + 'name/' + V3 + 'given')), 'Zoë "Z"')
        self.assertEqual(patient.find(V3 + 'birthTime').get('value'), '20010203')
        for code, section in doc.sections.items():
            self.assertEqual(section.get('nullFlavor'), 'NI', code)
            self.assertEqual(doc.entries(code), [], code)
            self.assertIn('recorded', text_of(doc.narrative(code)), code)
        self.assertIn('No allergies recorded', text_of(doc.narrative(ALLERGIES)))

    def test_lab_results_imported_from_hl7(self):
        mrn = demo_mrn(2)
        shown = self.show(mrn)
        # Quest's CBC, for this demo patient.
        with open(os.path.join(HL7_DATA, 'cbc-quest.hl7'), 'rb') as f:
            message = f.read().decode()
        message = (message.replace('MRN20391^^^OAKWOOD^MR~Q83716^^^QUEST^PI', mrn + '^^^OAKWOOD^MR')
                   .replace('Brennan^Maeve^T', '%s^%s' % (shown['family_name'],
                                                          shown['given_name']))
                   .replace('19780412', shown['birth_date'].replace('-', '')))
        path = os.path.join(self.tmp, 'cbc.hl7')
        with open(path, 'w', newline='') as f:
            f.write(message)
        proc = self.demo('doctor', 'import', 'hl7', path)
        self.assertIn('imported for MRN %s' % mrn, proc.stdout)
        listed = json.loads(self.demo('doctor', 'lab', 'results', '--patient', mrn,
                                      '--json').stdout)

        doc = self.export(mrn)
        organizers = [e.find(V3 + 'organizer') for e in doc.entries(RESULTS)]
        cbc = [o for o in organizers
               if text_of(o.find(V3 + 'code/' + V3 + 'originalText')) == 'CBC (INCLUDES DIFF/PLT)']
        self.assertEqual(len(cbc), 1)
        observations = cbc[0].findall(V3 + 'component/' + V3 + 'observation')
        self.assertEqual(len(observations), len(listed))
        self.assertEqual(len(observations), 10)
        by_code = {o.find(V3 + 'code').get('code'): o for o in observations}
        hemoglobin = by_code['718-7']
        self.assertEqual(hemoglobin.find(V3 + 'code').get('codeSystem'), LOINC)
        self.assertEqual((hemoglobin.find(V3 + 'value').get('value'),
                          hemoglobin.find(V3 + 'value').get('unit')), ('11.4', 'g/dL'))
        self.assertEqual(hemoglobin.find(V3 + 'interpretationCode').get('code'), 'L')
        self.assertEqual(text_of(hemoglobin.find('.//' + V3 + 'observationRange/' + V3 + 'text')),
                         '11.7-15.5')
        self.assertIn('Hemoglobin', text_of(doc.narrative(RESULTS)))

    def test_to_stdout(self):
        proc = self.demo('doctor', 'export', 'ccd', '--patient', demo_mrn(3), '--out', '-')
        path = self.write('stdout.xml', proc.stdout)
        ok, message = xmllint(path)
        self.assertTrue(ok, message)
        self.assertEqual(Document(path).root.find('.//' + V3 + 'patientRole/' + V3 + 'id')
                         .get('extension'), demo_mrn(3))

    def test_ids_are_stable(self):
        """The same record keeps its id from one export to the next; the document's own id
        is new each time."""
        mrn = demo_mrn(4)
        first = self.export(mrn, out=os.path.join(self.tmp, 'first.xml'))
        second = self.export(mrn, out=os.path.join(self.tmp, 'second.xml'))

        def ids(doc):
            return sorted((i.get('root'), i.get('extension'))
                          for i in doc.root.iter(V3 + 'id') if i.get('extension'))
        self.assertEqual(ids(first), ids(second))
        self.assertNotEqual(first.root.find(V3 + 'id').get('root'),
                            second.root.find(V3 + 'id').get('root'))

    def test_nurse_may_export(self):
        self.export(demo_mrn(5), user='nurse')

    # ---- refusals --------------------------------------------------------------------

    def test_bad_usage(self):
        out = os.path.join(self.tmp, 'x.xml')
        for args in ([], ['--out', out], ['--patient', demo_mrn(1)],
                     ['--patient', demo_mrn(1), '--out', out, 'extra']):
            proc = self.demo('doctor', 'export', 'ccd', *args, expect=2)
            self.assert_usage_error(proc)
        self.assertFalse(os.path.exists(out))
        self.assertIn('--patient', self.run_admin('export', 'ccd', '--help').stdout)

    def test_unknown_patient(self):
        proc = self.export('99999997', expect=1)
        self.assert_failure_message(proc, '99999997')
        self.assertEqual(glob.glob(os.path.join(self.tmp, '*.xml*')), [])
        self.assertEqual(self.ccda_exports(), [])

    def test_unwritable_out(self):
        blocker = self.write('not-a-folder', 'a file\n')
        target = os.path.join(blocker, 'ccd.xml')
        proc = self.export(demo_mrn(1), expect=1, out=target)
        self.assert_failure_message(proc, target)
        self.assertEqual(self.ccda_exports(), [])

    def test_roles_without_chart_access_are_refused(self):
        mrn = demo_mrn(1)
        for user in ('frontdesk', 'manager', 'admin'):
            out = os.path.join(self.tmp, '%s.xml' % user)
            proc = self.export(mrn, user=user, expect=1, out=out)
            self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
            self.assertTrue(proc.stderr.startswith('charta-admin: '), proc.stderr)
            self.assertFalse(os.path.exists(out))
        self.assertEqual(self.ccda_exports(), [])

    # ---- audit ----------------------------------------------------------------------------

    def test_exports_are_audited(self):
        mrn = demo_mrn(4)
        out = os.path.join(self.tmp, 'audited.xml')
        doc = self.export(mrn, out=out)
        n_entries = sum(len(doc.entries(code)) for code in doc.sections)
        entries = self.ccda_exports()
        self.assertEqual(len(entries), 1, entries)
        self.assertEqual((entries[0]['user'], entries[0]['object_id']), ('doctor', mrn))
        self.assertTrue(entries[0]['patient_id'])
        self.assertIn('%d entries' % n_entries, entries[0]['detail'])
        self.export(mrn, user='nurse', out=out)
        self.assertEqual([e['user'] for e in self.ccda_exports()], ['nurse', 'doctor'])
        self.demo('admin', 'audit', 'verify')


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: test_ccda.py CHARTA_ADMIN [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
