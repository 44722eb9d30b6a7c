#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin hl7 listen: lab results over MLLP on loopback and from a drop
folder, with messages built by Debian's python-hl7 and the acknowledgements
read back with it. A message filed or queued is answered AA with its control
id; one that cannot be read AR with the reason (MSA-3, ERR); several
messages on one connection each get their answer; the folder's files move to
processed/ or failed/; SIGTERM stops it cleanly; the front desk may not
listen.

Usage: test_hl7_listen.py PATH/TO/charta-admin [unittest arguments]
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402
import test_labs  # noqa: E402

hl7 = test_labs.hl7
demo_mrn = test_cli.PatientTests.demo_mrn


def mllp_exchange(port, *messages):
    """Sends @messages on one connection; returns the answers, parsed."""
    answers = []
    with socket.create_connection(('127.0.0.1', port), timeout=20) as s:
        for text in messages:
            s.sendall(b'\x0b' + text.encode('utf-8') + b'\x1c\r')
            data = b''
            while b'\x1c\r' not in data:
                chunk = s.recv(65536)
                if not chunk:
                    raise AssertionError('the connection closed without an answer')
                data += chunk
            start = data.index(b'\x0b') + 1
            answers.append(hl7.parse(data[start:data.index(b'\x1c\r')].decode('utf-8')))
    return answers


