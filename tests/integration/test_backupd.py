#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""charta-backupd and "charta-admin backup config|status": the real binaries on
a demo practice. The daemon, with the backup service's key slot and no
password, writes a verified archive to the configured folder and records it
where "backup status --json" shows it; a target it cannot write makes --once
exit 1 with the reason in the status; SIGTERM stops it cleanly. (SFTP targets:
test_backup_sftp.py.) The systemd units pass
"systemd-analyze verify" where that tool is installed.

Usage: test_backupd.py PATH/TO/charta-admin PATH/TO/charta-backupd [unittest arguments]
"""

import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402

BACKUPD = None
SOURCE_DIR = os.environ.get('CHARTA_SOURCE_DIR',
                            os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..'))


class BackupdTests(test_cli.DemoPracticeTestCase):

    def setUp(self):
        super().setUp()
        self.target = os.path.join(self.tmp, 'target')
        os.mkdir(self.target)
        self.tmpdir = os.path.join(self.tmp, 'tmpdir')
        os.mkdir(self.tmpdir, 0o700)
        self.env['TMPDIR'] = self.tmpdir
        self.pwfile = self.write('pw', test_cli.DEMO_PASSWORD + '\n')

    def backupd(self, *args, expect=0):
        proc = subprocess.run([BACKUPD, '--practice', self.practice, *args], env=self.env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=120)
        if expect is not None:
            self.assertEqual(proc.returncode, expect, proc.stdout + proc.stderr)
        return proc

    def status(self):
        return json.loads(self.demo('manager', 'backup', 'status', '--json').stdout)

    def configure(self, *args, user='manager', expect=0):
        return self.demo(user, 'backup', 'config', *args, expect=expect)

    # ---- the tests ------------------------------------------------------------

    def test_config(self):
        shown = self.configure().stdout
        self.assertIn('(none)', shown)
        self.assertIn('02:00', shown)
        self.assertIn('7 daily, 4 weekly, 12 monthly', shown)

        proc = self.configure('--target', 'dir:' + self.target, '--time', '23:45',
                              '--keep-daily', '3', '--keep-weekly', '2', '--keep-monthly', '6')
        self.assertIn('dir:' + self.target, proc.stdout)
        self.assertIn('23:45', proc.stdout)
        self.assertIn('3 daily, 2 weekly, 6 monthly', proc.stdout)
        # An option alone changes that one only.
        shown = self.configure('--time', '01:30', user='admin').stdout
        self.assertIn('dir:' + self.target, shown)
        self.assertIn('01:30', shown)
        self.assertIn('3 daily, 2 weekly, 6 monthly', shown)

        # Bad values name what is wrong and change nothing.
        for args, needle in ((['--time', '25:00'], '25:00'),
                             (['--keep-daily', 'many'], '--keep-daily'),
                             (['--target', 'sftp://nas.local/x'], 'sftp://'),
                             (['--target', 'sftp://u@nas.local/x'], '--identity'),
                             (['--target', 'dir:' + self.target, '--identity', '/k'],
                              'SFTP targets only')):
            proc = self.configure(*args, expect=None)
            self.assertIn(proc.returncode, (1, 2), args)
            self.assertIn(needle.lower(), proc.stderr.lower(), args)
        self.assertIn('01:30', self.configure().stdout)

        # Only the office manager and the administrator may change it.
        proc = self.configure('--time', '04:00', user='nurse', expect=1)
        self.assert_failure_message(proc)
        self.assertIn('01:30', self.configure().stdout)
        audit = self.demo('admin', 'audit', 'list', '--limit', '40').stdout
        self.assertIn('settings', audit)
        self.assertIn('23:45', audit)

    def test_once_writes_a_verified_archive(self):
        self.configure('--target', 'dir:' + self.target, '--time', '03:00')
        proc = self.backupd('--once')
        self.assertIn('verified', proc.stdout)
        archives = glob.glob(os.path.join(self.target, 'charta-*.chbk'))
        self.assertEqual(len(archives), 1, os.listdir(self.target))
        self.run_admin('backup', 'verify', archives[0], '--user', 'admin',
                       '--password-file', self.pwfile)

        status = self.status()
        self.assertEqual(status['last_success']['archive'], os.path.basename(archives[0]))
        self.assertEqual(status['last_success']['size'], os.path.getsize(archives[0]))
        self.assertIsNone(status['last_failure'])
        self.assertFalse(status['overdue'])
        self.assertEqual(status['target'], 'dir:' + self.target)
        self.assertRegex(status['next_run'], r'T03:00:00')
        text = self.demo('manager', 'backup', 'status').stdout
        self.assertIn('Next run', text)
        self.assertNotIn('OVERDUE', text)
        # The audit trail shows the practice leaving, by whom.
        audit = self.demo('admin', 'audit', 'list', '--limit', '10').stdout
        line = [l for l in audit.splitlines() if 'written and verified' in l]
        self.assertEqual(len(line), 1, audit)
        self.assertIn(os.path.basename(archives[0]), line[0])
        self.assertIn('backup', line[0])

        # "backup now" uses the configured target too.
        proc = self.demo('admin', 'backup', 'now')
        self.assertEqual(os.path.dirname(proc.stdout.strip()), self.target)

    def test_unwritable_target_fails_with_reason(self):
        if os.geteuid() == 0:
            unwritable = '/proc/self'
        else:
            unwritable = self.target
            os.chmod(unwritable, 0o500)
            self.addCleanup(os.chmod, unwritable, 0o700)
        self.configure('--target', 'dir:' + unwritable)
        proc = self.backupd('--once', expect=1)
        self.assertIn(unwritable, proc.stderr)
        status = self.status()
        self.assertIsNone(status['last_success'])
        self.assertIn(unwritable, status['last_failure']['reason'])
        self.assertTrue(status['overdue'])
        self.assertIn('OVERDUE', self.demo('manager', 'backup', 'status').stdout)

    def test_nothing_configured(self):
        proc = self.backupd('--once', expect=1)
        self.assertIn('backup config', proc.stderr)
        self.assertIn('No backup target', self.status()['last_failure']['reason'])
        proc = self.demo('admin', 'backup', 'now', expect=1)
        self.assert_failure_message(proc, 'backup config')

    def test_sigterm_stops_cleanly(self):
        self.configure('--target', 'dir:' + self.target)
        for sig in (signal.SIGTERM, signal.SIGINT):
            proc = subprocess.Popen([BACKUPD, '--practice', self.practice], env=self.env,
                                    stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE, text=True)
            try:
                # Scheduled, sleeping: it says when the next backup is.
                line = proc.stdout.readline()
                while line and 'Next backup' not in line:
                    line = proc.stdout.readline()
                self.assertIn('Next backup', line)
                proc.send_signal(sig)
                out, err = proc.communicate(timeout=20)
            finally:
                if proc.poll() is None:
                    proc.kill()
                    proc.communicate()
            self.assertEqual(proc.returncode, 0, err)
            self.assertIn('Stopping', out)
        # It backed nothing up: the time has not come.
        self.assertEqual(os.listdir(self.target), [])

    def start_daemon(self, *args):
        proc = subprocess.Popen([BACKUPD, '--practice', self.practice, *args], env=self.env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        self.addCleanup(self.stop_daemon, proc)
        return proc

    def stop_daemon(self, proc):
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()

    def read_until(self, proc, needle):
        seen = []
        line = proc.stdout.readline()
        while line and needle not in line:
            seen.append(line)
            line = proc.stdout.readline()
        self.assertIn(needle, line, ''.join(seen))
        return ''.join(seen) + line

    def test_sleeping_daemon_lets_rekey_through(self):
        # Between runs the practice is closed: no lock that keeps rekey out,
        # and the next run opens the rotated key's slot.
        self.configure('--target', 'dir:' + self.target)
        proc = self.start_daemon()
        self.read_until(proc, 'Next backup')
        self.demo('admin', 'rekey')
        self.stop_daemon(proc)
        self.assertEqual(proc.returncode, 0)
        self.backupd('--once')
        archives = glob.glob(os.path.join(self.target, 'charta-*.chbk'))
        self.assertEqual(len(archives), 1)
        self.run_admin('backup', 'verify', archives[0], '--user', 'admin',
                       '--password-file', self.pwfile)

    def test_failure_is_retried(self):
        self.configure('--target', 'dir:' + os.path.join(self.tmp, 'no-such-nas'))
        proc = self.start_daemon('--now')
        out = self.read_until(proc, 'Trying again at')
        self.assertNotIn('written and verified', out)
        self.stop_daemon(proc)
        self.assertEqual(proc.returncode, 0)
        self.assertIn('no-such-nas', self.status()['last_failure']['reason'])

    def test_now_then_schedule(self):
        self.configure('--target', 'dir:' + self.target)
        proc = subprocess.Popen([BACKUPD, '--practice', self.practice, '--now'], env=self.env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)
        try:
            lines = []
            line = proc.stdout.readline()
            while line and 'Next backup' not in line:
                lines.append(line)
                line = proc.stdout.readline()
            self.assertIn('Next backup', line, ''.join(lines))
            self.assertIn('written and verified', ''.join(lines))
            proc.send_signal(signal.SIGTERM)
            proc.communicate(timeout=20)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.communicate()
        self.assertEqual(proc.returncode, 0)
        self.assertEqual(len(glob.glob(os.path.join(self.target, 'charta-*.chbk'))), 1)

    def test_usage(self):
        for args in (['--bogus'], ['--once', '--now'], ['extra']):
            proc = subprocess.run([BACKUPD, *args], env=self.env, stdin=subprocess.DEVNULL,
                                  capture_output=True, text=True, timeout=30)
            self.assertEqual(proc.returncode, 2, args)
        proc = subprocess.run([BACKUPD, '--help'], env=self.env, stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=30)
        self.assertEqual(proc.returncode, 0)
        self.assertIn('--once', proc.stdout)
        # No practice there: 1, with the reason.
        proc = subprocess.run([BACKUPD, '--practice', os.path.join(self.tmp, 'none'), '--once'],
                              env=self.env, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=30)
        self.assertEqual(proc.returncode, 1)
        self.assertIn('charta-backupd:', proc.stderr)


class UnitFileTests(unittest.TestCase):
    """The units as installed, checked by systemd-analyze where it exists."""

    def test_units_verify(self):
        analyze = shutil.which('systemd-analyze')
        if analyze is None:
            self.skipTest('systemd-analyze is not installed')
        units_src = os.path.join(SOURCE_DIR, 'resources', 'systemd')
        with tempfile.TemporaryDirectory(prefix='charta-units-') as tmp:
            bindir = os.path.dirname(os.path.abspath(BACKUPD))
            names = []
            for name in sorted(os.listdir(units_src)):
                if name == 'meson.build' or name.startswith('charta.'):
                    continue
                with open(os.path.join(units_src, name)) as f:
                    text = f.read().replace('@BINDIR@', bindir)
                out_name = name[:-3] if name.endswith('.in') else name
                with open(os.path.join(tmp, out_name), 'w') as f:
                    f.write(text)
                names.append(out_name)
            self.assertEqual(sorted(names), ['charta-backupd-once.service',
                                             'charta-backupd.service', 'charta-backupd.timer'])
            for name in names:
                with open(os.path.join(tmp, name)) as f:
                    text = f.read()
                if name.endswith('.service'):
                    for needle in ('User=charta-backup', 'NoNewPrivileges=yes',
                                   'ProtectSystem=strict', 'PrivateTmp=yes', 'ReadWritePaths='):
                        self.assertIn(needle, text, name)
            proc = subprocess.run([analyze, 'verify', '--man=no'] +
                                  [os.path.join(tmp, n) for n in names],
                                  capture_output=True, text=True, timeout=60,
                                  env=dict(os.environ, SYSTEMD_LOG_LEVEL='warning'))
            # It may grumble about the machine it runs on (no systemd as PID 1
            # in a container); what it says about our files counts, and it
            # only warns of unknown keys.
            ours = [line for line in (proc.stdout + proc.stderr).splitlines()
                    if 'charta-backupd' in line]
            self.assertEqual(ours, [], proc.stdout + proc.stderr)
            self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)


    def test_account_and_folder(self):
        """sysusers.d makes the account, tmpfiles.d the folder, in a scratch root."""
        sysusers = shutil.which('systemd-sysusers')
        tmpfiles = shutil.which('systemd-tmpfiles')
        if sysusers is None or tmpfiles is None:
            self.skipTest('systemd-sysusers or systemd-tmpfiles is not installed')
        src = os.path.join(SOURCE_DIR, 'resources', 'systemd')
        with tempfile.TemporaryDirectory(prefix='charta-root-') as root:
            os.makedirs(os.path.join(root, 'etc'))
            for args in ([sysusers, '--root', root, os.path.join(src, 'charta.sysusers')],
                         [tmpfiles, '--root', root, '--create',
                          os.path.join(src, 'charta.tmpfiles')]):
                proc = subprocess.run(args, capture_output=True, text=True, timeout=60)
                self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
            with open(os.path.join(root, 'etc', 'passwd')) as f:
                users = {line.split(':')[0]: line.split(':') for line in f}
            with open(os.path.join(root, 'etc', 'group')) as f:
                groups = {line.split(':')[0]: line.strip().split(':') for line in f}
            self.assertIn('charta-backup', users)
            self.assertEqual(users['charta-backup'][5], '/var/lib/charta')
            self.assertTrue(users['charta-backup'][6].strip().endswith('nologin'))
            self.assertIn('charta-backup', groups['charta'][3].split(','))
            st = os.stat(os.path.join(root, 'var', 'lib', 'charta'))
            self.assertEqual(st.st_mode & 0o7777, 0o2770)
            self.assertEqual(st.st_gid, int(groups['charta'][2]))


def main():
    global BACKUPD
    if len(sys.argv) < 3:
        sys.exit('usage: test_backupd.py CHARTA_ADMIN CHARTA_BACKUPD [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    BACKUPD = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
