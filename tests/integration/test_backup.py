#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-admin backup: the real binary on a demo practice. A backup restores
into a new folder that opens with an administrator's password and with the
recovery key, with every record and document; a damaged or cut archive is
refused by name; a backup killed midway leaves no archive, only a temporary
file the next run removes; a target that cannot be written is a clear error;
retention keeps the newest and never what it did not write; no plaintext in
the archive or the target.

Usage: test_backup.py PATH/TO/charta-admin [unittest arguments]
"""

import fcntl
import glob
import json
import os
import random
import signal
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402

ARCHIVE_GLOB = 'charta-*.chbk'


DEMO_PASSWORD = test_cli.DEMO_PASSWORD
# Not imported by name: unittest would run every test class in this module.
demo_mrn = test_cli.PatientTests.demo_mrn


class BackupTests(test_cli.DemoPracticeTestCase):

    demo_patients = 40
    MRN = demo_mrn(1)
    MARKER = 'Backup test letter: unmistakable marker 5c9e'

    def setUp(self):
        super().setUp()
        self.target = os.path.join(self.tmp, 'target')
        os.mkdir(self.target)
        self.pwfile = self.write('pw', DEMO_PASSWORD + '\n')
        self.keyfile = self.write('rk', self.recovery_key + '\n')
        # Verification's private folders, inside the test's own.
        self.tmpdir = os.path.join(self.tmp, 'tmpdir')
        os.mkdir(self.tmpdir, 0o700)
        self.env['TMPDIR'] = self.tmpdir

    def backup_now(self, *extra, expect=0, user='admin'):
        proc = self.demo(user, 'backup', 'now', '--target', 'dir:' + self.target, *extra,
                         expect=expect)
        if expect == 0:
            path = proc.stdout.strip()
            self.assertTrue(os.path.isfile(path), proc.stdout)
            self.assertEqual(os.path.dirname(path), self.target)
            self.assertIn('Verifying', proc.stderr)
            return path
        return proc

    def archive_args(self, user='admin'):
        return ['--user', user, '--password-file', self.pwfile]

    def import_letter(self):
        letter = self.write('letter.txt', (self.MARKER + '\n') * 3000)
        blob = os.urandom(200 * 1024)
        with open(os.path.join(self.tmp, 'scan.bin'), 'wb') as f:
            f.write(blob)
        proc = self.demo('doctor', 'doc', 'import', '--patient', self.MRN, letter,
                         os.path.join(self.tmp, 'scan.bin'))
        ids = [int(line) for line in proc.stdout.split()]
        self.assertEqual(len(ids), 2)
        return ids, [letter, os.path.join(self.tmp, 'scan.bin')]

    def patient_json(self, practice, mrn):
        proc = self.as_user(practice, 'doctor', DEMO_PASSWORD, 'patient', 'show', mrn, '--json')
        return json.loads(proc.stdout)

    def assert_same_practice(self, restored, ids, files):
        for n in (1, 2, self.demo_patients):
            mrn = demo_mrn(n)
            self.assertEqual(self.patient_json(restored, mrn), self.patient_json(self.practice, mrn))
        for i, path in zip(ids, files):
            out = os.path.join(self.tmp, 'out-%d-%d' % (i, time.monotonic_ns()))
            self.as_user(restored, 'doctor', DEMO_PASSWORD, 'doc', 'export', str(i), out)
            with open(out, 'rb') as a, open(path, 'rb') as b:
                self.assertEqual(a.read(), b.read())
        self.as_user(restored, 'admin', DEMO_PASSWORD, 'audit', 'verify')

    # ---- the tests ------------------------------------------------------------

    def test_backup_verify_restore(self):
        ids, files = self.import_letter()
        archive = self.backup_now()
        self.assertRegex(os.path.basename(archive), r'^charta-\d{8}-\d{6}\.chbk$')
        self.assertEqual(os.stat(archive).st_mode & 0o777, 0o600)
        self.assertEqual(os.listdir(self.target), [os.path.basename(archive)])

        proc = self.run_admin('backup', 'verify', archive, *self.archive_args())
        self.assertIn('intact', proc.stdout)
        self.assertIn('Riverside', proc.stdout)

        # The audit trail still holds the head the backup recorded.
        proc = self.demo('admin', 'audit', 'verify', '--backups', 'dir:' + self.target)
        self.assertIn('heads recorded in 1 backup', proc.stdout.replace('head recorded', 'heads recorded'))

        listing = json.loads(self.run_admin('backup', 'list', '--target', 'dir:' + self.target,
                                            '--json').stdout)
        self.assertEqual([b['path'] for b in listing], [archive])
        self.assertTrue(listing[0]['readable'])

        # Restored with the administrator's password …
        restored = os.path.join(self.tmp, 'restored')
        self.run_admin('backup', 'restore', archive, '--to', restored, *self.archive_args())
        self.assert_same_practice(restored, ids, files)

        # … and with the recovery key.
        by_key = os.path.join(self.tmp, 'by-key')
        self.run_admin('backup', 'restore', archive, '--to', by_key,
                       '--recovery-key-file', self.keyfile)
        self.assert_same_practice(by_key, ids, files)

        # Not over an existing practice, unless asked; then it is kept aside.
        proc = self.run_admin('backup', 'restore', archive, '--to', restored,
                              *self.archive_args(), expect=1)
        self.assert_failure_message(proc, restored, '--replace')
        self.run_admin('backup', 'restore', archive, '--to', restored, '--replace',
                       *self.archive_args())
        aside = glob.glob(restored + '.before-restore-*')
        self.assertEqual(len(aside), 1)
        self.assert_same_practice(restored, ids, files)
        self.assert_same_practice(aside[0], ids, files)
        # Never from under a session that has it open: every session holds
        # the practice lock shared, as this test does here.
        with open(os.path.join(restored, 'practice.lock'), 'a+') as lock:
            fcntl.flock(lock, fcntl.LOCK_SH)
            proc = self.run_admin('backup', 'restore', archive, '--to', restored, '--replace',
                                  *self.archive_args(), expect=1)
            self.assert_failure_message(proc, restored, 'is open')
        self.assertEqual(glob.glob(restored + '.before-restore-*'), aside)
        self.assertEqual([n for n in os.listdir(self.tmp) if '.restore-' in n], [])
        self.assert_same_practice(restored, ids, files)

        # A physician's password is not enough; a wrong one is refused.
        proc = self.run_admin('backup', 'restore', archive, '--to', os.path.join(self.tmp, 'x'),
                              *self.archive_args('doctor'), expect=1)
        self.assert_failure_message(proc, 'doctor')
        wrong = self.write('wrong', 'not the password\n')
        proc = self.run_admin('backup', 'verify', archive, '--user', 'admin',
                              '--password-file', wrong, expect=1)
        self.assert_failure_message(proc, archive)
        proc = self.run_admin('backup', 'restore', archive, '--to', os.path.join(self.tmp, 'x'),
                              '--user', 'admin', '--password-file', wrong, expect=1)
        self.assert_failure_message(proc, archive)
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'x')))

        status = json.loads(self.demo('manager', 'backup', 'status', '--json').stdout)
        self.assertEqual(status['last_success']['archive'], os.path.basename(archive))
        self.assertIsNone(status['last_failure'])

    def test_damaged_archive_refused(self):
        archive = self.backup_now()
        with open(archive, 'rb') as f:
            content = f.read()
        damaged = os.path.join(self.tmp, 'damaged.chbk')
        cases = []
        for pos in (3, len(content) // 2, len(content) - 5):
            flipped = bytearray(content)
            flipped[pos] ^= 0x01
            cases.append(bytes(flipped))
        cases.append(content[:len(content) // 2])
        cases.append(content[:-1])
        for case in cases:
            with open(damaged, 'wb') as f:
                f.write(case)
            proc = self.run_admin('backup', 'verify', damaged, *self.archive_args(), expect=1)
            self.assert_failure_message(proc, damaged)
            to = os.path.join(self.tmp, 'restored')
            proc = self.run_admin('backup', 'restore', damaged, '--to', to,
                                  '--recovery-key-file', self.keyfile, expect=1)
            self.assert_failure_message(proc, damaged)
            self.assertFalse(os.path.exists(to))
            self.assertEqual([n for n in os.listdir(self.tmp) if 'restore' in n], [])

    def test_killed_backup_leaves_no_archive(self):
        # Enough content that a backup takes a moment to kill it in.
        big = os.path.join(self.tmp, 'big.bin')
        with open(big, 'wb') as f:
            f.write(os.urandom(24 * 1024 * 1024))
        self.demo('doctor', 'doc', 'import', '--patient', self.MRN, big)

        # How long a whole run takes, to kill the next ones at points within it.
        started = time.monotonic()
        first = self.backup_now()
        duration = time.monotonic() - started
        os.unlink(first)

        rng = random.Random(7)
        killed_midway = 0
        for i in range(8):
            proc = subprocess.Popen(
                [test_cli.ADMIN, 'backup', 'now', '--target', 'dir:' + self.target,
                 *self.login_args(self.practice, 'admin', DEMO_PASSWORD)],
                env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=subprocess.PIPE)
            time.sleep(duration * rng.uniform(0.3, 0.95))
            proc.send_signal(signal.SIGKILL)
            proc.communicate()
            if proc.returncode == -signal.SIGKILL and any(
                    n.endswith('.tmp') for n in os.listdir(self.target)):
                killed_midway += 1
            # Whatever is named *.chbk is whole and good.
            for archive in glob.glob(os.path.join(self.target, ARCHIVE_GLOB)):
                self.run_admin('backup', 'verify', archive, *self.archive_args())
            for name in os.listdir(self.target):
                self.assertTrue(name.endswith('.chbk') or
                                (name.startswith('.charta-backup-') and name.endswith('.tmp')),
                                name)
        self.assertGreater(killed_midway, 0, 'no run was killed while writing')

        # Verification folders of killed runs (private, encrypted) are found
        # by the next run, which removes them.
        verify_dirs = self.tmpdir
        stale = os.path.join(verify_dirs, 'charta-verify-ABC123')
        os.mkdir(stale, 0o700)
        with open(os.path.join(stale, 'charta.db'), 'wb') as f:
            f.write(b'left by a killed run')
        archive = self.backup_now()
        self.assertEqual(os.listdir(verify_dirs), [])
        # The next run removed the leftovers.
        leftovers = [n for n in os.listdir(self.target) if n.endswith('.tmp')]
        self.assertEqual(leftovers, [])
        self.run_admin('backup', 'verify', archive, *self.archive_args())

    def test_target_not_writable(self):
        missing = os.path.join(self.tmp, 'no-such-nas')
        proc = self.demo('admin', 'backup', 'now', '--target', 'dir:' + missing, expect=1)
        self.assert_failure_message(proc, missing)
        # root writes anywhere a mode allows nothing; /proc takes no files from anyone.
        if os.geteuid() == 0:
            unwritable = '/proc/self'
        else:
            unwritable = self.target
            os.chmod(unwritable, 0o500)
            self.addCleanup(os.chmod, unwritable, 0o700)
        proc = self.demo('admin', 'backup', 'now', '--target', 'dir:' + unwritable, expect=1)
        self.assert_failure_message(proc, unwritable)

        status = json.loads(self.demo('admin', 'backup', 'status', '--json').stdout)
        self.assertIsNone(status['last_success'])
        self.assertIn(unwritable, status['last_failure']['reason'])
        text = self.demo('admin', 'backup', 'status').stdout
        self.assertIn('never', text)

        # Bad usage.
        # No --target and none configured: told how to configure one.
        self.assert_failure_message(self.demo('admin', 'backup', 'now', expect=1),
                                    'backup config')
        self.assert_usage_error(self.demo('admin', 'backup', 'now', '--target', 'dir:' + self.target,
                                          '--keep', '0', expect=2))
        self.assert_usage_error(self.run_admin('backup', 'restore', 'x.chbk', expect=2))
        # Only those with the right may back up.
        proc = self.demo('nurse', 'backup', 'now', '--target', 'dir:' + self.target, expect=1)
        self.assert_failure_message(proc)
        self.assertEqual(os.listdir(self.target), [])

    def test_retention(self):
        foreign = os.path.join(self.target, 'charta-20000101-000000.chbk')
        other = os.path.join(self.target, 'holiday-photos.jpg')
        for path in (foreign, other):
            with open(path, 'w') as f:
                f.write('not written by charta')
        archives = [self.backup_now('--keep', '2') for _ in range(4)]
        names = sorted(os.listdir(self.target))
        self.assertEqual(names, sorted([os.path.basename(archives[2]),
                                        os.path.basename(archives[3]),
                                        os.path.basename(foreign),
                                        os.path.basename(other)]))
        listing = self.run_admin('backup', 'list', '--target', 'dir:' + self.target).stdout
        self.assertIn('unreadable', listing)
        self.assertLess(listing.index(os.path.basename(archives[3])),
                        listing.index(os.path.basename(archives[2])))
        # keep 1 keeps the newest, which is the last good one.
        last = self.backup_now('--keep', '1')
        self.assertEqual(sorted(os.listdir(self.target)),
                         sorted([os.path.basename(last), os.path.basename(foreign),
                                 os.path.basename(other)]))

    def test_no_plaintext(self):
        self.import_letter()
        family = self.patient_json(self.practice, self.MRN)['family_name']
        archive = self.backup_now()
        restored = os.path.join(self.tmp, 'restored')
        self.run_admin('backup', 'restore', archive, '--to', restored, *self.archive_args())
        needles = [family.encode(), self.MARKER.encode(), b'SQLite format 3']
        for folder in (self.target, restored):
            for root, _, names in os.walk(folder):
                for name in names:
                    with open(os.path.join(root, name), 'rb') as f:
                        data = f.read()
                    for needle in needles:
                        self.assertNotIn(needle, data, os.path.join(root, name))


def main():
    if len(sys.argv) < 2:
        sys.exit('usage: test_backup.py CHARTA_ADMIN [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
