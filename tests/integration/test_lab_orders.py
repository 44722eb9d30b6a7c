#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin lab order, lab orders, lab order-resend, lab order-cancel and
lab order-target: the real binary on a demo practice, its ORM^O01 messages
read by an independent implementation, Debian's python-hl7. Orders written
to a folder (whole files named by control id) carry the MRN, the tests, the
priority, the note (escapes round-trip), the ordering provider and the
chart's ICD-10 problems; over MLLP to a python-hl7 asyncio peer on loopback
that answers AA, or AE with a reason (the order fails, the reason is shown),
or to no peer at all (failed, kept, sent again once the peer is up); the
lab's ORU^R01 naming the placer number marks the order partial, then
resulted; cancelling sends ORC-1 CA; the front desk and nurses may not
order; bad input stores nothing.

Usage: test_lab_orders.py PATH/TO/charta-admin [unittest arguments]
"""

import asyncio
import glob
import json
import os
import socket
import sys
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402

try:
    import hl7
    import hl7.mllp
except ImportError:
    hl7 = None

demo_mrn = test_cli.PatientTests.demo_mrn

# The fourth demo patient has active ICD-10 problems (seed 7).
PATIENT = 4
NOTE = 'Fasting | 12 h ^ no & ~ sure \\ ok'


class MllpPeer:
    """A lab's MLLP listener on loopback, built on python-hl7's asyncio
    streams: keeps each message received and answers @answer ("AA", "AE",
    "AR"), with @reason in MSA-3 when given."""

    def __init__(self, answer='AA', reason=None, port=0):
        self.answer = answer
        self.reason = reason
        self.received = []
        self.loop = asyncio.new_event_loop()
        self.server = None
        started = threading.Event()
        failure = []

        def run():
            asyncio.set_event_loop(self.loop)
            try:
                self.server = self.loop.run_until_complete(
                    hl7.mllp.start_hl7_server(self.handle, host='127.0.0.1', port=port,
                                               encoding='utf-8'))
            except OSError as e:
                failure.append(e)
                started.set()
                return
            started.set()
            self.loop.run_forever()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        started.wait(10)
        if failure:
            raise failure[0]
        self.port = self.server.sockets[0].getsockname()[1]

    async def handle(self, reader, writer):
        try:
            while not writer.is_closing():
                message = await reader.readmessage()
                self.received.append(message)
                ack = message.create_ack(self.answer, application='PYLAB', facility='ACME LAB')
                if self.reason is not None:
                    ack = hl7.parse(str(ack).rstrip('\r') + '|' + ack.escape(self.reason))
                writer.writemessage(ack)
                await writer.drain()
        except asyncio.IncompleteReadError:
            pass
        finally:
            writer.close()

    def close(self):
        def stop():
            self.server.close()
            self.loop.stop()
        self.loop.call_soon_threadsafe(stop)
        self.thread.join(10)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def build_oru(control, mrn, chart, placer, code, text, status='F', filler='F-1'):
    """An ORU^R01 from the lab answering test @code of order @placer."""
    base = hl7.parse('MSH|^~\\&|X')
    e = base.escape

    def seg(*fields):
        return base.create_segment(
            [base.create_field([f]) if isinstance(f, str) else f for f in fields])

    def field(*reps):
        return base.create_field([base.create_repetition(list(r)) for r in reps])

    segments = [
        seg('MSH', '|', '^~\\&', 'PYLAB', 'ACME LAB', 'Charta', 'OAKWOOD', '20240405101500', '',
            field(['ORU', 'R01', 'ORU_R01']), control, 'P', '2.5.1'),
        seg('PID', '1', '', field([mrn, '', '', 'OAKWOOD', 'MR']), '',
            field([e(chart['family_name']), e(chart['given_name'])]), '',
            chart['birth_date'].replace('-', '')),
        seg('OBR', '1', placer, filler, field([code, text, 'LN']), '', '', '20240405080000',
            *([''] * 17), status),
        seg('OBX', '1', 'NM', field(['2345-7', 'Glucose', 'LN']), '', '98', 'mg/dL', '70-99',
            'N', '', '', status, '', '', '20240405080000'),
    ]
    return str(base.create_message(segments))


@unittest.skipIf(hl7 is None, 'python3-hl7 is not installed')
class LabOrderTests(test_cli.DemoPracticeTestCase):

    demo_patients = 5

    def setUp(self):
        super().setUp()
        self.mrn = demo_mrn(PATIENT)
        self.chart = json.loads(self.demo('doctor', 'patient', 'show', self.mrn, '--json').stdout)
        self.outbox = os.path.join(self.tmp, 'outbox')
        os.mkdir(self.outbox)

    def set_target(self, target, *extra, user='manager', expect=0):
        return self.demo(user, 'lab', 'order-target', target, *extra, expect=expect)

    def order(self, *tests, user='doctor', expect=0, mrn=None, extra=()):
        args = ['lab', 'order', '--patient', mrn or self.mrn]
        for test in tests or ('2345-7^Glucose',):
            args += ['--test', test]
        return self.demo(user, *args, *extra, expect=expect)

    def orders(self, *extra, user='doctor'):
        return json.loads(self.demo(user, 'lab', 'orders', '--json', *extra).stdout)

    def files(self):
        return sorted(glob.glob(os.path.join(self.outbox, '*.hl7')))

    def read_message(self, path):
        with open(path, encoding='utf-8', newline='') as f:
            return hl7.parse(f.read())

    def peer(self, *args, **kw):
        peer = MllpPeer(*args, **kw)
        self.addCleanup(peer.close)
        return peer

    # ---- to a folder ----------------------------------------------------------

    def test_order_to_a_folder(self):
        self.set_target('dir:' + self.outbox, '--receiving-application', 'LIS',
                        '--receiving-facility', 'ACME LAB')
        proc = self.order('24323-8^Comprehensive metabolic panel', 'LIPID^Lipid panel^L',
                          extra=('--priority', 'stat', '--note', NOTE,
                                 '--clinical-info', 'Diabetes follow-up'))
        self.assertRegex(proc.stdout, r'Order CH\d{6} for MRN %s: sent to dir:' % self.mrn)
        number = proc.stdout.split()[1]

        # One whole file, named by its control id; no temporary file left.
        path, = self.files()
        self.assertEqual(os.listdir(self.outbox), [os.path.basename(path)])
        msg = self.read_message(path)
        names = [str(s[0]) for s in msg]
        self.assertEqual(names[:3], ['MSH', 'PID', 'PV1'])
        self.assertEqual(names.count('ORC'), 2)
        self.assertEqual(names.count('OBR'), 2)
        self.assertEqual(names.count('NTE'), 1)

        msh = msg.segment('MSH')
        self.assertEqual(str(msh[9]), 'ORM^O01^ORM_O01')
        self.assertEqual(str(msh[3]), 'Charta')
        self.assertEqual(str(msh[5]), 'LIS')
        self.assertEqual(str(msh[6]), 'ACME LAB')
        self.assertEqual(str(msh[12]), '2.5.1')
        self.assertEqual(os.path.basename(path), str(msh[10]) + '.hl7')

        pid = msg.segment('PID')
        self.assertEqual(str(pid[3][0][0]), self.mrn)
        self.assertEqual(str(pid[3][0][4]), 'MR')
        self.assertEqual(msg.unescape(str(pid[5][0][0])), self.chart['family_name'])
        self.assertEqual(msg.unescape(str(pid[5][0][1])), self.chart['given_name'])
        self.assertEqual(str(pid[7]), self.chart['birth_date'].replace('-', ''))
        self.assertIn(str(pid[8]), ('F', 'M', 'O', 'U'))

        for orc in msg.segments('ORC'):
            self.assertEqual(str(orc[1]), 'NW')
            self.assertEqual(str(orc[2]), number)
            self.assertEqual(str(orc[12][0][0]), 'doctor')
        obrs = msg.segments('OBR')
        self.assertEqual([(str(o[4][0][0]), str(o[4][0][1]), str(o[4][0][2])) for o in obrs],
                         [('24323-8', 'Comprehensive metabolic panel', 'LN'),
                          ('LIPID', 'Lipid panel', 'L')])
        self.assertEqual([str(o[2]) for o in obrs], [number, number])
        self.assertEqual([str(o[5]) for o in obrs], ['S', 'S'])
        self.assertEqual(str(obrs[0][13]), 'Diabetes follow-up')
        self.assertEqual([str(t[9]) for t in msg.segments('TQ1')], ['S', 'S'])

        # The note's delimiters and escape character come back as they were.
        nte = msg.segment('NTE')
        self.assertEqual(msg.unescape(str(nte[3])), NOTE)
        self.assertNotIn('|', str(nte[3]).replace('\\F\\', ''))

        # The chart's active problems, ICD-10 coded.
        problems = {p['code'] for p in self.chart['chart']['problems'] if p['status'] == 'active'}
        self.assertTrue(problems)
        diagnoses = {str(d[3][0][0]) for d in msg.segments('DG1')}
        self.assertEqual(diagnoses, problems)
        self.assertEqual({str(d[3][0][2]) for d in msg.segments('DG1')}, {'I10'})

        order, = self.orders()
        self.assertEqual(order['placer_number'], number)
        self.assertEqual(order['status'], 'sent')
        self.assertEqual(order['attempts'], 1)
        self.assertEqual(order['priority'], 'stat')
        self.assertEqual(order['note'], NOTE)
        self.assertEqual(order['control_id'], str(msh[10]))
        self.assertEqual([t['code'] for t in order['tests']], ['24323-8', 'LIPID'])
        self.assertIsNotNone(order['sent_at'])
        # Filtered by patient and status.
        self.assertEqual(len(self.orders('--patient', self.mrn, '--status', 'sent')), 1)
        self.assertEqual(self.orders('--status', 'failed'), [])
        self.assertEqual(self.orders('--patient', demo_mrn(1)), [])

        # The next order has the next number, and a file of its own.
        proc = self.order('4548-4^Hemoglobin A1c')
        self.assertNotEqual(proc.stdout.split()[1], number)
        self.assertEqual(len(self.files()), 2)

        # Audited, with the patient.
        audit = self.demo('admin', 'audit', 'list', '--action', 'create').stdout
        self.assertRegex(audit, r'doctor .*create +lab-order %s .*placed \(stat\)' % number)

    # ---- over MLLP ------------------------------------------------------------

    def test_mllp_accepted(self):
        peer = self.peer('AA')
        self.set_target('mllp://127.0.0.1:%d' % peer.port)
        proc = self.order('718-7^Hemoglobin', extra=('--note', NOTE))
        self.assertIn('sent to mllp://127.0.0.1:%d' % peer.port, proc.stdout)
        message, = peer.received
        self.assertEqual(str(message.segment('MSH')[9]), 'ORM^O01^ORM_O01')
        self.assertEqual(str(message.segment('ORC')[1]), 'NW')
        self.assertEqual(str(message.segment('OBR')[4][0][0]), '718-7')
        self.assertEqual(message.unescape(str(message.segment('NTE')[3])), NOTE)
        order, = self.orders()
        self.assertEqual(order['status'], 'sent')
        self.assertEqual(order['control_id'], str(message.segment('MSH')[10]))

    def test_mllp_refused(self):
        peer = self.peer('AE', reason='Unknown test code 9999-9 | call us')
        self.set_target('mllp://127.0.0.1:%d' % peer.port)
        proc = self.order('9999-9^Nonsense', expect=1)
        self.assertIn('Unknown test code 9999-9 | call us', proc.stderr)
        self.assertIn('AE', proc.stderr)
        self.assertEqual(len(peer.received), 1)
        order, = self.orders()
        self.assertEqual(order['status'], 'failed')
        self.assertIn('Unknown test code 9999-9', order['reason'])
        self.assertIsNone(order['sent_at'])

    def test_no_peer_then_resend(self):
        port = free_port()
        self.set_target('mllp://127.0.0.1:%d' % port)
        proc = self.order('718-7^Hemoglobin', expect=1)
        number = proc.stdout.split()[1]
        self.assertIn('could not be reached', proc.stderr)
        self.assertIn('order-resend %s' % number, proc.stderr)
        order, = self.orders()
        self.assertEqual((order['status'], order['attempts']), ('failed', 1))
        self.assertIn('could not be reached', order['reason'])

        # Still down: failed again, counted.
        self.demo('doctor', 'lab', 'order-resend', number, expect=1)
        self.assertEqual(self.orders()[0]['attempts'], 2)

        peer = self.peer('AA', port=port)
        proc = self.demo('nurse', 'lab', 'order-resend', number)
        self.assertIn('sent to mllp://127.0.0.1:%d' % port, proc.stdout)
        message, = peer.received
        self.assertEqual(str(message.segment('ORC')[2]), number)
        order, = self.orders()
        self.assertEqual((order['status'], order['attempts'], order['reason']), ('sent', 3, None))
        # Sent: not again.
        proc = self.demo('doctor', 'lab', 'order-resend', number, expect=1)
        self.assertIn('sent already', proc.stderr)
        self.assertEqual(len(peer.received), 1)

    def test_no_target(self):
        proc = self.order(expect=1)
        self.assertIn('No destination for lab orders', proc.stderr)
        self.assertEqual(self.orders()[0]['status'], 'failed')
        self.set_target('dir:' + self.outbox)
        self.demo('doctor', 'lab', 'order-resend', self.orders()[0]['placer_number'])
        self.assertEqual(len(self.files()), 1)

    # ---- results and cancelling ------------------------------------------------

    def import_oru(self, *args, **kw):
        path = os.path.join(self.tmp, 'oru-%s.hl7' % args[0])
        with open(path, 'w', encoding='utf-8') as f:
            f.write(build_oru(*args, **kw))
        return self.demo('doctor', 'import', 'hl7', path)

    def test_results_mark_the_order(self):
        self.set_target('dir:' + self.outbox)
        number = self.order('2345-7^Glucose', '4548-4^Hemoglobin A1c').stdout.split()[1]

        # A number of ours for another patient links nothing.
        other = demo_mrn(2)
        other_chart = json.loads(self.demo('doctor', 'patient', 'show', other, '--json').stdout)
        self.import_oru('R0', other, other_chart, number, '2345-7', 'Glucose')
        self.assertEqual(self.orders()[0]['status'], 'sent')

        self.import_oru('R1', self.mrn, self.chart, number, '2345-7', 'Glucose', status='P')
        order, = self.orders()
        self.assertEqual(order['status'], 'partial')
        self.assertIsNotNone(order['tests'][0]['report_id'])
        self.assertIsNone(order['tests'][1]['report_id'])
        self.assertIsNotNone(order['resulted_at'])

        self.import_oru('R2', self.mrn, self.chart, number, '2345-7', 'Glucose', status='F')
        self.assertEqual(self.orders()[0]['status'], 'partial')
        self.import_oru('R3', self.mrn, self.chart, number, '4548-4', 'Hemoglobin A1c',
                        filler='F-2')
        order, = self.orders()
        self.assertEqual(order['status'], 'resulted')
        self.assertEqual([t['result_status'] for t in order['tests']], ['F', 'F'])
        # The results themselves are in the chart, with the order's number.
        results = json.loads(self.demo('doctor', 'lab', 'results', '--patient', self.mrn,
                                       '--json').stdout)
        self.assertIn(number, {r['placer_number'] for r in results})
        # All in: no longer cancellable.
        self.demo('doctor', 'lab', 'order-cancel', number, '--reason', 'late', expect=1)

    def test_cancel(self):
        self.set_target('dir:' + self.outbox)
        number = self.order('2345-7^Glucose').stdout.split()[1]
        self.demo('doctor', 'lab', 'order-cancel', number, expect=2)   # no reason
        proc = self.demo('doctor', 'lab', 'order-cancel', number, '--reason',
                         'Patient declined | today')
        self.assertIn('cancellation was sent', proc.stdout)
        messages = {str(m.segment('ORC')[1]): m for m in map(self.read_message, self.files())}
        first, second = messages['NW'], messages['CA']
        self.assertEqual(str(first.segment('ORC')[1]), 'NW')
        self.assertEqual(str(second.segment('ORC')[1]), 'CA')
        self.assertEqual(str(second.segment('ORC')[2]), number)
        self.assertEqual(second.unescape(str(second.segment('ORC')[16][0][1])),
                         'Patient declined | today')
        order, = self.orders()
        self.assertEqual((order['status'], order['cancel_delivery'], order['cancel_reason']),
                         ('cancelled', 'sent', 'Patient declined | today'))
        self.assertEqual(order['cancelled_by'], 'doctor')
        proc = self.demo('doctor', 'lab', 'order-cancel', number, '--reason', 'again', expect=1)
        self.assertIn('cancelled already', proc.stderr)
        self.demo('doctor', 'lab', 'order-resend', number, expect=1)

        # An order the lab never had is cancelled without telling it.
        self.set_target('mllp://127.0.0.1:%d' % free_port())
        number = self.order(expect=1).stdout.split()[1]
        proc = self.demo('doctor', 'lab', 'order-cancel', number, '--reason', 'typo')
        self.assertIn('never had it', proc.stdout)
        self.assertEqual(len(self.files()), 2)

    def test_cancel_not_delivered_then_resent(self):
        peer = self.peer('AA')
        self.set_target('mllp://127.0.0.1:%d' % peer.port)
        number = self.order().stdout.split()[1]
        peer.close()
        self.set_target('mllp://127.0.0.1:%d' % free_port())
        proc = self.demo('doctor', 'lab', 'order-cancel', number, '--reason', 'duplicate',
                         expect=1)
        self.assertIn('was not sent', proc.stderr)
        order, = self.orders()
        self.assertEqual((order['status'], order['cancel_delivery']), ('cancelled', 'failed'))
        self.set_target('dir:' + self.outbox)
        self.demo('doctor', 'lab', 'order-resend', number)
        message, = [self.read_message(p) for p in self.files()]
        self.assertEqual(str(message.segment('ORC')[1]), 'CA')
        self.assertEqual(self.orders()[0]['cancel_delivery'], 'sent')

    # ---- who may, and bad input --------------------------------------------------

    def test_permissions(self):
        self.set_target('dir:' + self.outbox)
        for user in ('frontdesk', 'nurse', 'manager', 'admin'):
            proc = self.order(user=user, expect=1)
            self.assertIn('Not allowed', proc.stderr, user)
        self.assertEqual(self.orders(), [])
        self.assertEqual(self.files(), [])
        self.demo('frontdesk', 'lab', 'orders', expect=1)
        # Where orders go is the office's business, not the doctor's.
        self.set_target('dir:/', user='doctor', expect=1)
        self.assertIn('dir:' + self.outbox, self.demo('doctor', 'lab', 'order-target').stdout)
        number = self.order().stdout.split()[1]
        self.demo('frontdesk', 'lab', 'order-cancel', number, '--reason', 'x', expect=1)
        self.demo('nurse', 'lab', 'order-cancel', number, '--reason', 'x', expect=1)
        self.assertEqual(self.orders()[0]['status'], 'sent')

    def test_bad_input(self):
        self.set_target('dir:' + self.outbox)
        self.demo('doctor', 'lab', 'order', '--patient', self.mrn, expect=2)     # no test
        self.demo('doctor', 'lab', 'order', '--test', '1-1^X', expect=2)         # no patient
        self.order(extra=('--priority', 'whenever'), expect=2)
        self.demo('doctor', 'lab', 'order-cancel', expect=2)
        proc = self.order('^No code', expect=1)
        self.assertIn('no code', proc.stderr)
        proc = self.order('1-1^A', '1-1^B', expect=1)
        self.assertIn('twice', proc.stderr)
        self.order('X' * 80 + '^Long', expect=1)
        self.order(mrn='99999997', expect=1)
        proc = self.demo('doctor', 'lab', 'order-resend', 'CH999999', expect=1)
        self.assertIn('CH999999', proc.stderr)
        self.demo('doctor', 'lab', 'orders', '--status', 'lost', expect=1)
        # Nothing of it stored or written.
        self.assertEqual(self.orders(), [])
        self.assertEqual(self.files(), [])

        for target in ('ftp://lab', 'dir:relative/path', 'dir:' + os.path.join(self.tmp, 'nope'),
                       'mllp://127.0.0.1', 'mllp://127.0.0.1:70000', 'mllp://:2575'):
            proc = self.set_target(target, expect=1)
            self.assertTrue(proc.stderr.startswith('charta-admin:'), target)
        self.assertIn('dir:' + self.outbox, self.demo('manager', 'lab', 'order-target').stdout)

        # A folder that has gone: failed, kept, sent once it is back.
        os.rmdir(self.outbox)
        proc = self.order(expect=1)
        self.assertIn('does not exist', proc.stderr)
        os.mkdir(self.outbox)
        self.demo('doctor', 'lab', 'order-resend', proc.stdout.split()[1])
        self.assertEqual(len(self.files()), 1)


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: test_lab_orders.py CHARTA_ADMIN [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
