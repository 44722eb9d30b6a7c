#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin export fhir and import fhir: the real binary on a demo practice. One patient
as a Bundle and the whole practice as bulk NDJSON; every resource, and the
Bundle, valid against the official FHIR R4 JSON schema (Debian's
python3-jsonschema, Draft 6); the content the same as the chart shows it
(patient show --json); vital signs with LOINC codes and UCUM units, blood
pressure as a panel; references that resolve within the export; documents'
bytes when asked; files readable by their owner only; bad usage, unwritable
targets and roles without chart access refused; every export audited.
Lab results (received as HL7 ORU^R01, built with Debian's python-hl7) as
DiagnosticReport and Observation "laboratory", the current ones only. Import:
the bulk export and a Bundle into an empty practice export again to the same
text; a second import adds nothing; broken JSON, a resource missing what
Charta needs, a reference to a patient not in the import reject that patient
whole and no other; roles without write access refused.

Usage: test_fhir.py PATH/TO/charta-admin [unittest arguments]
"""

import base64
import collections
import csv
import glob
import hashlib
import io
import json
import os
import stat
import sys
import time
import unittest

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402
import test_labs  # noqa: E402

SCHEMA_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, 'data', 'fhir',
                           'fhir-r4.schema.json')
# Not imported by name: unittest would run every test class in this module.
demo_mrn = test_cli.PatientTests.demo_mrn

UCUM = 'http://unitsofmeasure.org'
LOINC = 'http://loinc.org'
ICD10CM = 'http://hl7.org/fhir/sid/icd-10-cm'
CVX = 'http://hl7.org/fhir/sid/cvx'
# The vital signs the demo records, and the UCUM unit each is exported in.
VITAL_UNITS = {
    '8480-6': 'mm[Hg]', '8462-4': 'mm[Hg]', '8867-4': '/min', '8310-5': 'Cel',
    '29463-7': 'kg', '8302-2': 'cm', '39156-5': 'kg/m2', '9279-1': '/min', '59408-5': '%',
}
RESOURCE_TYPES = {
    'Organization', 'Practitioner', 'Patient', 'Coverage', 'Encounter', 'Condition',
    'AllergyIntolerance', 'MedicationStatement', 'MedicationRequest', 'Immunization',
    'Observation', 'DiagnosticReport', 'DocumentReference', 'Appointment',
}
NKA_CODE = '716186003'  # SNOMED CT: no known allergy


class Schema:
    """The R4 schema, with one validator a resource type: validating against
    the root's oneOf of every type would try them all for each resource."""

    def __init__(self):
        with open(SCHEMA_PATH) as f:
            self.schema = json.load(f)
        self.resolver = jsonschema.RefResolver.from_schema(self.schema)
        self.validators = {}

    def validator(self, resource_type):
        if resource_type not in self.validators:
            definition = self.schema['definitions'].get(resource_type)
            if definition is None:
                raise AssertionError('no such resource type: %r' % resource_type)
            self.validators[resource_type] = jsonschema.Draft6Validator(
                definition, resolver=self.resolver)
        return self.validators[resource_type]

    def errors(self, resource):
        """Every schema error of @resource, as text."""
        validator = self.validator(resource.get('resourceType'))
        return ['%s: %s' % ('/'.join(map(str, e.absolute_path)), e.message)
                for e in validator.iter_errors(resource)]


SCHEMA = None


def references(node):
    """Every Reference.reference in @node, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == 'reference' and isinstance(value, str):
                yield value
            else:
                yield from references(value)
    elif isinstance(node, list):
        for value in node:
            yield from references(value)


def codes(concept, system=None):
    return [c['code'] for c in (concept or {}).get('coding', [])
            if system is None or c.get('system') == system]


class FhirExportTests(test_cli.DemoPracticeTestCase):

    demo_patients = 12

    @classmethod
    def setUpClass(cls):
        global SCHEMA
        super().setUpClass()
        if SCHEMA is None:
            SCHEMA = Schema()

    # ---- helpers ------------------------------------------------------------

    def export_patient(self, mrn, *extra, user='doctor', expect=0, out=None):
        out = out or os.path.join(self.tmp, 'patient-%s.json' % mrn)
        proc = self.demo(user, 'export', 'fhir', '--patient', mrn, '--out', out, *extra,
                         expect=expect)
        if expect != 0:
            return proc
        with open(out) as f:
            bundle = json.load(f)
        count = len(bundle['entry'])
        self.assertEqual(proc.stdout, '%s %d\n' % (out, count))
        self.assertEqual(stat.S_IMODE(os.stat(out).st_mode), 0o600)
        return bundle

    def export_all(self, *extra, user='doctor', expect=0, out=None):
        out = out or os.path.join(self.tmp, 'bulk')
        proc = self.demo(user, 'export', 'fhir', '--all', '--out', out, *extra, expect=expect)
        if expect != 0:
            return proc
        listed = {}
        for line in proc.stdout.splitlines():
            path, count = line.rsplit(' ', 1)
            listed[path] = int(count)
        resources = {}
        for path in sorted(glob.glob(os.path.join(out, '*'))):
            name = os.path.basename(path)
            self.assertTrue(name.endswith('.ndjson'), 'unexpected file %s' % name)
            self.assertEqual(stat.S_IMODE(os.stat(path).st_mode), 0o600, name)
            resource_type = name[:-len('.ndjson')]
            with open(path) as f:
                lines = f.read().split('\n')
            # One resource a line, each line ended.
            self.assertEqual(lines[-1], '', name)
            resources[resource_type] = [json.loads(line) for line in lines[:-1]]
            self.assertEqual(listed.get(path), len(resources[resource_type]), path)
            for resource in resources[resource_type]:
                self.assertEqual(resource['resourceType'], resource_type)
        self.assertEqual(len(listed), len(resources), proc.stdout)
        return resources

    def show(self, mrn):
        return json.loads(self.demo('doctor', 'patient', 'show', mrn, '--json').stdout)

    def assert_valid(self, resource):
        errors = SCHEMA.errors(resource)
        self.assertEqual(errors, [], '%s/%s is not valid R4:\n%s'
                         % (resource.get('resourceType'), resource.get('id'),
                            '\n'.join(errors[:10])))

    def by_type(self, resources):
        result = {}
        for resource in resources:
            result.setdefault(resource['resourceType'], []).append(resource)
        return result

    def assert_references_resolve(self, resources):
        ids = set()
        for resource in resources:
            key = '%s/%s' % (resource['resourceType'], resource['id'])
            self.assertNotIn(key, ids, 'two resources are %s' % key)
            ids.add(key)
        for resource in resources:
            for target in references(resource):
                self.assertIn(target, ids, '%s/%s refers to %s, not in the export'
                              % (resource['resourceType'], resource['id'], target))
        return ids

    def rich_patient(self):
        """A demo patient with problems, medications and vital signs."""
        for n in range(1, self.demo_patients + 1):
            mrn = demo_mrn(n)
            chart = self.show(mrn)['chart']
            if chart['problems'] and chart['medications'] and chart['vitals']:
                return mrn
        self.fail('no demo patient has problems, medications and vital signs')

    def audit_entries(self, *filters):
        proc = self.demo('admin', 'audit', 'list', '--csv', *filters, raw=True)
        rows = list(csv.reader(io.StringIO(proc.stdout.decode(), newline='')))
        return [dict(zip(rows[0], row)) for row in rows[1:]]

    def fhir_exports(self):
        # "audit list --csv" is an export too (of the audit trail): not these.
        return [e for e in self.audit_entries('--action', 'export') if e['object_type'] == 'fhir']

    # ---- the schema itself ------------------------------------------------------

    def test_schema_catches_what_is_not_r4(self):
        """The validation can fail: broken resources are caught."""
        good = {'resourceType': 'Patient', 'id': 'patient-1', 'birthDate': '1990-01-31',
                'gender': 'female'}
        self.assertEqual(SCHEMA.errors(good), [])
        for broken in ({**good, 'birthDate': '1990-13-01'},
                       {**good, 'gender': 42},
                       {**good, 'id': 'patient_1'},
                       {**good, 'nickname': 'Dot'},
                       {'resourceType': 'Observation', 'id': 'o', 'status': 'final'},
                       {'resourceType': 'Observation', 'id': 'o', 'code': {'text': 'x'},
                        'valueQuantity': {'value': '12'}}):
            self.assertNotEqual(SCHEMA.errors(broken), [], broken)

    # ---- one patient ---------------------------------------------------------------

    def test_patient_bundle_is_valid_and_complete(self):
        mrn = self.rich_patient()
        shown = self.show(mrn)
        chart = shown['chart']
        started = time.monotonic()
        bundle = self.export_patient(mrn)
        elapsed = time.monotonic() - started

        self.assertEqual(bundle['resourceType'], 'Bundle')
        self.assertEqual(bundle['type'], 'collection')
        resources = [entry['resource'] for entry in bundle['entry']]
        for resource in resources:
            self.assert_valid(resource)
        started = time.monotonic()
        self.assert_valid(bundle)
        print('\n  bundle: %d resources, exported in %.2f s, Bundle validated in %.2f s'
              % (len(resources), elapsed, time.monotonic() - started), file=sys.stderr)
        self.assert_references_resolve(resources)
        types = self.by_type(resources)
        self.assertLessEqual(set(types), RESOURCE_TYPES)

        # The patient, as registered.
        [patient] = types['Patient']
        official = [n for n in patient['name'] if n.get('use') == 'official'][0]
        self.assertEqual(official['family'], shown['family_name'])
        self.assertEqual(official['given'], [shown['given_name']])
        self.assertEqual(patient['birthDate'], shown['birth_date'])
        self.assertEqual(patient['gender'], shown['sex'])
        mrns = [i['value'] for i in patient['identifier'] if 'MR' in codes(i.get('type'))]
        self.assertEqual(mrns, [mrn])
        self.assertEqual([t['value'] for t in patient.get('telecom', []) if t['system'] == 'phone'],
                         [p['number'] for p in shown['phones']])
        self.assertEqual(patient['address'][0]['line'], [shown['address']['line']])
        self.assertEqual(patient['address'][0]['postalCode'], shown['address']['postal_code'])
        self.assertEqual(patient['managingOrganization']['reference'], 'Organization/practice')
        patient_ref = 'Patient/' + patient['id']
        self.assertRegex(patient['id'], r'^patient-\d+$')

        # Everything else is the patient's.
        for resource in resources:
            if resource['resourceType'] in ('Patient', 'Practitioner', 'Organization'):
                continue
            subject = (resource.get('subject') or resource.get('patient')
                       or resource.get('beneficiary'))
            if resource['resourceType'] == 'Appointment':
                subject = resource['participant'][0]['actor']
            self.assertEqual(subject['reference'], patient_ref, resource['id'])

        # Problems: ICD-10-CM, as many as the chart lists.
        conditions = types.get('Condition', [])
        self.assertEqual(len(conditions), len(chart['problems']))
        self.assertEqual(sorted(c for cond in conditions for c in codes(cond['code'], ICD10CM)),
                         sorted(p['code'] for p in chart['problems']))
        for condition in conditions:
            self.assertEqual(codes(condition['clinicalStatus']), ['active'])
            self.assertEqual(codes(condition['category'][0]), ['problem-list-item'])

        # Allergies, or "no known allergies".
        allergies = types.get('AllergyIntolerance', [])
        nka = [a for a in allergies if NKA_CODE in codes(a['code'])]
        real = [a for a in allergies if NKA_CODE not in codes(a['code'])]
        self.assertEqual(len([a for a in real if codes(a['clinicalStatus']) == ['active']]),
                         len(chart['allergies']))
        self.assertEqual(sorted(a['code']['text'] for a in real),
                         sorted(a['substance'] for a in chart['allergies']))
        self.assertEqual(len(nka), 1 if chart['no_known_allergies'] else 0)

        # The medication list.
        statements = types.get('MedicationStatement', [])
        self.assertEqual(sorted(s['medicationCodeableConcept']['text'] for s in statements
                                if s['status'] == 'active'),
                         sorted(m['name'] for m in chart['medications']))
        for statement in statements:
            dose = [m['dose'] for m in chart['medications']
                    if m['name'] == statement['medicationCodeableConcept']['text']]
            if dose and dose[0]:
                self.assertEqual(statement['dosage'][0]['text'], dose[0])

        # Immunizations: CVX.
        immunizations = types.get('Immunization', [])
        self.assertEqual(sorted(c for i in immunizations for c in codes(i['vaccineCode'], CVX)),
                         sorted(i['cvx'] for i in chart['immunizations']))

        # Insurance.
        coverages = types.get('Coverage', [])
        self.assertEqual(sorted(c['subscriberId'] for c in coverages),
                         sorted(p['member_id'] for p in shown['insurance']))
        for coverage in coverages:
            self.assertEqual(coverage['beneficiary']['reference'], patient_ref)

        # Encounters: the chart shows the newest five; all of them are there.
        starts = {e['period']['start'] for e in types.get('Encounter', [])}
        self.assertGreaterEqual(len(starts), len(chart['encounters']))
        self.assertLessEqual({e['start'] for e in chart['encounters']}, starts)

        # Vital signs: LOINC and UCUM, blood pressure as the panel.
        observations = types['Observation']
        panels = []
        for observation in observations:
            self.assertEqual(observation['status'], 'final')
            self.assertEqual(codes(observation['category'][0]), ['vital-signs'])
            loinc = codes(observation['code'], LOINC)
            self.assertTrue(loinc, observation['id'])
            if loinc == ['85354-9']:
                panels.append(observation)
                self.assertNotIn('valueQuantity', observation)
                self.assertEqual([codes(c['code'], LOINC) for c in observation['component']],
                                 [['8480-6'], ['8462-4']])
                for component in observation['component']:
                    quantity = component['valueQuantity']
                    self.assertEqual((quantity['system'], quantity['code']), (UCUM, 'mm[Hg]'))
                    self.assertIsInstance(quantity['value'], (int, float))
            else:
                self.assertNotIn(loinc[0], ('8480-6', '8462-4'),
                                 'a blood pressure outside its panel')
                quantity = observation['valueQuantity']
                self.assertEqual(quantity['system'], UCUM)
                self.assertEqual(quantity['code'], VITAL_UNITS[loinc[0]], observation['id'])
            self.assertIn('effectiveDateTime', observation)
        self.assertTrue(panels)

        # The newest values are the ones the chart shows.
        latest = {v['code']: v for v in chart['vitals']}
        newest_panel = max(panels, key=lambda o: o['effectiveDateTime'])
        self.assertEqual(newest_panel['effectiveDateTime'], latest['8480-6']['effective_at'])
        self.assertAlmostEqual(newest_panel['component'][0]['valueQuantity']['value'],
                               latest['8480-6']['value'], places=9)
        self.assertAlmostEqual(newest_panel['component'][1]['valueQuantity']['value'],
                               latest['8462-4']['value'], places=9)
        weights = [o for o in observations if codes(o['code'], LOINC) == ['29463-7']]
        newest_weight = max(weights, key=lambda o: o['effectiveDateTime'])
        self.assertAlmostEqual(newest_weight['valueQuantity']['value'],
                               latest['29463-7']['value'], places=9)
        # Decimals as people write them: 108.4, not 108.40000000000001.
        with open(os.path.join(self.tmp, 'patient-%s.json' % mrn)) as f:
            self.assertNotRegex(f.read(), r'\d\.\d*0000000\d')

        # Labs are not exported yet (lab Observation and DiagnosticReport come
        # with lab import).
        self.assertNotIn('DiagnosticReport', types)

        # Who recorded and saw: the demo physician, and the practice.
        names = [p['name'][0]['text'] for p in types['Practitioner']]
        self.assertIn('Dr. Ana García', names)
        [organization] = types['Organization']
        self.assertEqual(organization['id'], 'practice')
        self.assertTrue(organization['name'])

    def test_appointments_and_encounters(self):
        """Appointments as the schedule has them, with the provider resolved."""
        for n in range(1, self.demo_patients + 1):
            bundle = self.export_patient(demo_mrn(n))
            types = self.by_type(entry['resource'] for entry in bundle['entry'])
            for appointment in types.get('Appointment', []):
                self.assertIn(appointment['status'], ('booked', 'arrived', 'checked-in',
                                                      'fulfilled', 'noshow', 'cancelled'))
                self.assertLess(appointment['start'], appointment['end'])
                actors = [p['actor'] for p in appointment['participant']]
                self.assertTrue(all(p['status'] == 'accepted' for p in appointment['participant']))
                self.assertTrue(any(a.get('reference', '').startswith('Practitioner/')
                                    for a in actors), appointment)
            for encounter in types.get('Encounter', []):
                self.assertEqual(encounter['status'], 'finished')
                self.assertIn(encounter['class']['code'], ('AMB', 'VR', 'HH'))
            if types.get('Appointment'):
                return
        self.fail('no demo patient has appointments')

    def test_to_stdout(self):
        mrn = demo_mrn(2)
        proc = self.demo('doctor', 'export', 'fhir', '--patient', mrn, '--out', '-')
        bundle = json.loads(proc.stdout)
        self.assertEqual(bundle['entry'][0]['resource']['resourceType'], 'Patient')
        self.assert_valid(bundle)

    def test_nurse_may_export(self):
        bundle = self.export_patient(demo_mrn(3), user='nurse')
        self.assertEqual(bundle['entry'][0]['resource']['resourceType'], 'Patient')

    # ---- documents -------------------------------------------------------------------

    def test_documents_with_and_without_their_bytes(self):
        mrn = demo_mrn(1)
        content = os.urandom(70 * 1024) + 'Referral: marker 4b1d'.encode()
        scan = os.path.join(self.tmp, 'scan.bin')
        with open(scan, 'wb') as f:
            f.write(content)
        letter = self.write('letter.txt', 'Dear colleague,\nthank you.\n')
        proc = self.demo('doctor', 'doc', 'import', '--patient', mrn, '--category', 'referral',
                         '--title', 'Referral scan', scan, letter)
        ids = [int(line) for line in proc.stdout.split()]
        out = os.path.join(self.tmp, 'scan-out.bin')
        self.demo('doctor', 'doc', 'export', str(ids[0]), out)
        with open(out, 'rb') as f:
            exported = f.read()
        self.assertEqual(exported, content)

        plain = self.export_patient(mrn)
        refs = {r['id']: r for r in (e['resource'] for e in plain['entry'])
                if r['resourceType'] == 'DocumentReference'}
        self.assertEqual(set(refs), {'documentreference-%d' % i for i in ids})
        attachment = refs['documentreference-%d' % ids[0]]['content'][0]['attachment']
        self.assertNotIn('data', attachment)
        self.assertEqual(attachment['size'], len(content))
        self.assertEqual(refs['documentreference-%d' % ids[0]]['description'], 'Referral scan')
        self.assertEqual(codes(refs['documentreference-%d' % ids[0]]['type'], LOINC), ['57133-1'])

        full = self.export_patient(mrn, '--with-documents',
                                   out=os.path.join(self.tmp, 'with-docs.json'))
        for resource in (e['resource'] for e in full['entry']):
            self.assert_valid(resource)
        refs = {r['id']: r for r in (e['resource'] for e in full['entry'])
                if r['resourceType'] == 'DocumentReference'}
        attachment = refs['documentreference-%d' % ids[0]]['content'][0]['attachment']
        self.assertEqual(base64.b64decode(attachment['data'], validate=True), exported)
        self.assertEqual(attachment['size'], len(exported))
        self.assertEqual(base64.b64decode(attachment['hash']), hashlib.sha1(exported).digest())
        attachment = refs['documentreference-%d' % ids[1]]['content'][0]['attachment']
        self.assertEqual(base64.b64decode(attachment['data']).decode(),
                         'Dear colleague,\nthank you.\n')
        self.assertEqual(attachment['contentType'], 'text/plain')

        # The documents are in the bulk export too.
        bulk = self.export_all('--with-documents')
        data = {r['id']: r['content'][0]['attachment']['data'] for r in bulk['DocumentReference']}
        self.assertEqual(base64.b64decode(data['documentreference-%d' % ids[0]]), content)

    # ---- the whole practice -------------------------------------------------------------

    def test_bulk_export(self):
        started = time.monotonic()
        bulk = self.export_all()
        elapsed = time.monotonic() - started
        everything = [r for resources in bulk.values() for r in resources]
        started = time.monotonic()
        for resource in everything:
            self.assert_valid(resource)
        print('\n  bulk: %d patients, %d resources in %d files, exported in %.2f s, '
              'validated in %.2f s' % (len(bulk['Patient']), len(everything), len(bulk),
                                       elapsed, time.monotonic() - started), file=sys.stderr)
        self.assertLessEqual(set(bulk), RESOURCE_TYPES)
        for resource_type in ('Organization', 'Practitioner', 'Patient', 'Coverage', 'Encounter',
                              'Condition', 'AllergyIntolerance', 'MedicationStatement',
                              'Immunization', 'Observation', 'Appointment'):
            self.assertIn(resource_type, bulk)
        self.assertEqual(len(bulk['Patient']), self.demo_patients)
        self.assertEqual(sorted(i['value'] for p in bulk['Patient'] for i in p['identifier']
                                if 'MR' in codes(i.get('type'))),
                         sorted(demo_mrn(n) for n in range(1, self.demo_patients + 1)))
        self.assert_references_resolve(everything)
        self.assertEqual(glob.glob(os.path.join(self.tmp, 'bulk', '*.part')), [])
        # Every clinician, once.
        names = [p['name'][0]['text'] for p in bulk['Practitioner']]
        self.assertEqual(len(names), len(set(names)), names)
        self.assertLessEqual({'Dr. Ana García', 'Sam Okafor'}, set(names))

        # One patient's resources are the same in the bulk export and in their Bundle.
        mrn = self.rich_patient()
        bundle = self.export_patient(mrn)
        patient_id = bundle['entry'][0]['resource']['id']
        own = [r for r in everything
               if r['resourceType'] not in ('Practitioner', 'Organization')
               and ('Patient/' + patient_id) in set(references(r))
               or r['resourceType'] == 'Patient' and r['id'] == patient_id]
        in_bundle = [e['resource'] for e in bundle['entry']
                     if e['resource']['resourceType'] not in ('Practitioner', 'Organization')]
        key = lambda r: (r['resourceType'], r['id'])  # noqa: E731
        self.assertEqual(sorted(own, key=key), sorted(in_bundle, key=key))

    def test_bulk_export_replaces_an_earlier_one(self):
        out = os.path.join(self.tmp, 'bulk')
        os.makedirs(out)
        stale = os.path.join(out, 'DocumentReference.ndjson')
        with open(stale, 'w') as f:
            f.write('{"resourceType":"DocumentReference","id":"old"}\n')
        other = os.path.join(out, 'notes.txt')
        with open(other, 'w') as f:
            f.write('mine\n')
        proc = self.demo('doctor', 'export', 'fhir', '--all', '--out', out)
        self.assertNotIn('DocumentReference', proc.stdout)
        # The stale file of a type exported empty is gone; what is not an export's stays.
        self.assertFalse(os.path.exists(stale))
        self.assertTrue(os.path.exists(other))

    # ---- refusals --------------------------------------------------------------------------

    def test_bad_usage(self):
        mrn = demo_mrn(1)
        out = os.path.join(self.tmp, 'x.json')
        for args in ([], ['--out', out], ['--patient', mrn], ['--all'],
                     ['--patient', mrn, '--all', '--out', out], ['--all', '--out', '-'],
                     ['--patient', mrn, '--out', out, 'extra']):
            proc = self.demo('doctor', 'export', 'fhir', *args, expect=2)
            self.assert_usage_error(proc)
        self.assertFalse(os.path.exists(out))
        self.assertIn('--with-documents', self.run_admin('export', 'fhir', '--help').stdout)

    def test_unknown_patient(self):
        proc = self.export_patient('99999997', expect=1)
        self.assert_failure_message(proc, '99999997')
        self.assertEqual(glob.glob(os.path.join(self.tmp, '*.json*')), [])

    def test_unwritable_out(self):
        mrn = demo_mrn(1)
        blocker = self.write('not-a-folder', 'a file\n')
        before = len(self.fhir_exports())

        target = os.path.join(blocker, 'bundle.json')
        proc = self.export_patient(mrn, expect=1, out=target)
        self.assert_failure_message(proc, target)

        proc = self.export_all(expect=1, out=blocker)
        self.assert_failure_message(proc, blocker)
        proc = self.export_all(expect=1, out=os.path.join(blocker, 'bulk'))
        self.assert_failure_message(proc, 'bulk')

        # Nothing written, nothing half-written, and no export on record.
        self.assertEqual(glob.glob(os.path.join(self.tmp, '**', '*.part'), recursive=True), [])
        self.assertEqual(glob.glob(os.path.join(self.tmp, '**', '*.json'), recursive=True), [])
        self.assertEqual(len(self.fhir_exports()), before)

    def test_roles_without_chart_access_are_refused(self):
        mrn = demo_mrn(1)
        for user in ('frontdesk', 'manager', 'admin'):
            out = os.path.join(self.tmp, '%s.json' % user)
            proc = self.export_patient(mrn, user=user, expect=1, out=out)
            self.assertEqual(len(proc.stderr.strip().splitlines()), 1, proc.stderr)
            self.assertTrue(proc.stderr.startswith('charta-admin: '), proc.stderr)
            self.assertFalse(os.path.exists(out))
            bulk = os.path.join(self.tmp, 'bulk-%s' % user)
            proc = self.export_all(user=user, expect=1, out=bulk)
            self.assertFalse(os.path.exists(bulk))
        self.assertEqual(self.fhir_exports(), [])

    # ---- audit ----------------------------------------------------------------------------

    def test_exports_are_audited(self):
        mrn = demo_mrn(4)
        bundle = self.export_patient(mrn)
        patient_id = bundle['entry'][0]['resource']['id'].split('-')[1]
        entries = self.fhir_exports()
        self.assertEqual(len(entries), 1, entries)
        self.assertEqual((entries[0]['user'], entries[0]['object_id'], entries[0]['patient_id']),
                         ('doctor', mrn, patient_id))
        self.assertIn('%d resources' % len(bundle['entry']), entries[0]['detail'])

        self.export_all()
        entries = self.fhir_exports()
        # Each patient, and the export as a whole.
        self.assertEqual(len(entries), 1 + self.demo_patients + 1)
        self.assertEqual(len([e for e in entries if e['object_id'] == 'all']), 1)
        self.assertEqual(len({e['patient_id'] for e in entries if e['object_id'] != 'all'}),
                         self.demo_patients)
        self.demo('admin', 'audit', 'verify')


# ---- import ----------------------------------------------------------------------------

LAB = 'laboratory'
PDF = (b'%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]'
       b'/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n')


def lab_message(control, mrn, chart, order, observations, extra=''):
    message = test_labs.build_oru(control, mrn, chart['family_name'], chart['given_name'],
                                  chart['birth_date'], order, observations,
                                  order_comment='Fasting sample')
    return message + extra


@unittest.skipIf(test_labs.hl7 is None, 'python3-hl7 is not installed')
class FhirImportTests(test_cli.DemoPracticeTestCase):

    demo_patients = 6

    @classmethod
    def setUpClass(cls):
        global SCHEMA
        super().setUpClass()
        if SCHEMA is None:
            SCHEMA = Schema()
        # The empty practice imports go into: the demo's staff, calendar and
        # name (what the records name), no patients.
        cls.empty_dir = os.path.join(cls.class_tmp, 'empty')
        proc = test_cli.subprocess.run(
            [test_cli.ADMIN, 'demo', '--practice', cls.empty_dir, '--patients', '0',
             '--seed', str(cls.demo_seed)],
            env=test_cli.base_env(cls.class_tmp), stdin=test_cli.subprocess.DEVNULL,
            capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            raise RuntimeError('demo failed (%d): %s' % (proc.returncode, proc.stderr))

    def setUp(self):
        super().setUp()
        self.empty = os.path.join(self.tmp, 'empty')
        test_cli.shutil.copytree(self.empty_dir, self.empty, symlinks=True)
        # Labs for patient 2: a panel, then a correction of one result, and
        # the lab's PDF report; documents for patient 1.
        self.lab_mrn = demo_mrn(2)
        chart = json.loads(self.demo('doctor', 'patient', 'show', self.lab_mrn,
                                     '--json').stdout)
        pdf = base64.b64encode(PDF).decode()
        first = lab_message('FHIR1', self.lab_mrn, chart, '7001', [
            ('NM', '2093-3', 'Cholesterol', '212', 'mg/dL', '<200', 'H', 'F'),
            ('NM', '2085-9', 'HDL Cholesterol', '45', 'mg/dL', '>40', 'N', 'F'),
            ('ST', '8251-1', 'Service comment', 'Lipemic sample', '', '', 'A', 'P'),
        ], extra='\rOBX|4|ED|PDF^Lipid report^L||LAB^application^pdf^Base64^%s||||||F' % pdf)
        correction = lab_message('FHIR2', self.lab_mrn, chart, '7001', [
            ('NM', '2093-3', 'Cholesterol', '198', 'mg/dL', '<200', 'N', 'C'),
        ])
        path = os.path.join(self.tmp, 'labs.hl7')
        with open(path, 'w') as f:
            f.write(first.replace('\n', '\r') + '\r\n' + correction.replace('\n', '\r') + '\r\n')
        self.demo('doctor', 'import', 'hl7', path)
        letter = self.write('letter.txt', 'Dear colleague,\nthank you.\n')
        self.demo('doctor', 'doc', 'import', '--patient', demo_mrn(1), '--category', 'referral',
                  '--title', 'Referral letter', letter)

    def as_empty(self, user, *command, expect=0):
        return self.as_user(self.empty, user, test_cli.DEMO_PASSWORD, *command, expect=expect)

    def bulk(self, practice, out, user='doctor'):
        self.as_user(practice, user, test_cli.DEMO_PASSWORD, 'export', 'fhir', '--all',
                     '--out', out, '--with-documents')
        files = {}
        for path in sorted(glob.glob(os.path.join(out, '*.ndjson'))):
            with open(path) as f:
                files[os.path.basename(path)] = f.read().splitlines()
        return files

    def assert_same_export(self, before, after):
        self.assertEqual(sorted(before), sorted(after))
        for name in before:
            self.assertEqual(len(before[name]), len(after[name]), name)
            for a, b in zip(before[name], after[name]):
                self.assertEqual(json.loads(a), json.loads(b), name)

    # ---- lab results out ---------------------------------------------------------------

    def test_lab_results_exported(self):
        bundle = json.loads(self.demo('doctor', 'export', 'fhir', '--patient', self.lab_mrn,
                                      '--out', '-').stdout)
        resources = [e['resource'] for e in bundle['entry']]
        for resource in resources:
            errors = SCHEMA.errors(resource)
            self.assertEqual(errors, [], resource['resourceType'])
        reports = [r for r in resources if r['resourceType'] == 'DiagnosticReport']
        labs = {r['id']: r for r in resources if r['resourceType'] == 'Observation'
                and LAB in [c for cat in r['category'] for c in codes(cat)]}
        self.assertEqual(len(reports), 2)
        panel = reports[0]
        self.assertEqual(codes(panel['category'][0]), ['LAB'])
        self.assertEqual(panel['code']['text'], 'Lipid panel')
        self.assertEqual(panel['status'], 'final')
        self.assertEqual(panel['effectiveDateTime'], '2024-04-05T08:00:00Z')
        self.assertEqual(panel['conclusion'], 'Fasting sample')
        self.assertEqual(sorted(i['value'] for i in panel['identifier']),
                         ['FIL-7001', 'ORD-7001'])
        # The current results only: the corrected cholesterol, not the one it replaced.
        results = [labs[ref['reference'].split('/')[1]]
                   for report in reports for ref in report['result']]
        self.assertEqual(len(results), len(labs))
        cholesterol = [r for r in results if codes(r['code'], LOINC) == ['2093-3']]
        self.assertEqual(len(cholesterol), 1)
        self.assertEqual(cholesterol[0]['valueQuantity'],
                         {'value': 198, 'unit': 'mg/dL', 'system': UCUM, 'code': 'mg/dL'})
        self.assertEqual(cholesterol[0]['status'], 'corrected')
        self.assertEqual(codes(cholesterol[0]['interpretation'][0]), ['N'])
        hdl = [r for r in results if codes(r['code'], LOINC) == ['2085-9']][0]
        self.assertEqual(hdl['referenceRange'], [{'text': '>40'}])
        self.assertEqual(hdl['status'], 'final')
        comment = [r for r in results if codes(r['code'], LOINC) == ['8251-1']][0]
        self.assertEqual(comment['valueString'], 'Lipemic sample')
        self.assertEqual(comment['status'], 'preliminary')
        self.assertEqual(codes(comment['interpretation'][0]), ['A'])
        # The PDF the lab sent: filed as a document, the result derived from it.
        pdf = [r for r in results if r.get('derivedFrom')]
        self.assertEqual(len(pdf), 1)
        target = pdf[0]['derivedFrom'][0]['reference']
        documents = {'DocumentReference/' + r['id']: r for r in resources
                     if r['resourceType'] == 'DocumentReference'}
        self.assertIn(target, documents)
        self.assertEqual(documents[target]['content'][0]['attachment']['contentType'],
                         'application/pdf')
        ids = {'%s/%s' % (r['resourceType'], r['id']) for r in resources}
        for resource in resources:
            for ref in references(resource):
                self.assertIn(ref, ids, resource['id'])

    # ---- the round trip ----------------------------------------------------------------

    def test_round_trip_bulk(self):
        before = self.bulk(self.practice, os.path.join(self.tmp, 'before'))
        self.assertIn('DiagnosticReport.ndjson', before)
        for name, lines in before.items():
            for line in lines:
                resource = json.loads(line)
                if resource['resourceType'] in ('DiagnosticReport', 'Observation'):
                    self.assertEqual(SCHEMA.errors(resource), [], resource['id'])

        proc = self.as_empty('doctor', 'import', 'fhir', os.path.join(self.tmp, 'before'))
        self.assertIn('Imported %d patients' % self.demo_patients, proc.stdout)
        after = self.bulk(self.empty, os.path.join(self.tmp, 'after'))
        self.assert_same_export(before, after)
        # Byte for byte, every file.
        for name in before:
            self.assertEqual(before[name], after[name], name)

        # The same import again adds nothing.
        proc = self.as_empty('doctor', 'import', 'fhir', os.path.join(self.tmp, 'before'))
        self.assertIn('Imported 0 patients', proc.stdout)
        self.assertIn('%d already in the practice' % self.demo_patients, proc.stdout)
        again = self.bulk(self.empty, os.path.join(self.tmp, 'again'))
        self.assertEqual(again, after)

        # Imported, and audited as such, once a patient.
        entries = [e for e in self.audit_entries_of(self.empty) if e['object_type'] == 'fhir']
        self.assertEqual(len([e for e in entries if e['action'] == 'create']),
                         self.demo_patients)
        self.as_empty('admin', 'audit', 'verify')

    def test_round_trip_bundle(self):
        out = os.path.join(self.tmp, 'bundle.json')
        self.demo('doctor', 'export', 'fhir', '--patient', self.lab_mrn, '--out', out,
                  '--with-documents')
        with open(out) as f:
            before = json.load(f)
        self.as_empty('doctor', 'import', 'fhir', out)
        again = os.path.join(self.tmp, 'again.json')
        self.as_empty('doctor', 'export', 'fhir', '--patient', self.lab_mrn, '--out', again,
                      '--with-documents')
        with open(again) as f:
            after = json.load(f)
        # The Bundle's own time is when it was made.
        self.assertEqual(before['id'], after['id'])
        self.assertEqual(len(before['entry']), len(after['entry']))
        self.assertEqual(before['entry'], after['entry'])

        # The lab's results, in the chart and the message log; and a
        # correction the lab sends later by HL7 replaces the imported one.
        chart = json.loads(self.as_empty('doctor', 'patient', 'show', self.lab_mrn,
                                         '--json').stdout)
        correction = lab_message('FHIR3', self.lab_mrn, chart, '7001', [
            ('NM', '2085-9', 'HDL Cholesterol', '52', 'mg/dL', '>40', 'N', 'C'),
        ])
        path = self.write('correction.hl7', correction.replace('\n', '\r') + '\r\n')
        self.as_empty('doctor', 'import', 'hl7', path)
        results = json.loads(self.as_empty('doctor', 'lab', 'results', '--patient',
                                           self.lab_mrn, '--json').stdout)
        hdl = [r for r in results if r['code'] == '2085-9']
        self.assertEqual([(r['value'], r['status'], r['current']) for r in hdl],
                         [('52', 'C', True)])
        log = json.loads(self.as_empty('doctor', 'hl7', 'log', '--json').stdout)
        self.assertIn('FHIR R4 DiagnosticReport', json.dumps(log))

    def test_documents_without_their_content_are_skipped(self):
        out = os.path.join(self.tmp, 'plain')
        self.demo('doctor', 'export', 'fhir', '--all', '--out', out)
        proc = self.as_empty('doctor', 'import', 'fhir', out)
        self.assertIn('Imported %d patients' % self.demo_patients, proc.stdout)
        self.assertIn('DocumentReference', proc.stderr)
        self.assertIn('--with-documents', proc.stderr)
        self.assertTrue(all(line.startswith('skipped: ') for line in proc.stderr.splitlines()),
                        proc.stderr)
        after = self.bulk(self.empty, os.path.join(self.tmp, 'after'))
        self.assertNotIn('DocumentReference.ndjson', after)
        # The lab results came all the same, no longer linked to the PDF.
        labs = [json.loads(line) for line in after['Observation.ndjson']
                if '"laboratory"' in line]
        self.assertEqual(len(labs), 4)
        self.assertFalse(any('derivedFrom' in r for r in labs))

    def test_import_beside_own_records(self):
        """A patient from elsewhere whose ids this practice's own records
        have: theirs stay as they were exported, the newcomer gets others."""
        out = os.path.join(self.tmp, 'bundle.json')
        self.demo('doctor', 'export', 'fhir', '--patient', self.lab_mrn, '--out', out,
                  '--with-documents')
        with open(out) as f:
            bundle = json.loads(f.read().replace('"%s"' % self.lab_mrn, '"55555557"'))
        # Their appointments would be the same provider's same times: the
        # calendar refuses those (as it does any double booking).
        bundle['entry'] = [e for e in bundle['entry']
                           if e['resource']['resourceType'] != 'Appointment']
        moved = self.write('moved.json', json.dumps(bundle))
        before = self.bulk(self.practice, os.path.join(self.tmp, 'before'))
        proc = self.demo('doctor', 'import', 'fhir', moved)
        self.assertIn('Imported 1 patients', proc.stdout)
        after = self.bulk(self.practice, os.path.join(self.tmp, 'after'))
        ids = collections.Counter()
        for name, lines in after.items():
            if name != 'Practitioner.ndjson':
                self.assertEqual(after[name][:len(before.get(name, []))],
                                 before.get(name, []), name)
            for line in lines:
                resource = json.loads(line)
                ids['%s/%s' % (resource['resourceType'], resource['id'])] += 1
        self.assertEqual([k for k, n in ids.items() if n > 1], [])
        for name, lines in after.items():
            for line in lines:
                for ref in references(json.loads(line)):
                    self.assertIn(ref, ids, name)

    # ---- bad input -----------------------------------------------------------------------

    def test_bad_input_rejects_that_patient_only(self):
        source = os.path.join(self.tmp, 'source')
        files = self.bulk(self.practice, source)
        patients = [json.loads(line) for line in files['Patient.ndjson']]
        good, bad = patients[0], patients[1]
        good_mrn = [i['value'] for i in good['identifier'] if 'MR' in codes(i.get('type'))][0]
        bad_mrn = [i['value'] for i in bad['identifier'] if 'MR' in codes(i.get('type'))][0]

        folder = os.path.join(self.tmp, 'broken')
        os.makedirs(folder)
        keep = {'Patient/' + good['id'], 'Patient/' + bad['id']}

        def mine(resource):
            return resource['resourceType'] in ('Practitioner', 'Organization') or \
                set(references(resource)) & keep or \
                'Patient/%s' % resource['id'] in keep

        for name, lines in files.items():
            with open(os.path.join(folder, name), 'w') as f:
                for line in lines:
                    resource = json.loads(line)
                    if not mine(resource):
                        continue
                    if resource['resourceType'] == 'Condition' and \
                            resource['subject']['reference'] == 'Patient/' + bad['id']:
                        del resource['code']     # what the problem is: required
                    f.write(json.dumps(resource) + '\n')
        with open(os.path.join(folder, 'Condition.ndjson'), 'a') as f:
            f.write('{"resourceType": "Condition", "id": "broken", \n')
            orphan = {'resourceType': 'Condition', 'id': 'orphan',
                      'code': {'text': 'Gout'}, 'subject': {'reference': 'Patient/nobody'}}
            f.write(json.dumps(orphan) + '\n')
            bad_condition = {'resourceType': 'Condition', 'id': 'nameless',
                             'subject': {'reference': 'Patient/' + bad['id']}}
            f.write(json.dumps(bad_condition) + '\n')

        proc = self.as_empty('doctor', 'import', 'fhir', folder, expect=1)
        self.assertIn('Not valid JSON', proc.stderr)
        self.assertIn('Patient/nobody, which is not in the import', proc.stderr)
        self.assertIn('Condition/nameless', proc.stderr)
        self.assertIn('The condition has no name', proc.stderr)
        self.assertIn('Nothing of this patient was imported', proc.stderr)
        self.assertIn('Imported 1 patients', proc.stdout)
        # The good patient whole; nothing of the bad one.
        shown = json.loads(self.as_empty('doctor', 'patient', 'show', good_mrn,
                                         '--json').stdout)
        self.assertEqual(shown['mrn'], good_mrn)
        self.as_empty('doctor', 'patient', 'show', bad_mrn, '--json', expect=1)
        after = self.bulk(self.empty, os.path.join(self.tmp, 'after'))
        self.assertEqual([json.loads(line)['id'] for line in after['Patient.ndjson']],
                         [good['id']])
        for name, lines in after.items():
            for line in lines:
                self.assertNotIn('Patient/' + bad['id'], line, name)

        # Without the bad conditions, the other comes in; the one imported is skipped.
        os.remove(os.path.join(folder, 'Condition.ndjson'))
        proc = self.as_empty('doctor', 'import', 'fhir', folder)
        self.assertIn('Imported 1 patients', proc.stdout)
        self.assertIn('1 already in the practice', proc.stdout)
        self.as_empty('doctor', 'patient', 'show', bad_mrn, '--json')

    def test_unreadable_input(self):
        broken = self.write('broken.json', '{"resourceType": "Bundle", "entry": [')
        proc = self.as_empty('doctor', 'import', 'fhir', broken, expect=1)
        self.assertIn('Not valid JSON', proc.stderr)
        proc = self.as_empty('doctor', 'import', 'fhir', os.path.join(self.tmp, 'missing.json'),
                             expect=1)
        self.assert_failure_message(proc, 'missing.json')
        empty_dir = os.path.join(self.tmp, 'nothing')
        os.makedirs(empty_dir)
        proc = self.as_empty('doctor', 'import', 'fhir', empty_dir, expect=1)
        self.assert_failure_message(proc, 'NDJSON')
        proc = self.as_empty('doctor', 'import', 'fhir', expect=2)
        # A report naming a result the import does not hold.
        bundle = {'resourceType': 'Bundle', 'type': 'collection', 'entry': [
            {'resource': {'resourceType': 'Patient', 'id': 'p1',
                          'identifier': [{'system': 'urn:charta:mrn', 'value': 'X-1'}],
                          'name': [{'family': 'Doe', 'given': ['Jane']}]}},
            {'resource': {'resourceType': 'DiagnosticReport', 'id': 'r1', 'status': 'final',
                          'code': {'text': 'CBC'}, 'subject': {'reference': 'Patient/p1'},
                          'result': [{'reference': 'Observation/missing'}]}},
        ]}
        path = self.write('report.json', json.dumps(bundle))
        proc = self.as_empty('doctor', 'import', 'fhir', path, expect=1)
        self.assertIn('Observation/missing, which is not in the import', proc.stderr)
        self.as_empty('doctor', 'patient', 'show', 'X-1', expect=1)

    def test_roles_without_write_access_are_refused(self):
        out = os.path.join(self.tmp, 'before')
        self.bulk(self.practice, out)
        for user in ('frontdesk', 'manager', 'admin'):
            proc = self.as_empty(user, 'import', 'fhir', out, expect=1)
            self.assertTrue(proc.stderr.startswith('charta-admin: '), proc.stderr)
        self.as_empty('doctor', 'patient', 'show', demo_mrn(1), expect=1)

    def audit_entries_of(self, practice):
        proc = self.as_user(practice, 'admin', test_cli.DEMO_PASSWORD, 'audit', 'list', '--csv',
                            raw=True)
        rows = list(csv.reader(io.StringIO(proc.stdout.decode(), newline='')))
        return [dict(zip(rows[0], row)) for row in rows[1:]]


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: test_fhir.py CHARTA_ADMIN [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
