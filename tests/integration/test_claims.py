#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin claims: the real binary on a demo practice. Three patients
come in by FHIR import with their addresses, coverage and problems (the demo's
own patients have no state in their addresses and payers nobody set up, so
they are listed and skipped): Nora Quill insured by Harbor Health herself,
her son Owen by Lakeside Care as her child, Ida Penny self-pay. The doctor
charges and marks their visits ready; the office manager sets up the payers,
the billing provider and the doctor's NPI, builds the 837P files (one a
payer, read back segment by segment), and posts the hand-written 835s in
tests/data/x12: Harbor pays part of CH1 (CO-45 written off, PR-2 left on
Nora), Lakeside denies CH2. Posting again posts nothing; a truncated file,
one that is not X12, and one whose amounts do not match the claim post
nothing. A claim that cannot be sent (an address without its state) fails
the build naming its encounter, recording nothing. Who may do what; bad
usage exits 2.

Usage: test_claims.py PATH/TO/charta-admin [unittest arguments]
"""

import json
import os
import sys
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402

X12 = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', 'data', 'x12')
SAMPLE_FEES = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..',
                           'resources', 'data', 'fees', 'sample-fee-schedule.csv')
BILLING_NPI = '1234567893'
DOCTOR_NPI = '1497758544'

ICD10 = 'http://hl7.org/fhir/sid/icd-10-cm'


def patient(pid, given, family, birth, sex):
    return {'resourceType': 'Patient', 'id': pid,
            'identifier': [{'type': {'coding': [{
                'system': 'http://terminology.hl7.org/CodeSystem/v2-0203', 'code': 'MR'}]},
                'value': 'HB-' + pid}],
            'name': [{'family': family, 'given': [given]}],
            'gender': sex, 'birthDate': birth,
            'address': [{'line': ['4 Harbor Way'], 'city': 'Portland', 'state': 'ME',
                         'postalCode': '04101', 'country': 'US'}]}


def coverage(cid, pid, payer, member, relation, subscriber=None):
    resource = {'resourceType': 'Coverage', 'id': cid, 'status': 'active',
                'beneficiary': {'reference': 'Patient/' + pid},
                'payor': [{'display': payer}], 'subscriberId': member, 'order': 1,
                'relationship': {'coding': [{
                    'system': 'http://terminology.hl7.org/CodeSystem/subscriber-relationship',
                    'code': relation}]}}
    if subscriber:
        resource['subscriber'] = {'display': subscriber}
    return resource


def encounter(eid, pid, start):
    return {'resourceType': 'Encounter', 'id': eid, 'status': 'finished',
            'class': {'system': 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
                      'code': 'AMB'},
            'type': [{'text': 'office'}],
            'subject': {'reference': 'Patient/' + pid},
            'participant': [{'individual': {'display': 'doctor'}}],
            'period': {'start': start}}


def condition(cid, pid, code, text):
    return {'resourceType': 'Condition', 'id': cid,
            'clinicalStatus': {'coding': [{
                'system': 'http://terminology.hl7.org/CodeSystem/condition-clinical',
                'code': 'active'}]},
            'code': {'coding': [{'system': ICD10, 'code': code}], 'text': text},
            'subject': {'reference': 'Patient/' + pid}}


def bundle():
    resources = [
        patient('nora', 'Nora', 'Quill', '1975-02-03', 'female'),
        coverage('nora-cov', 'nora', 'Harbor Health', 'HH1001', 'self'),
        encounter('nora-visit', 'nora', '2026-10-05T09:00:00Z'),
        condition('nora-dm', 'nora', 'E11.9', 'Type 2 diabetes mellitus'),
        condition('nora-htn', 'nora', 'I10', 'Essential hypertension'),
        patient('owen', 'Owen', 'Quill', '2018-07-09', 'male'),
        coverage('owen-cov', 'owen', 'LAKESIDE  care', 'LC77', 'child', 'Quill, Nora'),
        encounter('owen-visit', 'owen', '2026-10-06T09:00:00Z'),
        condition('owen-imm', 'owen', 'Z23', 'Encounter for immunization'),
        patient('ida', 'Ida', 'Penny', '1990-11-30', 'female'),
        encounter('ida-visit', 'ida', '2026-10-07T09:00:00Z'),
        condition('ida-htn', 'ida', 'I10', 'Essential hypertension'),
    ]
    return {'resourceType': 'Bundle', 'type': 'collection',
            'entry': [{'fullUrl': 'urn:uuid:' + r['id'], 'resource': r} for r in resources]}


def segments(path):
    with open(path, encoding='ascii') as f:
        text = f.read()
    return [s.strip() for s in text.split('~') if s.strip()]


class ClaimsTests(test_cli.DemoPracticeTestCase):

    demo_patients = 5

    def setUp(self):
        super().setUp()
        path = os.path.join(self.tmp, 'bundle.json')
        with open(path, 'w', encoding='utf-8') as f:
            json.dump(bundle(), f)
        self.demo('doctor', 'import', 'fhir', path)
        self.demo('manager', 'billing', 'fees', 'import', SAMPLE_FEES)
        self.visits = {}
        for mrn in ('HB-nora', 'HB-owen', 'HB-ida'):
            rows = json.loads(self.demo('frontdesk', 'billing', 'encounters', '--patient', mrn,
                                        '--json').stdout)
            self.assertEqual(len(rows), 1, rows)
            self.visits[mrn] = rows[0]['id']

    def charge(self, mrn, code, *extra):
        self.demo('doctor', 'billing', 'charge', '--encounter', str(self.visits[mrn]),
                  '--code', code, *extra)

    def charge_and_ready(self):
        self.charge('HB-nora', '99213', '--modifier', '25', '--dx', 'E11.9', '--dx', 'I10')
        self.charge('HB-nora', '83036', '--dx', 'E11.9')
        self.charge('HB-owen', '90471', '--dx', 'Z23')
        self.charge('HB-owen', '90686', '--dx', 'Z23')
        self.charge('HB-ida', '99212', '--dx', 'I10')
        for mrn in self.visits:
            self.demo('doctor', 'billing', 'ready', str(self.visits[mrn]))

    def set_up_claims(self):
        self.demo('manager', 'claims', 'payers', 'add', 'HARBOR1', 'Harbor Health')
        self.demo('manager', 'claims', 'payers', 'add', 'LAKE1', 'Lakeside Care',
                  '--filing', 'BL', '--receiver', 'CLEARHOUSE')
        self.demo('manager', 'claims', 'setup', '--name', 'Riverside Family Practice',
                  '--npi', BILLING_NPI, '--tax-id', '123456789', '--address', '12 River Road',
                  '--city', 'Springfield', '--state', 'IL', '--zip', '627011234',
                  '--submitter-id', 'CHARTA01', '--contact', 'Billing Office',
                  '--phone', '5555550100')
        self.demo('manager', 'claims', 'provider', 'doctor', '--npi', DOCTOR_NPI,
                  '--last-name', 'Welby', '--first-name', 'Marcus')

    def claims(self):
        return {c['claim']: c for c in json.loads(self.demo('frontdesk', 'claims', 'list',
                                                            '--json').stdout)}

    def balance(self, mrn):
        data = json.loads(self.demo('manager', 'billing', 'ledger', '--patient', mrn,
                                    '--json').stdout)
        self.assertEqual(data['balance_cents'], sum(e['amount_cents'] for e in data['entries']))
        return data

    def build(self):
        out = os.path.join(self.tmp, 'claims')
        proc = self.demo('manager', 'claims', 'build', '--out', out)
        return out, proc

    def test_payers_setup_and_one_payer(self):
        self.charge_and_ready()
        self.set_up_claims()
        data = json.loads(self.demo('frontdesk', 'claims', 'payers', '--json').stdout)
        ready = {p['id']: p['ready'] for p in data['payers']}
        # The policy says "LAKESIDE  care": matched by its folded name.
        self.assertEqual(ready, {'HARBOR1': 1, 'LAKE1': 1})
        self.assertGreaterEqual(data['self_pay'], 1)
        text = self.demo('manager', 'claims', 'payers').stdout
        self.assertIn('HARBOR1', text)
        self.assertIn('self-pay encounter', text)
        # The same payer twice, a bad id, a bad NPI, and the front desk adding.
        self.demo('manager', 'claims', 'payers', 'add', 'HARBOR2', 'harbor health', expect=1)
        self.demo('manager', 'claims', 'payers', 'add', 'A*B', 'Star', expect=1)
        proc = self.demo('manager', 'claims', 'setup', '--npi', '1234567890', expect=1)
        self.assertIn('not a valid NPI', proc.stderr)
        proc = self.demo('frontdesk', 'claims', 'payers', 'add', 'X1', 'Xenon', expect=1)
        self.assertIn('Not allowed', proc.stderr)
        self.demo('manager', 'claims', 'payers', 'add', expect=2)
        for command in ('payers', 'setup', 'provider', 'build', 'post-835', 'list'):
            proc = self.run_admin('claims', command, '--help')
            self.assertIn('charta-admin claims ' + command, proc.stdout)
            self.assertEqual(proc.stderr, '')
        self.assertIn('claims post-835', self.run_admin('--help').stdout)
        self.demo('manager', 'claims', 'payers', 'remove', 'X', 'Y', expect=2)
        setup = self.demo('frontdesk', 'claims', 'setup').stdout
        self.assertIn('Riverside Family Practice', setup)
        self.assertIn(DOCTOR_NPI, setup)

        # A provider's NPI with a wrong check digit is refused.
        self.demo('manager', 'claims', 'provider', 'doctor', '--npi', '1497758545',
                  '--last-name', 'Welby', expect=1)
        # A one-payer build into a file that exists is refused; nothing recorded.
        existing = os.path.join(self.tmp, 'exists.x12')
        with open(existing, 'w', encoding='ascii') as f:
            f.write('old batch\n')
        self.demo('manager', 'claims', 'build', '--payer', 'HARBOR1', '--out', existing,
                  expect=1)
        self.assertEqual(self.claims(), {})
        out = os.path.join(self.tmp, 'harbor.x12')
        self.demo('manager', 'claims', 'build', '--payer', 'HARBOR1', '--out', out)
        self.assertEqual(set(self.claims()), {'CH1'})
        self.demo('manager', 'claims', 'build', expect=2)

    def test_incomplete_claim_names_its_encounter(self):
        # Max's address has no state: his claim cannot go, and neither can
        # the others of the same build; nothing is recorded, no file is left.
        max_patient = patient('max', 'Max', 'Nostate', '1988-08-08', 'male')
        del max_patient['address'][0]['state']
        resources = [max_patient,
                     coverage('max-cov', 'max', 'Cove Mutual', 'CM5', 'self'),
                     encounter('max-visit', 'max', '2026-10-08T09:00:00Z'),
                     condition('max-htn', 'max', 'I10', 'Essential hypertension')]
        path = os.path.join(self.tmp, 'max.json')
        with open(path, 'w', encoding='utf-8') as f:
            json.dump({'resourceType': 'Bundle', 'type': 'collection',
                       'entry': [{'fullUrl': 'urn:uuid:' + r['id'], 'resource': r}
                                 for r in resources]}, f)
        self.demo('doctor', 'import', 'fhir', path)
        visit = json.loads(self.demo('frontdesk', 'billing', 'encounters', '--patient',
                                     'HB-max', '--json').stdout)[0]['id']
        self.demo('doctor', 'billing', 'charge', '--encounter', str(visit), '--code', '99213',
                  '--dx', 'I10')
        self.demo('doctor', 'billing', 'ready', str(visit))
        self.charge_and_ready()
        self.set_up_claims()
        self.demo('manager', 'claims', 'payers', 'add', 'COVE1', 'Cove Mutual')
        out = os.path.join(self.tmp, 'claims')
        proc = self.demo('manager', 'claims', 'build', '--out', out, expect=1)
        self.assertIn('Encounter %d (patient HB-max)' % visit, proc.stderr)
        self.assertIn('the state is required', proc.stderr)
        self.assertEqual(os.listdir(out), [])
        self.assertEqual(self.claims(), {})
        # The other payers' claims go when built apart.
        self.demo('manager', 'claims', 'build', '--payer', 'LAKE1', '--out',
                  os.path.join(self.tmp, 'lake.x12'))
        self.assertEqual(set(self.claims()), {'CH1'})
        self.assertEqual(self.claims()['CH1']['payer'], 'LAKE1')

    def test_build_and_post(self):
        self.charge_and_ready()
        proc = self.demo('manager', 'claims', 'build', '--out',
                         os.path.join(self.tmp, 'early'), expect=1)
        self.assertIn('not set up', proc.stderr)
        self.set_up_claims()
        out, proc = self.build()
        self.assertIn('Skipped encounter %d: self-pay' % self.visits['HB-ida'], proc.stdout)
        files = sorted(os.listdir(out))
        self.assertEqual(files, ['HARBOR1-1.x12', 'LAKE1-2.x12'])

        # Harbor's file, segment by segment (loops as in tests/data/x12/README.md).
        segs = segments(os.path.join(out, 'HARBOR1-1.x12'))
        ids = [s.split('*')[0] for s in segs]
        self.assertEqual(ids, ['ISA', 'GS', 'ST', 'BHT', 'NM1', 'PER', 'NM1', 'HL', 'NM1', 'N3',
                               'N4', 'REF', 'HL', 'SBR', 'NM1', 'N3', 'N4', 'DMG', 'NM1', 'CLM',
                               'HI', 'NM1', 'LX', 'SV1', 'DTP', 'LX', 'SV1', 'DTP', 'SE', 'GE',
                               'IEA'])
        isa = segs[0].split('*')
        self.assertEqual(len(segs[0]) + 1, 106)
        self.assertEqual(isa[6], 'CHARTA01'.ljust(15))
        self.assertEqual(isa[8], 'HARBOR1'.ljust(15))
        self.assertEqual(isa[13], '000000001')
        self.assertEqual(segs[1].split('*')[6], '1')
        self.assertEqual(segs[1].split('*')[8], '005010X222A1')
        self.assertEqual(segs[2], 'ST*837*0001*005010X222A1')
        self.assertEqual(segs[4], 'NM1*41*2*RIVERSIDE FAMILY PRACTICE*****46*CHARTA01')
        self.assertEqual(segs[5], 'PER*IC*BILLING OFFICE*TE*5555550100')
        self.assertEqual(segs[6], 'NM1*40*2*HARBOR HEALTH*****46*HARBOR1')
        self.assertEqual(segs[7], 'HL*1**20*1')
        self.assertEqual(segs[8], 'NM1*85*2*RIVERSIDE FAMILY PRACTICE*****XX*' + BILLING_NPI)
        self.assertEqual(segs[9], 'N3*12 RIVER ROAD')
        self.assertEqual(segs[10], 'N4*SPRINGFIELD*IL*627011234')
        self.assertEqual(segs[11], 'REF*EI*123456789')
        self.assertEqual(segs[12], 'HL*2*1*22*0')
        self.assertEqual(segs[13], 'SBR*P*18*******CI')
        self.assertEqual(segs[14], 'NM1*IL*1*QUILL*NORA****MI*HH1001')
        self.assertEqual(segs[15], 'N3*4 HARBOR WAY')
        self.assertEqual(segs[16], 'N4*PORTLAND*ME*04101')
        self.assertEqual(segs[17], 'DMG*D8*19750203*F')
        self.assertEqual(segs[18], 'NM1*PR*2*HARBOR HEALTH*****PI*HARBOR1')
        self.assertEqual(segs[19], 'CLM*CH1*123***11:B:1*Y*A*Y*Y')
        self.assertEqual(segs[20], 'HI*ABK:E119*ABF:I10')
        self.assertEqual(segs[21], 'NM1*82*1*WELBY*MARCUS****XX*' + DOCTOR_NPI)
        self.assertEqual(segs[22:28], ['LX*1', 'SV1*HC:99213:25*102*UN*1***1:2', 'DTP*472*D8*20261005',
                                       'LX*2', 'SV1*HC:83036*21*UN*1***1', 'DTP*472*D8*20261005'])
        self.assertEqual(segs[28], 'SE*27*0001')
        self.assertEqual(segs[29], 'GE*1*1')
        self.assertEqual(segs[30], 'IEA*1*000000001')

        # Lakeside's: to the clearing house, filed BL, the child under his mother.
        segs = segments(os.path.join(out, 'LAKE1-2.x12'))
        self.assertEqual(segs[0].split('*')[8], 'CLEARHOUSE'.ljust(15))
        self.assertEqual(segs[0].split('*')[13], '000000002')
        self.assertIn('HL*2*1*22*1', segs)
        self.assertIn('SBR*P********BL', segs)
        self.assertIn('NM1*IL*1*QUILL*NORA****MI*LC77', segs)
        self.assertIn('HL*3*2*23*0', segs)
        self.assertIn('PAT*19', segs)
        self.assertIn('NM1*QC*1*QUILL*OWEN', segs)
        self.assertIn('CLM*CH2*55***11:B:1*Y*A*Y*Y', segs)
        self.assertIn('HI*ABK:Z23', segs)
        se = [s for s in segs if s.startswith('SE*')][0]
        st = [i for i, s in enumerate(segs) if s.startswith('ST*')][0]
        self.assertEqual(int(se.split('*')[1]), segs.index(se) - st + 1)

        claims = self.claims()
        self.assertEqual(set(claims), {'CH1', 'CH2'})
        self.assertEqual(claims['CH1']['status'], 'submitted')
        self.assertEqual(claims['CH1']['billed_cents'], 12300)
        self.assertEqual(claims['CH2']['payer'], 'LAKE1')

        # Built once: a second build has nothing for these payers.
        proc = self.demo('manager', 'claims', 'build', '--out', os.path.join(self.tmp, 'again'))
        self.assertIn('No claims to build', proc.stdout)

        # A remittance whose amounts are not the claim's posts nothing.
        before = self.balance('HB-nora')
        proc = self.demo('manager', 'claims', 'post-835',
                         os.path.join(X12, '835-harbor-ch1-wrong-amount.x12'), expect=1)
        self.assertIn('CLP03', proc.stderr)
        self.assertIn('nothing was posted', proc.stderr)
        self.assertEqual(self.balance('HB-nora'), before)

        # A truncated file and one that is not X12 post nothing either.
        with open(os.path.join(X12, '835-harbor-ch1.x12'), encoding='ascii') as f:
            text = f.read()
        cut = os.path.join(self.tmp, 'cut.x12')
        with open(cut, 'w', encoding='ascii') as f:
            f.write(text[:len(text) * 2 // 3])
        proc = self.demo('manager', 'claims', 'post-835', cut, expect=1)
        self.assertIn('cut.x12: not posted', proc.stderr)
        self.demo('manager', 'claims', 'post-835', SAMPLE_FEES, expect=1)
        self.demo('manager', 'claims', 'post-835', os.path.join(self.tmp, 'none.x12'), expect=1)
        self.assertEqual(self.claims()['CH1']['status'], 'submitted')

        # The front desk does not post remittances.
        self.demo('frontdesk', 'claims', 'post-835', os.path.join(X12, '835-harbor-ch1.x12'),
                  expect=1)

        proc = self.demo('manager', 'claims', 'post-835', os.path.join(X12, '835-harbor-ch1.x12'))
        self.assertIn('Remittances posted: 1', proc.stdout)
        self.assertIn('Paid: 80.00; written off: 33.00; left to patients: 10.00', proc.stdout)
        nora = self.balance('HB-nora')
        self.assertEqual(nora['balance_cents'], 1000)
        kinds = [(e['kind'], e['amount_cents']) for e in nora['entries']]
        self.assertEqual(sorted(kinds), sorted([('charge', 10200), ('charge', 2100),
                                                ('payment', -8000), ('write-off', -2700),
                                                ('write-off', -600)]))
        for e in nora['entries']:
            if e['kind'] == 'write-off':
                self.assertTrue(e['reason'].startswith('CO-45 '), e)
                self.assertIn('CH1', e['reason'])
        claims = self.claims()
        self.assertEqual(claims['CH1']['status'], 'partial')
        self.assertEqual(claims['CH1']['paid_cents'], 8000)
        self.assertEqual(claims['CH1']['adjusted_cents'], 3300)
        self.assertEqual(claims['CH1']['patient_cents'], 1000)
        self.assertEqual(claims['CH1']['trace'], 'HH20261101')

        # Again: nothing.
        proc = self.demo('manager', 'claims', 'post-835', os.path.join(X12, '835-harbor-ch1.x12'))
        self.assertIn('Nothing posted', proc.stdout)
        self.assertEqual(self.balance('HB-nora')['balance_cents'], 1000)

        # Denied: recorded, nothing posted, Owen's family still owes the visit.
        proc = self.demo('manager', 'claims', 'post-835',
                         os.path.join(X12, '835-lakeside-ch2-denied.x12'))
        self.assertIn('of which denied: 1', proc.stdout)
        self.assertEqual(self.claims()['CH2']['status'], 'denied')
        self.assertEqual(self.balance('HB-owen')['balance_cents'], 5500)

        table = self.demo('manager', 'claims', 'list').stdout
        self.assertIn('partial', table)
        self.assertIn('denied', table)


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: test_claims.py CHARTA_ADMIN [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
