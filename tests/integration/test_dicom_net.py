#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin dicom listen / inbox / assign / discard / studies / settings on
loopback, against DCMTK's echoscu and storescu and DICOM files made with
pydicom from the test files Debian's python3-pydicom ships.

Usage: test_dicom_net.py CHARTA_ADMIN [unittest arguments…]
"""

import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import unicodedata
import unittest
import warnings

import pydicom
from pydicom.uid import generate_uid

ADMIN = None
TEST_FILES = os.path.join(os.path.dirname(pydicom.__file__), 'data', 'test_files')
DEMO_PASSWORD = 'charta-demo'
LISTENING_RE = re.compile(r'^Listening as (\S+) on port (\d+)$')

JPEG_LOSSLESS_SV1 = '1.2.840.10008.1.2.4.70'
JPEG_LS_LOSSLESS = '1.2.840.10008.1.2.4.80'
RLE_LOSSLESS = '1.2.840.10008.1.2.5'
J2K_LOSSLESS = '1.2.840.10008.1.2.4.90'


def ascii_fold(text):
    return ''.join(c for c in unicodedata.normalize('NFKD', text) if not unicodedata.combining(c))


def base_env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith('CHARTA_')}
    env['XDG_DATA_HOME'] = os.path.join(home, 'xdg-data')
    env['HOME'] = home
    env['CHARTA_PASSWORD'] = DEMO_PASSWORD
    return env


class Listener:
    """`charta-admin dicom listen` as a child process, killed whatever happens."""

    def __init__(self, test, *args, user='doctor'):
        self.test = test
        self.proc = subprocess.Popen(
            [ADMIN, 'dicom', 'listen', '--practice', test.practice, '-u', user] + list(args),
            env=test.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        self.port = None
        self.ae = None

    def wait_listening(self, timeout=30):
        ready, _, _ = select.select([self.proc.stdout], [], [], timeout)
        if not ready:
            raise AssertionError('dicom listen printed nothing in %ds' % timeout)
        line = self.proc.stdout.readline().rstrip('\n')
        match = LISTENING_RE.match(line)
        if match is None:
            self.proc.kill()
            out, err = self.proc.communicate(timeout=30)
            raise AssertionError('not listening: %r %r %r' % (line, out, err))
        self.ae, self.port = match.group(1), int(match.group(2))
        return self

    def stop(self, sig=signal.SIGTERM):
        """Stops it with @sig; (exit status, rest of stdout, stderr)."""
        self.proc.send_signal(sig)
        out, err = self.proc.communicate(timeout=30)
        return self.proc.returncode, out, err

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.communicate(timeout=30)
        return False


class DicomNetTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.class_tmp = tempfile.mkdtemp(prefix='charta-dicom-net-')
        cls.demo_dir = os.path.join(cls.class_tmp, 'demo')
        env = base_env(cls.class_tmp)
        proc = subprocess.run([ADMIN, 'demo', '--practice', cls.demo_dir, '--patients', '5',
                               '--seed', '7'], env=env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            shutil.rmtree(cls.class_tmp, ignore_errors=True)
            raise RuntimeError('demo failed (%d): %s' % (proc.returncode, proc.stderr))
        proc = subprocess.run([ADMIN, 'patient', 'search', '--practice', cls.demo_dir, '-u',
                               'doctor', '0000'], env=env, capture_output=True, text=True,
                              timeout=60)
        # MRN, family and given name, birth date, of each demo patient
        cls.patients = []
        for line in proc.stdout.splitlines()[1:]:
            m = re.match(r'^(\d+)\s+(.+?), (.+?)\s+(\d{4}-\d{2}-\d{2})\s', line)
            if m:
                cls.patients.append(m.groups())
        assert len(cls.patients) >= 3, proc.stdout

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.class_tmp, ignore_errors=True)

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='charta-dicom-net-test-')
        self.addCleanup(shutil.rmtree, self.tmp, True)
        self.practice = os.path.join(self.tmp, 'practice')
        shutil.copytree(self.demo_dir, self.practice, symlinks=True)
        self.env = base_env(self.tmp)
        self.n_files = 0

    # ---- helpers ----

    def admin(self, user, *args, expect=0):
        proc = subprocess.run([ADMIN] + list(args) + ['--practice', self.practice, '-u', user],
                              env=self.env, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=120)
        if expect is not None:
            self.assertEqual(proc.returncode, expect, (args, proc.stdout, proc.stderr))
        return proc

    def make_dicom(self, source, patient_id=None, name=None, birth_date=None, study_uid=None):
        """A copy of pydicom's @source with a new SOP instance UID and the
        patient given; its path."""
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            ds = pydicom.dcmread(os.path.join(TEST_FILES, source))
        ds.SOPInstanceUID = generate_uid()
        ds.file_meta.MediaStorageSOPInstanceUID = ds.SOPInstanceUID
        if patient_id is not None:
            ds.PatientID = patient_id
        if name is not None:
            ds.PatientName = name
        if birth_date is not None:
            ds.PatientBirthDate = birth_date
        if study_uid is not None:
            ds.StudyInstanceUID = study_uid
        self.n_files += 1
        path = os.path.join(self.tmp, '%02d-%s' % (self.n_files, source))
        ds.save_as(path, write_like_original=True)
        return path

    def echo(self, port, calling='MODALITY1', called='CHARTA'):
        return subprocess.run(['echoscu', '-aet', calling, '-aec', called, '127.0.0.1', str(port)],
                              capture_output=True, text=True, timeout=60)

    def send(self, port, *paths, calling='MODALITY1', options=()):
        return subprocess.run(['storescu', '-aet', calling, '-aec', 'CHARTA'] + list(options)
                              + ['127.0.0.1', str(port)] + list(paths),
                              capture_output=True, text=True, timeout=120)

    def studies(self, mrn):
        return json.loads(self.admin('doctor', 'dicom', 'studies', '--patient', mrn,
                                     '--json').stdout)

    def inbox(self):
        return json.loads(self.admin('doctor', 'dicom', 'inbox', '--json').stdout)

    def dicom_documents(self, mrn):
        docs = json.loads(self.admin('doctor', 'doc', 'list', '--patient', mrn, '--json').stdout)
        return [d for d in docs if d['content_type'] == 'application/dicom']

    def exported(self, document_id):
        out = os.path.join(self.tmp, 'export-%d.dcm' % document_id)
        self.admin('doctor', 'doc', 'export', str(document_id), out)
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            return pydicom.dcmread(out)

    # ---- tests ----

    def test_echo_from_allowed_and_refused(self):
        with Listener(self, '--port', '0', '--ae', 'CHARTA', '--allow', 'MODALITY1') as rx:
            rx.wait_listening()
            self.assertEqual(rx.ae, 'CHARTA')
            self.assertGreater(rx.port, 0)
            self.assertEqual(self.echo(rx.port).returncode, 0)
            refused = self.echo(rx.port, calling='STRANGER')
            self.assertNotEqual(refused.returncode, 0)
            self.assertIn('Calling AE Title Not Recognized', refused.stdout + refused.stderr)
            wrong_called = self.echo(rx.port, called='SOMEONE')
            self.assertNotEqual(wrong_called.returncode, 0)
            rc, out, err = rx.stop()
        self.assertEqual(rc, 0, err)
        self.assertIn('Stopped', out)
        self.assertIn('STRANGER', err)
        self.assertIn('calling AE title not recognized', err)

    def test_matched_instances_land_in_the_chart(self):
        mrn, family, given, born = self.patients[0]
        by_name_mrn, by_name_family, by_name_given, by_name_born = self.patients[1]
        study = generate_uid()
        # An ID is trusted when the name and birth date sent agree with the chart.
        who = dict(name='%s^%s' % (family, given), birth_date=born.replace('-', ''))
        ct = self.make_dicom('CT_small.dcm', patient_id=mrn, study_uid=study, **who)
        ct2 = self.make_dicom('CT_small.dcm', patient_id=mrn, study_uid=study, **who)
        # No ID; the name without accents (ASCII, as modalities often have
        # it), in other case; the birth date.
        mr = self.make_dicom('MR_small.dcm', patient_id='',
                             name='%s^%s' % (ascii_fold(by_name_family).upper(),
                                             ascii_fold(by_name_given).lower()),
                             birth_date=by_name_born.replace('-', ''))
        with Listener(self, '--port', '0', '--allow', 'MODALITY1,OTHER') as rx:
            rx.wait_listening()
            sent = self.send(rx.port, ct, ct2, mr)
            self.assertEqual(sent.returncode, 0, sent.stderr)
            # The same again: stored once.
            again = self.send(rx.port, ct)
            self.assertEqual(again.returncode, 0, again.stderr)
            rc, out, err = rx.stop(signal.SIGINT)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(re.findall(r'^stored CT image \S+ for MRN %s$' % mrn, out, re.M)), 2,
                         out)
        self.assertRegex(out, r'(?m)^stored MR image \S+ for MRN %s$' % by_name_mrn)
        self.assertRegex(out, r'(?m)^already stored: CT image')

        docs = self.dicom_documents(mrn)
        self.assertEqual(len(docs), 2)
        self.assertTrue(all(d['category'] == 'imaging' for d in docs))
        self.assertTrue(all(d['source'] == 'MODALITY1 (127.0.0.1) over DICOM' for d in docs))
        studies = self.studies(mrn)
        self.assertEqual(len(studies), 1)
        self.assertEqual(studies[0]['study_instance_uid'], study)
        self.assertEqual(studies[0]['modalities'], ['CT'])
        self.assertEqual(studies[0]['instance_count'], 2)
        self.assertEqual(sorted(studies[0]['series'][0]['documents']),
                         sorted(d['id'] for d in docs))
        self.assertEqual(len(self.dicom_documents(by_name_mrn)), 1)

        # What comes back out is the instance sent.
        with warnings.catch_warnings():
            warnings.simplefilter('ignore')
            original = pydicom.dcmread(ct)
        stored = [self.exported(d['id']) for d in docs]
        self.assertIn(original.SOPInstanceUID, [s.SOPInstanceUID for s in stored])
        match = [s for s in stored if s.SOPInstanceUID == original.SOPInstanceUID][0]
        self.assertEqual(match.PixelData, original.PixelData)
        self.assertEqual(match.file_meta.SourceApplicationEntityTitle, 'MODALITY1')
        self.assertEqual(self.inbox(), [])

        audit = self.admin('admin', 'audit', 'list', '--csv').stdout
        self.assertIn('dicom-instance', audit)
        self.assertEqual(self.admin('admin', 'audit', 'verify').returncode, 0)

    def test_unmatched_waits_then_is_assigned(self):
        mrn = self.patients[2][0]
        study = generate_uid()
        first = self.make_dicom('MR_small.dcm', patient_id='NOBODY-42', study_uid=study)
        second = self.make_dicom('MR_small.dcm', patient_id='NOBODY-42', study_uid=study)
        with Listener(self, '--port', '0', '--allow', 'MODALITY1') as rx:
            rx.wait_listening()
            sent = self.send(rx.port, first, second)
            self.assertEqual(sent.returncode, 0, sent.stderr)
            rc, out, err = rx.stop()
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(re.findall(r'^unmatched: MR image .*NOBODY-42.*waiting for '
                                        r'reconciliation', out, re.M)), 2, out)

        inbox = self.inbox()
        self.assertEqual(len(inbox), 1)
        self.assertEqual(inbox[0]['study_instance_uid'], study)
        self.assertEqual(inbox[0]['patient_id'], 'NOBODY-42')
        self.assertEqual(inbox[0]['instances'], 2)
        self.assertEqual(inbox[0]['calling_ae'], 'MODALITY1')
        self.assertIn('NOBODY-42', inbox[0]['reason'])
        self.assertIn('NOBODY-42', self.admin('nurse', 'dicom', 'inbox').stdout)
        self.assertEqual(self.dicom_documents(mrn), [])

        # Not by the front desk, not to nobody.
        refused = self.admin('frontdesk', 'dicom', 'assign', str(inbox[0]['id']),
                             '--patient', mrn, expect=1)
        self.assertIn('Not allowed', refused.stderr)
        self.admin('doctor', 'dicom', 'assign', str(inbox[0]['id']), expect=2)

        proc = self.admin('doctor', 'dicom', 'assign', str(inbox[0]['id']), '--patient', mrn)
        self.assertIn('2 images filed for MRN %s' % mrn, proc.stdout)
        self.assertEqual(self.inbox(), [])
        self.assertEqual(len(self.dicom_documents(mrn)), 2)
        self.assertEqual(self.studies(mrn)[0]['study_instance_uid'], study)
        again = self.admin('doctor', 'dicom', 'assign', str(inbox[0]['id']), '--patient', mrn,
                           expect=1)
        self.assertIn('assigned', again.stderr)

    def test_discard_needs_a_reason(self):
        path = self.make_dicom('CT_small.dcm', patient_id='NOBODY-7')
        with Listener(self, '--port', '0', '--allow', 'MODALITY1') as rx:
            rx.wait_listening()
            self.assertEqual(self.send(rx.port, path).returncode, 0)
            rc, _, err = rx.stop()
        self.assertEqual(rc, 0, err)
        entry = str(self.inbox()[0]['id'])
        self.admin('doctor', 'dicom', 'discard', entry, expect=2)
        self.admin('doctor', 'dicom', 'discard', entry, '--reason', 'phantom, not a patient')
        self.assertEqual(self.inbox(), [])

    def compressed(self, tool, path, *options):
        """@path compressed by one of DCMTK's tools (dcmcjpls, dcmcjpeg, dcmcrle)."""
        out = path + '.' + tool
        proc = subprocess.run([tool] + list(options) + [path, out], capture_output=True,
                              text=True, timeout=60)
        self.assertEqual(proc.returncode, 0, proc.stderr)
        return out

    def test_compressed_transfer_syntaxes_stored_as_received(self):
        mrn, family, given, born = self.patients[3]
        who = dict(name='%s^%s' % (family, given), birth_date=born.replace('-', ''))
        # (transfer syntax, storescu's option to propose it, file)
        sent = [
            (JPEG_LS_LOSSLESS, '-xt',
             self.compressed('dcmcjpls', self.make_dicom('MR_small.dcm', patient_id=mrn, **who))),
            (JPEG_LOSSLESS_SV1, '-xs',
             self.compressed('dcmcjpeg', self.make_dicom('MR_small.dcm', patient_id=mrn, **who))),
            (RLE_LOSSLESS, '-xr',
             self.compressed('dcmcrle', self.make_dicom('MR_small.dcm', patient_id=mrn, **who))),
            (J2K_LOSSLESS, '-xv', self.make_dicom('MR_small_jp2klossless.dcm', patient_id=mrn, **who)),
        ]
        with Listener(self, '--port', '0', '--allow', 'MODALITY1') as rx:
            rx.wait_listening()
            for syntax, option, path in sent:
                proc = self.send(rx.port, path, options=[option])
                self.assertEqual(proc.returncode, 0, (syntax, proc.stderr))
            rc, out, err = rx.stop()
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(re.findall(r'^stored MR image', out, re.M)), 4, out)
        docs = self.dicom_documents(mrn)
        self.assertEqual(len(docs), 4)
        # Kept as the modality had them, not decompressed on the way.
        syntaxes = sorted(str(self.exported(d['id']).file_meta.TransferSyntaxUID) for d in docs)
        self.assertEqual(syntaxes, sorted(syntax for syntax, _, _ in sent))

    def test_settings_allowed_list_when_no_allow(self):
        self.admin('doctor', 'dicom', 'settings', '--allow', 'MODALITY2', expect=1)
        proc = self.admin('manager', 'dicom', 'settings', '--allow', 'MODALITY2', '--ae', 'PRACTICE')
        self.assertIn('MODALITY2', proc.stdout)
        with Listener(self, '--port', '0') as rx:
            rx.wait_listening()
            self.assertEqual(rx.ae, 'PRACTICE')
            self.assertEqual(self.echo(rx.port, calling='MODALITY2', called='PRACTICE').returncode,
                             0)
            self.assertNotEqual(self.echo(rx.port, calling='MODALITY1',
                                          called='PRACTICE').returncode, 0)
            rc, _, err = rx.stop()
        self.assertEqual(rc, 0, err)

    def test_stalled_peer_does_not_hold_the_stop(self):
        """A peer that opens a connection, sends the first bytes of an
        association request and goes silent does not keep the receiver from
        stopping (nor the window from locking)."""
        import socket
        import time
        with Listener(self, '--port', '0', '--allow', 'MODALITY1') as rx:
            rx.wait_listening()
            stalled = socket.create_connection(('127.0.0.1', rx.port))
            try:
                # A-ASSOCIATE-RQ, PDU length 68, and nothing more.
                stalled.sendall(bytes([0x01, 0x00, 0x00, 0x00, 0x00, 0x44, 0x00, 0x01]))
                time.sleep(1)
                started = time.monotonic()
                status, _, err = rx.stop()
                self.assertLess(time.monotonic() - started, 10, err)
                self.assertEqual(status, 0, err)
            finally:
                stalled.close()

    def test_port_in_use(self):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
            taken.bind(('', 0))
            taken.listen(1)
            port = taken.getsockname()[1]
            with Listener(self, '--port', str(port), '--allow', 'MODALITY1') as rx:
                out, err = rx.proc.communicate(timeout=60)
                self.assertEqual(rx.proc.returncode, 1, (out, err))
        self.assertIn('Port %d is already in use' % port, err)
        self.assertNotIn('Listening', out)

    def test_only_clinical_writers_listen(self):
        with Listener(self, '--port', '0', '--allow', 'MODALITY1', user='frontdesk') as rx:
            out, err = rx.proc.communicate(timeout=60)
            self.assertEqual(rx.proc.returncode, 1, (out, err))
        self.assertIn('Not allowed', err)

    def test_help(self):
        for command in (['listen'], ['inbox'], ['assign'], ['discard'], ['studies'],
                        ['settings']):
            proc = subprocess.run([ADMIN, 'dicom'] + command + ['--help'], env=self.env,
                                  capture_output=True, text=True, timeout=60)
            self.assertEqual(proc.returncode, 0)
            self.assertIn('charta-admin dicom %s' % command[0], proc.stdout)
            self.assertEqual(proc.stderr, '')
        text = subprocess.run([ADMIN, 'dicom', 'listen', '--help'], env=self.env,
                              capture_output=True, text=True, timeout=60).stdout
        for option in ('--port', '--ae', '--allow', '--practice', '--user'):
            self.assertIn(option, text)


if __name__ == '__main__':
    ADMIN = os.path.abspath(sys.argv.pop(1))
    if shutil.which('storescu') is None or shutil.which('echoscu') is None:
        print('dcmtk (echoscu, storescu) is not installed', file=sys.stderr)
        sys.exit(77)
    unittest.main(verbosity=2)
