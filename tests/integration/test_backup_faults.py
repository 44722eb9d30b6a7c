#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Backups under faults: the real charta-admin and charta-backupd on a demo
practice. A target that fills up (a small tmpfs) fails the run with a clear
message and a recorded reason, leaves the archives already there intact and
no temporary file behind, and the next run after space is freed succeeds; a
daemon killed at random points leaves only whole archives and records no
success for a run it did not finish; a backup taken while another process
keeps registering patients holds every patient registered before it started,
and a consistent prefix of the rest.

Usage: test_backup_faults.py PATH/TO/charta-admin PATH/TO/charta-backupd [unittest arguments]
"""

import datetime
import glob
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402
# Helpers borrowed by name below, not their classes: unittest would run every
# test class found in this module.
import test_backup  # noqa: E402
import test_backupd  # noqa: E402

ARCHIVE_GLOB = 'charta-*.chbk'
DEMO_PASSWORD = test_cli.DEMO_PASSWORD
demo_mrn = test_cli.PatientTests.demo_mrn
MRN_LINE = re.compile(r'^(\d{8})\s', re.M)

# Known bug (db/ch-store.c): ch_store_open() sets the busy timeout only after
# its first read ("SELECT count(*) FROM sqlite_master" in
# configure_connection()), so a process that opens the practice while another
# one briefly holds a lock (a connection closing and checkpointing, the
# backup's TRUNCATE checkpoint) fails at once, with no waiting:
# "The practice database is busy (Could not read the practice database); try
# again in a moment". Nothing was written then, so the concurrent test tries
# such a command again, and counts it. Set to False once the fix is in: then
# any such failure fails the test.
TOLERATE_BUSY_AT_OPEN = False
BUSY_AT_OPEN = 'The practice database is busy (Could not read the practice database)'


class BackupFaultTests(test_cli.DemoPracticeTestCase):

    demo_patients = 40
    MRN = demo_mrn(1)

    # From test_backup.BackupTests and test_backupd.BackupdTests.
    backup_now = test_backup.BackupTests.backup_now
    archive_args = test_backup.BackupTests.archive_args
    backupd = test_backupd.BackupdTests.backupd
    status = test_backupd.BackupdTests.status
    configure = test_backupd.BackupdTests.configure

    def setUp(self):
        super().setUp()
        self.target = os.path.join(self.tmp, 'target')
        os.mkdir(self.target)
        self.pwfile = self.write('pw', DEMO_PASSWORD + '\n')
        # Verification's private folders, inside the test's own (and off any
        # small target).
        self.tmpdir = os.path.join(self.tmp, 'tmpdir')
        os.mkdir(self.tmpdir, 0o700)
        self.env['TMPDIR'] = self.tmpdir

    # ---- helpers ----------------------------------------------------------------

    def import_random(self, name, size):
        """Files @size random (incompressible) bytes with the first demo patient."""
        path = os.path.join(self.tmp, name)
        with open(path, 'wb') as f:
            f.write(os.urandom(size))
        proc = self.demo('doctor', 'doc', 'import', '--patient', self.MRN, path)
        return int(proc.stdout.split()[0]), path

    def verify(self, archive):
        proc = self.run_admin('backup', 'verify', archive, *self.archive_args())
        self.assertIn('intact', proc.stdout)

    def archives(self, folder):
        return sorted(glob.glob(os.path.join(folder, ARCHIVE_GLOB)))

    def temps(self, folder):
        return {n for n in os.listdir(folder)
                if n.startswith('.charta-backup-') and n.endswith('.tmp')}

    def assert_only_archives_and_temps(self, folder):
        for name in os.listdir(folder):
            self.assertTrue(re.fullmatch(r'charta-\d{8}-\d{6}(-\d+)?\.chbk', name) or
                            re.fullmatch(r'\.charta-backup-\w{6}\.tmp', name),
                            'unexpected in the target: %s' % name)

    def mrns(self, practice, query):
        """The MRNs "patient search @query" finds in @practice."""
        proc = self.as_user(practice, 'doctor', DEMO_PASSWORD, 'patient', 'search', query,
                            '--limit', '100000')
        return MRN_LINE.findall(proc.stdout)

    def restore(self, archive, name):
        restored = os.path.join(self.tmp, name)
        self.run_admin('backup', 'restore', archive, '--to', restored, *self.archive_args())
        return restored

    def mount_tmpfs(self, folder, kib):
        if os.geteuid() != 0:
            self.skipTest('mounting a tmpfs needs root')
        if shutil.which('mount') is None or shutil.which('umount') is None:
            self.skipTest('mount/umount are not installed')
        os.mkdir(folder)
        proc = subprocess.run(['mount', '-t', 'tmpfs', '-o', 'size=%dk,mode=0700' % kib,
                               'tmpfs', folder], capture_output=True, text=True, timeout=30)
        if proc.returncode != 0:
            self.skipTest('cannot mount a tmpfs here (mount exited %d: %s)'
                          % (proc.returncode, proc.stderr.strip()))
        self.addCleanup(self.unmount, folder)

    def unmount(self, folder):
        proc = subprocess.run(['umount', folder], capture_output=True, text=True, timeout=30)
        if proc.returncode != 0:
            subprocess.run(['umount', '-l', folder], capture_output=True, timeout=30)

    def remount(self, folder, kib):
        subprocess.run(['mount', '-o', 'remount,size=%dk' % kib, folder], check=True,
                       capture_output=True, timeout=30)

    def assert_disk_full_message(self, text, folder):
        """One line naming the target and that it is out of space."""
        self.assertIn(folder, text)
        self.assertRegex(text.lower(), r'disk is full|no space left|not enough space')

    # ---- the tests ----------------------------------------------------------------

    def test_target_disk_full(self):
        # How big one archive of the demo practice is, into a scratch folder.
        scratch = os.path.join(self.tmp, 'scratch')
        os.mkdir(scratch)
        probe = self.demo('admin', 'backup', 'now', '--target', 'dir:' + scratch).stdout.strip()
        one = os.path.getsize(probe)
        shutil.rmtree(scratch)

        # Room for one such archive and 256 KiB more, not for one 2 MiB bigger.
        nas = os.path.join(self.tmp, 'small-nas')
        self.mount_tmpfs(nas, (one + 256 * 1024) // 1024 + 4)
        self.target = nas
        first = self.backup_now()
        self.assertEqual(os.listdir(nas), [os.path.basename(first)])
        first_size = os.path.getsize(first)

        big_id, big = self.import_random('big.bin', 2 * 1024 * 1024)

        proc = self.demo('admin', 'backup', 'now', '--target', 'dir:' + nas, expect=1)
        print('\n  backup now on a full target said: %r' % proc.stderr.strip().splitlines()[-1],
              file=sys.stderr)
        lines = proc.stderr.strip().splitlines()
        # Progress lines before it; the failure is the last line, and alone.
        failure = lines[-1]
        self.assertTrue(failure.startswith('charta-admin: '), proc.stderr)
        self.assertEqual([l for l in lines if l.startswith('charta-admin:')], [failure])
        self.assert_disk_full_message(failure, nas)
        self.assertEqual(proc.stdout, '')
        # The first archive is untouched and good; no temporary file is left.
        self.assertEqual(os.listdir(nas), [os.path.basename(first)])
        self.verify(first)
        status = self.status()
        self.assertEqual(status['last_success']['archive'], os.path.basename(first))
        self.assert_disk_full_message(status['last_failure']['reason'], nas)
        self.assertEqual(status['last_failure']['target'], nas)
        self.assertIsNone(status['last_failure']['archive'])
        failure_before = status['last_failure']

        # The daemon, with the full target configured: 1, the reason recorded
        # (a second later, so that its record is told from the first).
        time.sleep(1.1)
        self.configure('--target', 'dir:' + nas)
        proc = self.backupd('--once', expect=1)
        print('  charta-backupd --once on a full target said: %r'
              % proc.stderr.strip().splitlines()[-1], file=sys.stderr)
        self.assertIn('The backup failed', proc.stderr)
        self.assert_disk_full_message(proc.stderr, nas)
        self.assertNotIn('written and verified', proc.stdout)
        self.assertEqual(os.listdir(nas), [os.path.basename(first)])
        self.verify(first)
        status = self.status()
        self.assertEqual(status['last_success']['archive'], os.path.basename(first))
        self.assert_disk_full_message(status['last_failure']['reason'], nas)
        self.assertGreater(status['last_failure']['time'], failure_before['time'])

        # Space freed (the same tmpfs, bigger): the next run succeeds, by hand …
        self.remount(nas, (3 * os.path.getsize(big) + 3 * one) // 1024 + 64)
        second = self.backup_now()
        self.assertGreater(os.path.getsize(second), first_size + 2 * 1024 * 1024)
        # The default retention (7 daily …) let the first go: same day.
        self.verify(second)
        self.assertEqual(self.temps(nas), set())
        status = self.status()
        self.assertEqual(status['last_success']['archive'], os.path.basename(second))
        # … and by the daemon.
        proc = self.backupd('--once')
        third = re.search(r'written and verified: (\S+)$', proc.stdout, re.M).group(1)
        self.assertEqual(os.path.dirname(third), nas)
        self.verify(third)
        self.assertEqual(self.temps(nas), set())
        self.assert_only_archives_and_temps(nas)
        status = self.status()
        self.assertEqual(status['last_success']['archive'], os.path.basename(third))
        # The big document made it into the last archive.
        restored = self.restore(third, 'restored')
        out = os.path.join(self.tmp, 'big.out')
        self.as_user(restored, 'doctor', DEMO_PASSWORD, 'doc', 'export', str(big_id), out)
        with open(out, 'rb') as a, open(big, 'rb') as b:
            self.assertEqual(a.read(), b.read())

    def test_daemon_killed_at_random_points(self):
        self.configure('--target', 'dir:' + self.target)
        # Enough content that a run takes a moment to kill it in.
        big_id, big = self.import_random('big.bin', 24 * 1024 * 1024)

        started = time.monotonic()
        self.backupd('--once')
        duration = time.monotonic() - started
        last_success = self.status()['last_success']
        self.assertIsNotNone(last_success)

        rng = random.Random(20261125)
        killed_midway = 0
        completed = 0
        phases = []
        for i in range(8):
            temps_before = self.temps(self.target)
            archives_before = set(self.archives(self.target))
            proc = subprocess.Popen([test_backupd.BACKUPD, '--practice', self.practice, '--once'],
                                    env=self.env, stdin=subprocess.DEVNULL,
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            # Mostly while it writes; now and then while it verifies, names
            # and records the archive, or after it is done.
            time.sleep(duration * rng.uniform(0.2, 1.2))
            proc.send_signal(signal.SIGKILL)
            out, err = proc.communicate(timeout=60)
            new_temps = self.temps(self.target) - temps_before
            new_archives = set(self.archives(self.target)) - archives_before
            killed = proc.returncode == -signal.SIGKILL
            # A run that began writing leaves its temporary file or its archive.
            if 'Copying the database' in out:
                self.assertTrue(new_temps or new_archives, out + err)
            self.assertLessEqual(len(new_temps) + len(new_archives), 1)
            if killed and new_temps:
                killed_midway += 1
            if not killed:
                # It finished before the signal came.
                self.assertEqual(proc.returncode, 0, out + err)
                completed += 1

            # Whatever is named *.chbk is whole and good; nothing else is there.
            for archive in self.archives(self.target):
                self.verify(archive)
            self.assert_only_archives_and_temps(self.target)

            # A success is recorded only for a run that got its archive named.
            success = self.status()['last_success']
            said = [l for l in out.splitlines() if l.strip()]
            phases.append('finished' if not killed else
                          'killed with a .tmp' if new_temps else
                          'killed with its archive named, %s' % (
                              'success recorded' if success != last_success else 'unrecorded')
                          if new_archives else
                          'killed after: ' + said[-1] if said else 'killed at start')
            if success != last_success:
                self.assertFalse(new_temps, 'a run killed while writing recorded a success')
                self.assertEqual({os.path.basename(a) for a in new_archives},
                                 {success['archive']})
                self.assertIn('Verifying the backup', out)
            else:
                self.assertTrue(killed, 'a completed run recorded no success: ' + out + err)
            last_success = success
        self.assertGreater(killed_midway, 0, 'no run was killed while writing')
        print('\n  8 runs: %s' % '; '.join(phases), file=sys.stderr)

        # The next run removes the leftovers and writes a good archive.
        proc = self.backupd('--once')
        archive = re.search(r'written and verified: (\S+)$', proc.stdout, re.M).group(1)
        self.assertEqual(self.temps(self.target), set())
        self.assert_only_archives_and_temps(self.target)
        self.verify(archive)
        self.assertEqual(self.status()['last_success']['archive'], os.path.basename(archive))

        # It restores into a practice that lists the demo's patients, and
        # holds the big document.
        restored = self.restore(archive, 'restored')
        found = self.mrns(restored, '0000')
        self.assertEqual(found, self.mrns(self.practice, '0000'))
        for n in range(1, self.demo_patients + 1):
            self.assertIn(demo_mrn(n), found)
        out = os.path.join(self.tmp, 'big.out')
        self.as_user(restored, 'doctor', DEMO_PASSWORD, 'doc', 'export', str(big_id), out)
        with open(out, 'rb') as a, open(big, 'rb') as b:
            self.assertEqual(a.read(), b.read())
        self.as_user(restored, 'admin', DEMO_PASSWORD, 'audit', 'verify')
        self.demo('admin', 'audit', 'verify')

    def test_written_to_throughout(self):
        self.configure('--target', 'dir:' + self.target)
        # A run long enough that registrations go on during it.
        self.import_random('big.bin', 24 * 1024 * 1024)

        writes = []   # [start, end, returncode, mrn], in order, one at a time
        busy = []     # commands that failed at open, BUSY_AT_OPEN, and were tried again
        stop = threading.Event()
        login = self.login_args(self.practice, 'frontdesk', DEMO_PASSWORD)

        def writer():
            n = 0
            while not stop.is_set():
                n += 1
                born = datetime.date(1940, 1, 1) + datetime.timedelta(days=n)
                for attempt in range(20):
                    start = time.monotonic()
                    proc = subprocess.run(
                        [test_cli.ADMIN, 'patient', 'add', '--family', 'Faultwrite',
                         '--given', 'Writer', '--birth-date', born.isoformat(),
                         '--sex', 'female', '--force', *login],
                        env=self.env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                        timeout=120)
                    if (TOLERATE_BUSY_AT_OPEN and proc.returncode == 1
                            and BUSY_AT_OPEN in proc.stderr):
                        busy.append(proc.stderr.strip())
                        continue
                    break
                writes.append((start, time.monotonic(), proc.returncode,
                               proc.stdout.strip() if proc.returncode == 0 else proc.stderr))

        thread = threading.Thread(target=writer, daemon=True)

        def more_writes(n):
            """Waits until @n more registrations are done."""
            count = len(writes)
            deadline = time.monotonic() + 60
            while len(writes) < count + n:
                self.assertTrue(thread.is_alive(), 'the writer stopped')
                self.assertLess(time.monotonic(), deadline, 'the writer is stuck')
                time.sleep(0.02)

        def stop_writer():
            stop.set()
            thread.join(timeout=150)
        thread.start()
        self.addCleanup(stop_writer)

        runs = []
        for _ in range(3):
            # Some registrations before each run.
            more_writes(3)
            for attempt in range(5):
                t_start = time.monotonic()
                t_docs = None
                lines = []
                with subprocess.Popen([test_backupd.BACKUPD, '--practice', self.practice,
                                       '--once'],
                                      env=self.env, stdin=subprocess.DEVNULL,
                                      stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                      text=True) as proc:
                    for line in proc.stdout:
                        lines.append(line)
                        if t_docs is None and 'Copying the documents' in line:
                            # The database snapshot is over.
                            t_docs = time.monotonic()
                out = ''.join(lines)
                if not (TOLERATE_BUSY_AT_OPEN and proc.returncode == 1 and BUSY_AT_OPEN in out):
                    break
                busy.append(out.strip().splitlines()[-1])
            self.assertEqual(proc.returncode, 0, out)
            self.assertIsNotNone(t_docs, out)
            archive = re.search(r'written and verified: (\S+)$', out, re.M).group(1)
            # Keep the archive out of the daily retention of the next runs.
            kept = os.path.join(self.tmp, 'run-%d.chbk' % len(runs))
            shutil.copyfile(archive, kept)
            runs.append((t_start, t_docs, kept))
        # And some after the last.
        more_writes(3)
        stop_writer()

        failed = [w for w in writes if w[2] != 0]
        self.assertEqual(failed, [], 'registrations failed while backups ran')
        if busy:
            print('\n  %d commands failed at open, busy, and were tried again (known bug):\n    %s'
                  % (len(busy), '\n    '.join(sorted(set(busy)))), file=sys.stderr)
        order = [w[3] for w in writes]
        self.assertEqual(len(set(order)), len(order))
        # Every registration is in the practice itself.
        self.assertEqual(sorted(self.mrns(self.practice, 'Faultwrite')), sorted(order))

        during = 0
        for i, (t_start, t_docs, archive) in enumerate(runs):
            self.verify(archive)
            restored = self.restore(archive, 'restored-%d' % i)
            self.as_user(restored, 'admin', DEMO_PASSWORD, 'audit', 'verify')
            present = set(self.mrns(restored, 'Faultwrite'))
            before = [w[3] for w in writes if w[1] < t_start]
            after = [w[3] for w in writes if w[0] > t_docs]
            self.assertGreater(len(before), 0)
            # Every registration finished before the run started is in it …
            for mrn in before:
                self.assertIn(mrn, present, 'run %d lost a registration made before it' % i)
            # … none started after its snapshot was over …
            for mrn in after:
                self.assertNotIn(mrn, present, 'run %d holds a registration made after it' % i)
            # … and what it holds is a prefix: no gaps in the middle.
            self.assertEqual(present, set(order[:len(present)]),
                             'run %d holds registrations out of order' % i)
            during += len([w for w in writes if w[1] >= t_start and w[0] <= t_docs])
            # The demo's patients are all there.
            everyone = self.mrns(restored, '0000')
            for n in range(1, self.demo_patients + 1):
                self.assertIn(demo_mrn(n), everyone)
        print('\n  %d registrations, %d overlapping a run up to its snapshot'
              % (len(writes), during), file=sys.stderr)


def main():
    if len(sys.argv) < 3:
        sys.exit('usage: test_backup_faults.py CHARTA_ADMIN CHARTA_BACKUPD [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    test_backupd.BACKUPD = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