@unittest.skipIf(hl7 is None, 'python3-hl7 is not installed')
class ListenTests(test_cli.DemoPracticeTestCase):

    demo_patients = 5

    def setUp(self):
        super().setUp()
        self.mrn = demo_mrn(2)
        chart = json.loads(self.demo('doctor', 'patient', 'show', self.mrn, '--json').stdout)
        self.chart = chart
        self.folder = os.path.join(self.tmp, 'drop')
        os.mkdir(self.folder)

    def lipid(self, control, mrn=None, birth_date=None):
        return test_labs.build_oru(
            control, mrn or self.mrn, self.chart['family_name'], self.chart['given_name'],
            birth_date or self.chart['birth_date'], control,
            [('NM', '2093-3', 'Cholesterol, Total', '212', 'mg/dL', '100-199', 'H', 'F')])

    def start(self, *args, user='doctor'):
        proc = subprocess.Popen(
            [test_cli.ADMIN, 'hl7', 'listen', *args,
             *self.login_args(self.practice, user, test_cli.DEMO_PASSWORD)],
            env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        self.addCleanup(self.stop, proc)
        return proc

    def stop(self, proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                return proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        return proc.communicate()

    def read_line(self, proc, needle):
        line = proc.stdout.readline()
        while line and needle not in line:
            line = proc.stdout.readline()
        self.assertIn(needle, line)
        return line

    def results(self, mrn=None):
        return json.loads(self.demo('doctor', 'lab', 'results', '--patient', mrn or self.mrn,
                                    '--json').stdout)

    def test_mllp(self):
        proc = self.start('--port', '0', '--address', '127.0.0.1')
        port = int(self.read_line(proc, 'Listening on port').split()[-1])

        # Filed: AA with the message's control id, from the receiver back to the sender.
        ack, = mllp_exchange(port, self.lipid('LAB-1'))
        self.assertEqual(str(ack.segment('MSH')[9]), 'ACK^R01^ACK')
        self.assertEqual(str(ack.segment('MSH')[3]), 'CHARTA')
        self.assertEqual(str(ack.segment('MSH')[5]), 'PYLIS')
        self.assertEqual(str(ack.segment('MSA')[1]), 'AA')
        self.assertEqual(str(ack.segment('MSA')[2]), 'LAB-1')
        self.read_line(proc, 'imported for MRN %s' % self.mrn)
        self.assertEqual([r['value'] for r in self.results()], ['212'])

        # Several on one connection: unreadable, then a stranger (queued: ours now).
        bad, queued = mllp_exchange(
            port, 'MSH|^~\\&|PYLIS|LAB|CHARTA|OAKWOOD|20240405||ORU^R01|LAB-2|P|2.5.1\rPID|1',
            self.lipid('LAB-3', mrn='LAB-999', birth_date='1901-01-01'))
        self.assertIn(str(bad.segment('MSA')[1]), ('AR', 'AE'))
        self.assertEqual(str(bad.segment('MSA')[2]), 'LAB-2')
        self.assertTrue(str(bad.segment('MSA')[3]))
        self.assertTrue(str(bad.segment('ERR')[3]).startswith('207'))
        self.assertEqual(str(queued.segment('MSA')[1]), 'AA')
        queue = json.loads(self.demo('doctor', 'hl7', 'queue', '--json').stdout)
        self.assertEqual([m['control_id'] for m in queue], ['LAB-3'])

        log = json.loads(self.demo('doctor', 'hl7', 'log', '--json').stdout)
        self.assertEqual([(m['control_id'], m['outcome'], m['source']) for m in log],
                         [('LAB-3', 'queued', 'mllp'), ('LAB-2', 'rejected', 'mllp'),
                          ('LAB-1', 'imported', 'mllp')])

        out, err = self.stop(proc)
        self.assertEqual(proc.returncode, 0, err)
        self.assertIn('Stopped', out)

    def test_folder(self):
        proc = self.start('--folder', self.folder)
        self.read_line(proc, 'Watching')
        with open(os.path.join(self.folder, '.partial'), 'w') as f:
            f.write('being written')
        with open(os.path.join(self.folder, 'a.hl7'), 'w') as f:
            f.write(self.lipid('DROP-1') + '\r\n' + self.lipid('DROP-2'))
        with open(os.path.join(self.folder, 'b.hl7'), 'w') as f:
            f.write('not HL7 at all\n')

        deadline = time.monotonic() + 20
        processed = os.path.join(self.folder, 'processed')
        failed = os.path.join(self.folder, 'failed')
        while time.monotonic() < deadline:
            if (os.path.exists(os.path.join(processed, 'a.hl7'))
                    and os.path.exists(os.path.join(failed, 'b.hl7'))):
                break
            time.sleep(0.2)
        self.assertEqual(sorted(os.listdir(processed)), ['a.hl7'])
        self.assertEqual(sorted(os.listdir(failed)), ['b.hl7'])
        # Hidden files are the writer's business.
        self.assertTrue(os.path.exists(os.path.join(self.folder, '.partial')))
        log = json.loads(self.demo('doctor', 'hl7', 'log', '--json').stdout)
        self.assertEqual(sorted((m['control_id'] or '', m['outcome'], m['source']) for m in log),
                         [('', 'rejected', 'folder'), ('DROP-1', 'imported', 'folder'),
                          ('DROP-2', 'imported', 'folder')])
        self.assertEqual(len(self.results()), 2)   # two orders, a result each

        # The same name again does not overwrite what was processed.
        with open(os.path.join(self.folder, 'a.hl7'), 'w') as f:
            f.write(self.lipid('DROP-3'))
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and len(os.listdir(processed)) < 2:
            time.sleep(0.2)
        self.assertEqual(sorted(os.listdir(processed)), ['a.hl7', 'a.hl7-2'])

    def test_refused_and_usage(self):
        proc = subprocess.run(
            [test_cli.ADMIN, 'hl7', 'listen', '--folder', self.folder,
             *self.login_args(self.practice, 'frontdesk', test_cli.DEMO_PASSWORD)],
            env=self.env, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=60)
        self.assertEqual(proc.returncode, 1, proc.stderr)
        self.demo('doctor', 'hl7', 'listen', expect=2)
        self.demo('doctor', 'hl7', 'listen', '--port', '70000', expect=2)
        proc = self.demo('doctor', 'hl7', 'listen', '--folder', os.path.join(self.tmp, 'nope'),
                         expect=1)
        self.assertIn('nope', proc.stderr)
        # A port that is taken.
        with socket.socket() as s:
            s.bind(('127.0.0.1', 0))
            s.listen(1)
            proc = self.demo('doctor', 'hl7', 'listen', '--address', '127.0.0.1', '--port',
                             str(s.getsockname()[1]), expect=1)
            self.assertIn('charta-admin:', proc.stderr)


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: test_hl7_listen.py CHARTA_ADMIN [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
