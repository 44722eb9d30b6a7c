#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Backups to another machine over SFTP: the real charta-admin and
charta-backupd against Debian's OpenSSH server on loopback, run by the test
with its own host key, login key and authorized_keys in a temporary folder.

An archive is written under a temporary name on the server, read back,
verified and only then renamed; the server's host key is pinned on first use
and a different one refused until the pin is forgotten; a login key the
server refuses and a missing key file are named; a server that is down is
retried with back-off by the daemon until it is back; a connection cut in the
middle of an upload and a server whose disk is full leave no archive counted
as good and the older ones intact.

Usage: test_backup_sftp.py PATH/TO/charta-admin PATH/TO/charta-backupd [unittest arguments]
"""

import getpass
import glob
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import test_cli  # noqa: E402

BACKUPD = None
demo_mrn = test_cli.PatientTests.demo_mrn
SSHD = '/usr/sbin/sshd'
ARCHIVE_RE = re.compile(r'^charta-\d{8}-\d{6}(-\d+)?\.chbk$')


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def children_of(pid):
    """Every process below @pid (sshd's per-connection processes)."""
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                fields = f.read().rsplit(')', 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(entry))
            found.extend(children_of(int(entry)))
    return found


class Sshd:
    """sshd -D on 127.0.0.1 with a host key of its own, logging to a file."""

    def __init__(self, folder):
        self.folder = folder
        self.port = free_port()
        self.proc = None
        self.authorized_keys = os.path.join(folder, 'authorized_keys')
        self.config = os.path.join(folder, 'sshd_config')
        self.log = os.path.join(folder, 'sshd.log')
        self.new_host_key()

    def new_host_key(self):
        self.host_key = os.path.join(self.folder, 'host_key_%d' % time.monotonic_ns())
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', self.host_key],
                       check=True, stdin=subprocess.DEVNULL)

    def fingerprint(self):
        out = subprocess.run(['ssh-keygen', '-l', '-f', self.host_key + '.pub'], check=True,
                             capture_output=True, text=True).stdout
        return out.split()[1]

    def start(self):
        with open(self.config, 'w') as f:
            f.write('\n'.join([
                'Port %d' % self.port,
                'ListenAddress 127.0.0.1',
                'HostKey %s' % self.host_key,
                'PidFile none',
                'AuthorizedKeysFile %s' % self.authorized_keys,
                'StrictModes no',
                'UsePAM no',
                'PasswordAuthentication no',
                'KbdInteractiveAuthentication no',
                'PubkeyAuthentication yes',
                'PermitRootLogin prohibit-password',
                'Subsystem sftp internal-sftp',
                'LogLevel VERBOSE',
            ]) + '\n')
        if os.geteuid() == 0:
            # Its privilege separation needs this empty folder.
            os.makedirs('/run/sshd', mode=0o755, exist_ok=True)
        log = open(self.log, 'a')
        self.proc = subprocess.Popen([SSHD, '-D', '-e', '-f', self.config],
                                     stdin=subprocess.DEVNULL, stdout=log, stderr=log)
        log.close()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                with open(self.log) as f:
                    raise RuntimeError('sshd did not start: ' + f.read())
            try:
                socket.create_connection(('127.0.0.1', self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError('sshd did not listen on port %d' % self.port)

    def stop(self, kill_sessions=True):
        if self.proc is None:
            return
        sessions = children_of(self.proc.pid) if kill_sessions else []
        self.proc.kill()
        self.proc.wait()
        for pid in sessions:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc = None


class SftpBackupTests(test_cli.DemoPracticeTestCase):

    def setUp(self):
        super().setUp()
        self.assertTrue(os.access(SSHD, os.X_OK),
                        'sshd is missing: build-aux/dev installs openssh-server')
        self.ssh_dir = os.path.join(self.tmp, 'ssh')
        os.mkdir(self.ssh_dir, 0o700)
        self.remote = os.path.join(self.tmp, 'nas')
        os.mkdir(self.remote, 0o700)
        self.tmpdir = os.path.join(self.tmp, 'tmpdir')
        os.mkdir(self.tmpdir, 0o700)
        self.env['TMPDIR'] = self.tmpdir
        self.env['HOME'] = self.tmp   # nothing from a real ~/.ssh is read

        self.identity = self.keygen('login')
        self.sshd = Sshd(self.ssh_dir)
        with open(self.sshd.authorized_keys, 'w') as f:
            with open(self.identity + '.pub') as pub:
                f.write(pub.read())
        self.sshd.start()
        self.addCleanup(self.sshd.stop)
        self.url = 'sftp://%s@127.0.0.1:%d%s' % (getpass.getuser(), self.sshd.port, self.remote)
        self.pwfile = self.write('pw', test_cli.DEMO_PASSWORD + '\n')

    def keygen(self, name):
        path = os.path.join(self.ssh_dir, name)
        subprocess.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-f', path], check=True,
                       stdin=subprocess.DEVNULL)
        return path

    def assert_failed(self, proc, *needles):
        """Progress lines, then one line of failure naming the cause."""
        self.assertEqual(proc.returncode, 1, proc.stderr)
        last = proc.stderr.strip().splitlines()[-1]
        self.assertTrue(last.startswith('charta-admin: '), proc.stderr)
        for needle in needles:
            self.assertIn(needle.lower(), last.lower())

    def configure(self, *args, expect=0):
        return self.demo('manager', 'backup', 'config', *args, expect=expect)

    def configure_sftp(self, identity=None):
        return self.configure('--target', self.url, '--identity', identity or self.identity)

    def status(self):
        return json.loads(self.demo('manager', 'backup', 'status', '--json').stdout)

    def archives(self):
        return sorted(n for n in os.listdir(self.remote) if ARCHIVE_RE.match(n))

    def verify(self, name):
        return self.run_admin('backup', 'verify', os.path.join(self.remote, name), '--user',
                              'admin', '--password-file', self.pwfile)

    def big_document(self, megabytes=16):
        big = os.path.join(self.tmp, 'big.bin')
        with open(big, 'wb') as f:
            f.write(os.urandom(megabytes * 1024 * 1024))
        self.demo('doctor', 'doc', 'import', '--patient', demo_mrn(1), big)

    # ---- the tests ------------------------------------------------------------

    def test_backup_over_sftp(self):
        shown = self.configure_sftp().stdout
        self.assertIn(self.url, shown)
        self.assertIn('not pinned yet', shown)

        proc = self.demo('admin', 'backup', 'now')
        self.assertIn('First connection', proc.stderr)
        self.assertIn('written and verified', proc.stderr)
        names = self.archives()
        self.assertEqual(len(names), 1, os.listdir(self.remote))
        self.assertEqual(proc.stdout.strip(), self.url + '/' + names[0])
        self.assertEqual(os.listdir(self.remote), names)   # no temporary file left
        self.assertEqual(os.stat(os.path.join(self.remote, names[0])).st_mode & 0o777, 0o600)
        # Nothing was left in the private folder it verified in.
        self.assertEqual(os.listdir(self.tmpdir), [])

        # The host key is pinned, as ssh-keygen prints it, and the pin audited.
        shown = self.configure().stdout
        self.assertIn('ssh-ed25519 ' + self.sshd.fingerprint(), shown)
        audit = self.demo('admin', 'audit', 'list', '--limit', '20').stdout
        self.assertIn('pinned the host key', audit)
        self.assertIn('written and verified, %s/%s' % (self.url, names[0]), audit)

        # Listed from the server, through the practice's identity and pin.
        listing = json.loads(self.demo('manager', 'backup', 'list', '--json').stdout)
        self.assertEqual([b['path'] for b in listing], [self.url + '/' + names[0]])
        self.assertTrue(listing[0]['readable'])
        self.assertEqual(listing[0]['size'], os.path.getsize(os.path.join(self.remote, names[0])))
        shown = self.demo('manager', 'backup', 'list', '--target', self.url).stdout
        self.assertIn(names[0], shown)

        status = self.status()
        self.assertEqual(status['last_success']['target'], self.url)
        self.assertEqual(status['last_success']['archive'], names[0])
        self.assertFalse(status['overdue'])

        # The audit trail checks against the head anchored in the backup on
        # the server, fetched (encrypted) into a private folder and removed.
        proc = self.demo('admin', 'audit', 'verify', '--backups', self.url)
        self.assertIn('recorded in 1 backup', proc.stdout)
        self.assertEqual(os.listdir(self.tmpdir), [])

        # What the server holds verifies and restores anywhere.
        self.verify(names[0])
        restored = os.path.join(self.tmp, 'restored')
        self.run_admin('backup', 'restore', os.path.join(self.remote, names[0]), '--to', restored,
                       '--user', 'admin', '--password-file', self.pwfile)
        for n in range(1, self.demo_patients + 1):
            show = ('patient', 'show', demo_mrn(n), '--json')
            self.assertEqual(
                json.loads(self.as_user(restored, 'doctor', test_cli.DEMO_PASSWORD, *show).stdout),
                json.loads(self.demo('doctor', *show).stdout))
        self.as_user(restored, 'admin', test_cli.DEMO_PASSWORD, 'audit', 'verify')

        # Retention on the server: only what Charta wrote there goes.
        foreign = 'charta-20000101-000000.chbk'
        for name in (foreign, 'notes.txt'):
            with open(os.path.join(self.remote, name), 'w') as f:
                f.write('not Charta\'s')
        stale = os.path.join(self.remote, '.charta-backup-deadbeef00.tmp')
        fresh = os.path.join(self.remote, '.charta-backup-0123456789.tmp')
        for path in (stale, fresh):
            with open(path, 'wb') as f:
                f.write(b'left by a run that died')
        old = time.time() - 2 * 24 * 3600
        os.utime(stale, (old, old))
        time.sleep(1.1)   # a new name, not NAME-2
        proc = self.demo('admin', 'backup', 'now', '--keep', '1')
        self.assertIn('Removed the old backup', proc.stderr)
        left = sorted(os.listdir(self.remote))
        self.assertNotIn(names[0], left)
        self.assertIn(foreign, left)
        self.assertIn('notes.txt', left)
        self.assertNotIn(os.path.basename(stale), left)
        # A temporary file this young may belong to a run under way.
        self.assertIn(os.path.basename(fresh), left)
        self.assertEqual(len([n for n in left if ARCHIVE_RE.match(n) and n != foreign]), 1)

    def test_changed_host_key_refused(self):
        self.configure_sftp()
        self.demo('admin', 'backup', 'now')
        first = self.archives()

        # The "server" is reinstalled, or something else answers in its place.
        self.sshd.stop()
        self.sshd.new_host_key()
        self.sshd.start()
        proc = self.demo('admin', 'backup', 'now', expect=1)
        self.assert_failed(proc, 'different host key')
        self.assertIn(self.sshd.fingerprint(), proc.stderr)
        self.assertIn('--forget-host-key', proc.stderr)
        self.assertEqual(self.archives(), first)
        self.assertEqual(os.listdir(self.remote), first)
        self.assertIn('different host key', self.status()['last_failure']['reason'])
        # The daemon refuses it too.
        proc = subprocess.run([BACKUPD, '--practice', self.practice, '--once'], env=self.env,
                              stdin=subprocess.DEVNULL, capture_output=True, text=True,
                              timeout=120)
        self.assertEqual(proc.returncode, 1, proc.stdout + proc.stderr)
        self.assertIn('different host key', proc.stdout + proc.stderr)

        # Only those who configure backups may forget the pin.
        self.assert_failure_message(self.demo('nurse', 'backup', 'config', '--forget-host-key',
                                              expect=1))
        self.configure('--forget-host-key')
        self.assertIn('not pinned yet', self.configure().stdout)
        time.sleep(1.1)
        self.demo('admin', 'backup', 'now', '--keep', '5')
        self.assertEqual(len(self.archives()), 2)
        self.assertIn(self.sshd.fingerprint(), self.configure().stdout)

    def test_login_refused(self):
        stranger = self.keygen('stranger')
        self.configure_sftp(identity=stranger)
        proc = self.demo('admin', 'backup', 'now', expect=1)
        self.assert_failed(proc, 'refused the key')
        self.assertIn(stranger, proc.stderr)

        self.configure_sftp(identity=os.path.join(self.ssh_dir, 'no-such-key'))
        proc = self.demo('admin', 'backup', 'now', expect=1)
        self.assert_failed(proc, 'Could not read the private key')

        # A folder that is not on the server.
        self.configure('--target', self.url + '/missing', '--identity', self.identity)
        proc = self.demo('admin', 'backup', 'now', expect=1)
        self.assert_failed(proc, 'not usable')
        self.assertEqual(os.listdir(self.remote), [])
        self.assertIsNone(self.status()['last_success'])

    def test_server_down_is_retried_with_back_off(self):
        self.configure_sftp()
        self.sshd.stop()
        env = dict(self.env, CHARTA_BACKUPD_RETRY_SECONDS='1,2,3')
        proc = subprocess.Popen([BACKUPD, '--practice', self.practice, '--now'], env=env,
                                stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT, text=True)
        try:
            attempts = []
            seen = []
            while len(attempts) < 2:
                line = proc.stdout.readline()
                self.assertTrue(line, ''.join(seen))
                seen.append(line)
                if 'Starting the backup' in line:
                    attempts.append(time.monotonic())
                if 'Trying again at' in line and len(attempts) == 2:
                    break
            # Waited about one second, then about two: growing.
            self.assertIn('Could not reach the backup server', ''.join(seen))
            self.sshd.start()
            while True:
                line = proc.stdout.readline()
                self.assertTrue(line, ''.join(seen))
                seen.append(line)
                if 'Starting the backup' in line:
                    attempts.append(time.monotonic())
                if 'written and verified' in line or 'Next backup' in line:
                    break
            self.assertIn('written and verified', ''.join(seen))
            gaps = [b - a for a, b in zip(attempts, attempts[1:])]
            self.assertEqual(len(gaps), 2, ''.join(seen))
            # Measured when this reader sees the lines, which a busy machine
            # delays by a fraction of a second: the waits are there (not an
            # immediate retry) and grow.
            self.assertGreaterEqual(gaps[0], 0.75)
            self.assertGreaterEqual(gaps[1], 1.75)
            self.assertGreater(gaps[1], gaps[0])
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.communicate()
        self.assertEqual(len(self.archives()), 1)
        status = self.status()
        self.assertEqual(status['last_success']['archive'], self.archives()[0])
        self.assertIn('Could not reach', status['last_failure']['reason'])

    def test_connection_cut_mid_upload(self):
        self.configure_sftp()
        self.demo('admin', 'backup', 'now')
        first = self.archives()
        self.big_document()

        proc = subprocess.Popen(
            [test_cli.ADMIN, 'backup', 'now',
             *self.login_args(self.practice, 'admin', test_cli.DEMO_PASSWORD)],
            env=self.env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if any(n.endswith('.tmp') for n in os.listdir(self.remote)):
                break
            time.sleep(0.005)
        self.sshd.stop()   # the server goes away, sessions and all
        port = self.sshd.port
        out, err = proc.communicate(timeout=120)
        self.assertEqual(proc.returncode, 1, out + err)
        self.assertIn('charta-admin:', err)
        self.assertIn('127.0.0.1:%d' % port, err.strip().splitlines()[-1])
        self.assertEqual(self.archives(), first)
        self.verify(first[0])
        status = self.status()
        self.assertEqual(status['last_success']['archive'], first[0])
        self.assertIsNotNone(status['last_failure'])

        # Back up again once the server is back: a whole, good archive.
        self.sshd.start()
        time.sleep(1.1)
        self.demo('admin', 'backup', 'now', '--keep', '5')
        self.assertEqual(len(self.archives()), 2)
        self.verify(self.archives()[-1])

    def test_server_disk_full(self):
        self.configure_sftp()
        self.demo('admin', 'backup', 'now')
        first = self.archives()
        size = os.path.getsize(os.path.join(self.remote, first[0]))
        self.big_document(8)

        # The server's disk: room for what is there and a little more.
        shutil.move(os.path.join(self.remote, first[0]), os.path.join(self.tmp, first[0]))
        mounted = subprocess.run(['mount', '-t', 'tmpfs', '-o',
                                  'size=%dk,mode=0700' % (size // 1024 + 1024), 'tmpfs',
                                  self.remote], capture_output=True, text=True)
        if mounted.returncode != 0:
            self.skipTest('cannot mount a small file system here: ' + mounted.stderr.strip())
        self.addCleanup(subprocess.run, ['umount', '-l', self.remote])
        shutil.copy(os.path.join(self.tmp, first[0]), os.path.join(self.remote, first[0]))

        time.sleep(1.1)
        proc = self.demo('admin', 'backup', 'now', expect=1)
        self.assert_failed(proc, 'disk full')
        self.assertEqual(os.listdir(self.remote), first)   # the temporary file is removed
        self.verify(first[0])
        self.assertIn('disk full', self.status()['last_failure']['reason'])


def main():
    global BACKUPD
    if len(sys.argv) < 3:
        sys.exit('usage: test_backup_sftp.py CHARTA_ADMIN CHARTA_BACKUPD [unittest arguments]')
    test_cli.ADMIN = os.path.abspath(sys.argv.pop(1))
    BACKUPD = os.path.abspath(sys.argv.pop(1))
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
