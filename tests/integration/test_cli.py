#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Command-line tests: they run the real charta-admin binary on temporary
practices and check what an administrator relies on: exit codes, messages,
permissions, keys, the audit trail, patients, and that nothing lands on disk in
the clear.

Usage: test_cli.py PATH/TO/charta-admin [unittest arguments, e.g. a class name]
"""

import csv
import datetime
import hashlib
import io
import json
import os
import pty
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
import unittest

ADMIN = None  # the charta-admin under test, from the command line

DEMO_PASSWORD = 'charta-demo'
# The demo's users and roles, as app/demo/ch-demo.h promises them.
DEMO_USERS = {
    'admin': 'admin',
    'doctor': 'physician',
    'nurse': 'nurse',
    'frontdesk': 'front-desk',
    'manager': 'manager',
}
COMMANDS = [
    ['init'], ['user', 'add'], ['user', 'list'], ['user', 'passwd'],
    ['user', 'disable'], ['user', 'enable'], ['user', 'role'], ['whoami'],
    ['rekey'], ['recover'], ['audit', 'verify'], ['audit', 'list'], ['demo'],
    ['patient', 'search'], ['patient', 'show'], ['patient', 'add'],
    ['kb', 'info'], ['kb', 'check'], ['kb', 'import'], ['kb', 'reset'],
    ['provider', 'add'], ['provider', 'hours'], ['provider', 'off'], ['schedule', 'types'],
    ['schedule', 'type', 'add'], ['schedule', 'book'],
    ['schedule', 'list'], ['schedule', 'find-slot'], ['schedule', 'waitlist', 'add'],
    ['schedule', 'waitlist', 'list'], ['schedule', 'recall', 'add'], ['schedule', 'recall', 'list'],
    ['doc', 'import'], ['doc', 'list'], ['doc', 'export'],
    ['backup', 'now'], ['backup', 'list'], ['backup', 'verify'], ['backup', 'restore'],
    ['backup', 'status'], ['backup', 'config'],
    ['import', 'hl7'], ['hl7', 'queue'], ['hl7', 'assign'], ['hl7', 'reprocess'], ['hl7', 'log'],
    ['hl7', 'listen'], ['lab', 'results'], ['export', 'fhir'], ['export', 'ccd'],
    ['import', 'fhir'], ['import', 'csv'], ['import', 'ccd'],
    ['lab', 'order'], ['lab', 'orders'], ['lab', 'order-resend'], ['lab', 'order-cancel'],
    ['lab', 'order-target'], ['reconcile', 'list'], ['reconcile', 'accept'], ['reconcile', 'decline'],
    ['billing', 'fees', 'import'], ['billing', 'fees', 'list'], ['billing', 'encounters'],
    ['billing', 'charge'], ['billing', 'charges'], ['billing', 'ready'], ['billing', 'pay'],
    ['billing', 'refund'], ['billing', 'write-off'], ['billing', 'adjust'], ['billing', 'reverse'],
    ['billing', 'ledger'], ['billing', 'post-openings'],
]
RECOVERY_RE = re.compile(r'^Recovery key: (\S+)$', re.M)
# The drug knowledge base shipped with Charta, as resources/data/drugs/README.md describes it.
SHIPPED_KB = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, os.pardir,
                          'resources', 'data', 'drugs')


def base_env(home):
    """The test's environment without any CHARTA_* variable of the caller's,
    and with the standard practice place inside the test's own folder."""
    env = {k: v for k, v in os.environ.items() if not k.startswith('CHARTA_')}
    env['XDG_DATA_HOME'] = os.path.join(home, 'xdg-data')
    env['HOME'] = home
    env.setdefault('LANG', 'C.UTF-8')
    env.setdefault('LC_ALL', 'C.UTF-8')
    return env


def snapshot(folder):
    """Every file under @folder with its content hash and mode."""
    result = {}
    for root, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = os.path.join(root, name)
            st = os.lstat(path)
            digest = None
            if os.path.isfile(path):
                with open(path, 'rb') as f:
                    digest = hashlib.sha256(f.read()).hexdigest()
            result[os.path.relpath(path, folder)] = (st.st_mode, digest)
    return result


class CliTestCase(unittest.TestCase):
    """A temporary folder per test, and helpers to run charta-admin in it."""

    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix='charta-cli-')
        self.addCleanup(shutil.rmtree, self.tmp, ignore_errors=True)
        self.env = base_env(self.tmp)

    def write(self, name, text):
        path = os.path.join(self.tmp, name)
        with open(path, 'w', newline='') as f:
            f.write(text)
        return path

    def run_admin(self, *args, env=None, expect=0, stdin=subprocess.DEVNULL, raw=False):
        """Runs charta-admin; checks its exit status is @expect (None: any).
        With @raw, stdout is bytes exactly as written (no newline translation)."""
        full_env = dict(self.env)
        if env:
            full_env.update(env)
        proc = subprocess.run([ADMIN] + [str(a) for a in args], env=full_env,
                              stdin=stdin, capture_output=True, timeout=120)
        proc.stderr = proc.stderr.decode()
        if not raw:
            proc.stdout = proc.stdout.decode().replace('\r\n', '\n')
        if expect is not None:
            self.assertEqual(
                proc.returncode, expect,
                'charta-admin %s exited %d, not %d\nstdout: %s\nstderr: %s'
                % (' '.join(map(str, args)), proc.returncode, expect,
                   proc.stdout, proc.stderr))
        if expect == 0:
            self.assertNotIn('CRITICAL', proc.stderr)
            self.assertNotIn('WARNING', proc.stderr)
        return proc

    def assert_failure_message(self, proc, *needles):
        """A failure is one line on stderr, 'charta-admin: …', naming the cause."""
        self.assertEqual(proc.returncode, 1)
        lines = proc.stderr.strip().splitlines()
        self.assertEqual(len(lines), 1, 'not one line: %r' % proc.stderr)
        self.assertTrue(lines[0].startswith('charta-admin: '), lines[0])
        self.assertGreater(len(lines[0]), len('charta-admin: ') + 5)
        for needle in needles:
            self.assertIn(needle.lower(), lines[0].lower())

    def assert_usage_error(self, proc):
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertIn('Usage:', proc.stderr)
        self.assertEqual(proc.stdout, '')

    # ---- practices --------------------------------------------------------

    def login_args(self, practice, user, password):
        """--practice/--user/--password-file for @user."""
        pwfile = self.write('pw-%s-%d' % (user, time.monotonic_ns()), password + '\n')
        return ['--practice', practice, '--user', user, '--password-file', pwfile]

    def as_user(self, practice, user, password, *command, expect=0, env=None, raw=False):
        return self.run_admin(*command, *self.login_args(practice, user, password),
                              expect=expect, env=env, raw=raw)

    def can_log_in(self, practice, user, password):
        proc = self.as_user(practice, user, password, 'whoami', expect=None)
        self.assertIn(proc.returncode, (0, 1), proc.stderr)
        return proc.returncode == 0

    def users(self, practice, user='admin', password=DEMO_PASSWORD):
        """user list as {username: (role, status, display name)}."""
        proc = self.as_user(practice, user, password, 'user', 'list')
        lines = proc.stdout.splitlines()
        self.assertTrue(lines[0].startswith('USER'), lines)
        result = {}
        for line in lines[1:]:
            fields = line.split(None, 3)
            result[fields[0]] = (fields[1], fields[2], fields[3] if len(fields) > 3 else '')
        return result


class DemoPracticeTestCase(CliTestCase):
    """One demo practice a class, copied afresh for every test."""

    demo_patients = 5
    demo_seed = 7
    demo_args = ()

    @classmethod
    def setUpClass(cls):
        cls.class_tmp = tempfile.mkdtemp(prefix='charta-cli-class-')
        cls.demo_dir = os.path.join(cls.class_tmp, 'demo')
        proc = subprocess.run([ADMIN, 'demo', '--practice', cls.demo_dir,
                               '--patients', str(cls.demo_patients),
                               '--seed', str(cls.demo_seed), *cls.demo_args],
                              env=base_env(cls.class_tmp), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=300)
        if proc.returncode != 0:
            shutil.rmtree(cls.class_tmp, ignore_errors=True)
            raise RuntimeError('demo failed (%d): %s' % (proc.returncode, proc.stderr))
        cls.demo_output = proc.stdout
        match = RECOVERY_RE.search(proc.stdout)
        cls.recovery_key = match.group(1) if match else None

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.class_tmp, ignore_errors=True)

    def setUp(self):
        super().setUp()
        self.practice = os.path.join(self.tmp, 'practice')
        shutil.copytree(self.demo_dir, self.practice, symlinks=True)

    def demo(self, user, *command, expect=0, password=DEMO_PASSWORD, env=None, raw=False):
        return self.as_user(self.practice, user, password, *command, expect=expect, env=env,
                            raw=raw)


# ---- usage --------------------------------------------------------------------


class UsageTests(CliTestCase):
    """Bad usage exits 2 with the usage on stderr; --help exits 0 everywhere."""

    def test_help_on_the_tool_and_every_command(self):
        for args in (['--help'], ['-h'], ['help'], ['user', '--help'], ['audit', '--help'],
                     ['patient', '--help']):
            proc = self.run_admin(*args)
            self.assertIn('Usage:', proc.stdout, args)
            self.assertEqual(proc.stderr, '', args)
        overview = self.run_admin('--help').stdout
        for command in COMMANDS:
            self.assertIn(' '.join(command), overview)
            proc = self.run_admin(*command, '--help')
            self.assertIn('Usage:', proc.stdout, command)
            self.assertIn('charta-admin %s' % ' '.join(command), proc.stdout)
            self.assertEqual(proc.stderr, '', command)
            proc = self.run_admin('help', *command)
            self.assertIn('charta-admin %s' % ' '.join(command), proc.stdout)

    def test_help_lists_the_options(self):
        text = self.run_admin('user', 'add', '--help').stdout
        for option in ('--role', '--display-name', '--practice', '--user',
                       '--password-file', '--new-password-file'):
            self.assertIn(option, text)
        text = self.run_admin('audit', 'list', '--help').stdout
        for option in ('--csv', '--action', '--patient', '--from', '--to', '--limit'):
            self.assertIn(option, text)

    def test_version(self):
        proc = self.run_admin('--version')
        self.assertRegex(proc.stdout, r'^charta-admin \d+\.\d+\.\d+\n$')

    def test_no_command(self):
        self.assert_usage_error(self.run_admin(expect=2))
        self.assert_usage_error(self.run_admin('user', expect=2))
        self.assert_usage_error(self.run_admin('audit', expect=2))
        self.assert_usage_error(self.run_admin('patient', expect=2))

    def test_unknown_command(self):
        proc = self.run_admin('frobnicate', expect=2)
        self.assert_usage_error(proc)
        self.assertIn('frobnicate', proc.stderr)
        self.assert_usage_error(self.run_admin('user', 'frobnicate', expect=2))

    def test_unknown_option(self):
        proc = self.run_admin('user', 'list', '--bogus', expect=2)
        self.assert_usage_error(proc)
        self.assertIn('--bogus', proc.stderr)
        self.assert_usage_error(self.run_admin('init', '--bogus', expect=2))

    def test_missing_or_bad_arguments(self):
        cases = [
            ['user', 'add'],                                   # no NAME
            ['user', 'add', 'bob'],                            # no --role
            ['user', 'add', 'bob', '--role', 'wizard'],        # no such role
            ['user', 'add', 'bob', '--role'],                  # option without value
            ['user', 'role', 'bob'],                           # no ROLE
            ['user', 'role', 'bob', 'wizard'],
            ['user', 'disable'],
            ['user', 'enable'],
            ['user', 'list', 'extra'],
            ['rekey', 'extra'],
            ['init', '--name', 'X'],                           # no --admin
            ['init', '--admin', 'boss'],                       # no --name
            ['audit', 'list', '--from', '2024-13-01'],
            ['audit', 'list', '--to', 'yesterday'],
            ['audit', 'list', '--action', 'dance'],
            ['audit', 'list', '--limit', 'ten'],
            ['demo'],                                          # no --practice
            ['demo', '--practice', os.path.join(self.tmp, 'd'), '--patients', '-3'],
        ]
        for args in cases:
            with self.subTest(args=args):
                self.assert_usage_error(self.run_admin(*args, expect=2))

    def test_no_user_is_bad_usage(self):
        proc = self.run_admin('user', 'list', '--practice', self.tmp, expect=2)
        self.assertIn('CHARTA_USER', proc.stderr)


# ---- init, login, password sources ------------------------------------------------


class InitTests(CliTestCase):
    """init makes a practice its administrator can log in to; passwords come
    from a file, the environment or the terminal."""

    password = 'correct horse battery'

    def init(self, practice=None, expect=0, env=None, password=None, *extra):
        args = ['init', '--name', 'Riverside Family Practice', '--admin', 'boss',
                '--display-name', 'Bea Boss', '--address', '1 River Road']
        if practice is not None:
            args += ['--practice', practice]
        args += ['--new-password-file', self.write('newpw', (password or self.password) + '\n')]
        return self.run_admin(*args, *extra, expect=expect, env=env)

    def setUp(self):
        super().setUp()
        self.practice = os.path.join(self.tmp, 'practice')

    def test_init_then_login(self):
        proc = self.init(self.practice)
        self.assertIn(self.practice, proc.stdout)
        key = RECOVERY_RE.search(proc.stdout)
        self.assertIsNotNone(key, proc.stdout)
        self.assertRegex(key.group(1), r'^[A-Z2-7]{4}(-[A-Z2-7]{4}){7}$')
        self.assertIn('write the recovery key down', proc.stdout.lower())
        self.assertTrue(os.path.isfile(os.path.join(self.practice, 'charta.db')))
        self.assertTrue(os.path.isfile(os.path.join(self.practice, 'keyring')))

        users = self.users(self.practice, 'boss', self.password)
        self.assertEqual(users, {'boss': ('admin', 'active', 'Bea Boss')})

        who = self.as_user(self.practice, 'boss', self.password, 'whoami').stdout
        self.assertIn('boss', who)
        self.assertIn('Riverside Family Practice', who)

    def test_wrong_password(self):
        self.init(self.practice)
        proc = self.as_user(self.practice, 'boss', 'not the password', 'user', 'list', expect=1)
        self.assert_failure_message(proc, 'password')
        self.assertEqual(proc.stdout, '')
        proc = self.as_user(self.practice, 'nobody', self.password, 'user', 'list', expect=1)
        self.assert_failure_message(proc)

    def test_no_practice_there(self):
        proc = self.as_user(os.path.join(self.tmp, 'nowhere'), 'boss', self.password,
                            'user', 'list', expect=1)
        self.assert_failure_message(proc)

    def test_password_file_forms(self):
        self.init(self.practice)
        for text in (self.password + '\n', self.password, self.password + '\r\n',
                     self.password + '\nsecond line ignored\n'):
            with self.subTest(text=text):
                pwfile = self.write('pw', text)
                self.run_admin('whoami', '--practice', self.practice, '--user', 'boss',
                               '--password-file', pwfile)
        proc = self.run_admin('whoami', '--practice', self.practice, '--user', 'boss',
                              '--password-file', os.path.join(self.tmp, 'missing'), expect=1)
        self.assert_failure_message(proc, 'missing')
        proc = self.run_admin('whoami', '--practice', self.practice, '--user', 'boss',
                              '--password-file', self.write('empty', '\n'), expect=1)
        self.assert_failure_message(proc, 'empty')

    def test_environment_variables(self):
        self.init(self.practice)
        env = {'CHARTA_PRACTICE': self.practice, 'CHARTA_USER': 'boss',
               'CHARTA_PASSWORD': self.password}
        self.assertIn('boss', self.run_admin('user', 'list', env=env).stdout)
        # Options win over the environment.
        env_wrong = dict(env, CHARTA_USER='nobody', CHARTA_PASSWORD='wrong password',
                         CHARTA_PRACTICE=os.path.join(self.tmp, 'elsewhere'))
        self.as_user(self.practice, 'boss', self.password, 'user', 'list', env=env_wrong)
        proc = self.run_admin('user', 'list', env=dict(env, CHARTA_PASSWORD='wrong password'),
                              expect=1)
        self.assert_failure_message(proc, 'password')

    def test_new_password_from_environment(self):
        self.run_admin('init', '--practice', self.practice, '--name', 'P', '--admin', 'boss',
                       env={'CHARTA_NEW_PASSWORD': self.password})
        self.assertTrue(self.can_log_in(self.practice, 'boss', self.password))

    def test_default_practice_folder(self):
        default = os.path.join(self.env['XDG_DATA_HOME'], 'charta', 'practice')
        self.init(None)
        self.assertTrue(os.path.isfile(os.path.join(default, 'keyring')))
        self.run_admin('whoami', '--user', 'boss',
                       '--password-file', self.write('pw', self.password + '\n'))

    def test_no_password_and_no_terminal(self):
        self.init(self.practice)
        proc = self.run_admin('user', 'list', '--practice', self.practice, '--user', 'boss',
                              expect=1)
        self.assert_failure_message(proc, '--password-file', 'CHARTA_PASSWORD')
        proc = self.run_admin('init', '--practice', os.path.join(self.tmp, 'p2'),
                              '--name', 'P', '--admin', 'boss', expect=1)
        self.assert_failure_message(proc, '--new-password-file')
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'p2', 'keyring')))

    def test_init_into_existing_practice_changes_nothing(self):
        self.init(self.practice)
        before = snapshot(self.practice)
        proc = self.init(self.practice, expect=1, password='another password 2')
        self.assert_failure_message(proc, 'already')
        self.assertEqual(snapshot(self.practice), before)
        self.assertTrue(self.can_log_in(self.practice, 'boss', self.password))
        self.assertFalse(self.can_log_in(self.practice, 'boss', 'another password 2'))

    def test_init_where_nothing_can_be_written(self):
        blocker = self.write('a-file', 'not a folder\n')
        proc = self.init(os.path.join(blocker, 'practice'), expect=1)
        self.assert_failure_message(proc)
        self.assertIn(blocker, proc.stderr)
        if os.geteuid() != 0:  # root writes anywhere
            locked = os.path.join(self.tmp, 'locked')
            os.mkdir(locked, 0o555)
            proc = self.init(os.path.join(locked, 'practice'), expect=1)
            self.assert_failure_message(proc)
            self.assertEqual(os.listdir(locked), [])

    def test_init_refuses_a_weak_password(self):
        proc = self.init(self.practice, expect=1, password='short')
        self.assert_failure_message(proc)
        self.assertFalse(os.path.exists(os.path.join(self.practice, 'keyring')))


class TerminalTests(CliTestCase):
    """With no file and no variable, passwords are asked on the terminal,
    without echo, and new ones twice."""

    password = 'terminal password 1'

    def setUp(self):
        super().setUp()
        try:
            master, slave = pty.openpty()
        except OSError as e:
            self.skipTest('no pseudo-terminal here: %s' % e)
        os.close(master)
        os.close(slave)
        self.practice = os.path.join(self.tmp, 'practice')
        self.run_admin('init', '--practice', self.practice, '--name', 'P', '--admin', 'boss',
                       env={'CHARTA_NEW_PASSWORD': self.password})

    def converse(self, args, answers):
        """Runs charta-admin on a pseudo-terminal, answering each prompt
        (seen on stderr) in turn. Returns (exit status, stdout, stderr,
        everything the terminal showed)."""
        master, slave = pty.openpty()
        proc = subprocess.Popen([ADMIN] + args, env=self.env, stdin=slave,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        os.close(slave)
        stderr = b''
        shown = b''
        deadline = time.monotonic() + 60
        pending = list(answers)
        try:
            while time.monotonic() < deadline:
                ready, _, _ = select.select([proc.stderr, master], [], [], 0.2)
                if master in ready:
                    try:
                        shown += os.read(master, 4096)
                    except OSError:
                        pass
                if proc.stderr in ready:
                    chunk = os.read(proc.stderr.fileno(), 4096)
                    if not chunk:
                        break
                    stderr += chunk
                    # A prompt ends with ': ' and no newline yet.
                    if pending and stderr.endswith(b': '):
                        os.write(master, pending.pop(0).encode() + b'\n')
            stdout = proc.stdout.read()
            stderr += proc.stderr.read()
            proc.wait(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
            try:
                while select.select([master], [], [], 0)[0]:
                    data = os.read(master, 4096)
                    if not data:
                        break
                    shown += data
            except OSError:
                pass
            os.close(master)
            proc.stdout.close()
            proc.stderr.close()
        return proc.returncode, stdout.decode(), stderr.decode(), shown.decode()

    def test_password_prompt_does_not_echo(self):
        rc, out, err, shown = self.converse(
            ['whoami', '--practice', self.practice, '--user', 'boss'], [self.password])
        self.assertEqual(rc, 0, err)
        self.assertIn('Password for boss: ', err)
        self.assertIn('boss', out)
        self.assertNotIn(self.password, shown)
        self.assertNotIn(self.password, err)

    def test_new_password_asked_twice(self):
        new = 'brand new password'
        rc, out, err, shown = self.converse(
            ['user', 'passwd', '--practice', self.practice, '--user', 'boss'],
            [self.password, new, new])
        self.assertEqual(rc, 0, err)
        self.assertIn('New password: ', err)
        self.assertIn('New password again: ', err)
        self.assertNotIn(new, shown)
        self.assertTrue(self.can_log_in(self.practice, 'boss', new))

    def test_new_passwords_that_differ(self):
        rc, out, err, shown = self.converse(
            ['user', 'passwd', '--practice', self.practice, '--user', 'boss'],
            [self.password, 'first new password', 'second new password'])
        self.assertEqual(rc, 1)
        self.assertIn('do not match', err)
        self.assertTrue(self.can_log_in(self.practice, 'boss', self.password))


# ---- users and permissions ----------------------------------------------------------


class UserTests(DemoPracticeTestCase):
    """User administration goes through the controller, so the permission table
    of app/auth/ch-roles.c applies: admin and manager run users; physician,
    nurse and front desk may not even list them; only an admin touches admins."""

    new_password = 'fresh password 9'

    def new_pw_args(self, password=None):
        return ['--new-password-file', self.write('newpw', (password or self.new_password) + '\n')]

    def test_demo_users(self):
        users = self.users(self.practice)
        self.assertEqual({name: role for name, (role, _, _) in users.items()}, DEMO_USERS)
        self.assertTrue(all(status == 'active' for _, status, _ in users.values()))

    def test_admin_adds_a_user_who_can_log_in(self):
        proc = self.demo('admin', 'user', 'add', 'carol', '--role', 'nurse',
                         '--display-name', 'Carol Example', *self.new_pw_args())
        self.assertIn('carol', proc.stdout)
        self.assertEqual(self.users(self.practice)['carol'], ('nurse', 'active', 'Carol Example'))
        who = self.as_user(self.practice, 'carol', self.new_password, 'whoami').stdout
        self.assertRegex(who, r'Role: +nurse')
        # A second user of that name is refused.
        proc = self.demo('admin', 'user', 'add', 'carol', '--role', 'physician',
                         *self.new_pw_args(), expect=1)
        self.assert_failure_message(proc, 'carol')
        # So is a weak password.
        proc = self.demo('admin', 'user', 'add', 'dave', '--role', 'nurse',
                         *self.new_pw_args('short'), expect=1)
        self.assert_failure_message(proc)
        self.assertNotIn('dave', self.users(self.practice))

    def test_roles_without_user_rights_are_refused(self):
        for user in ('nurse', 'doctor', 'frontdesk'):
            with self.subTest(user=user):
                proc = self.demo(user, 'user', 'add', 'mallory', '--role', 'admin',
                                 *self.new_pw_args(), expect=1)
                self.assert_failure_message(proc, 'not allowed')
                proc = self.demo(user, 'user', 'list', expect=1)
                self.assert_failure_message(proc, 'not allowed')
                proc = self.demo(user, 'user', 'disable', 'admin', expect=1)
                self.assert_failure_message(proc, 'not allowed')
                proc = self.demo(user, 'user', 'role', user, 'admin', expect=1)
                self.assert_failure_message(proc)
                proc = self.demo(user, 'user', 'passwd', 'admin', *self.new_pw_args(), expect=1)
                self.assert_failure_message(proc, 'not allowed')
        self.assertNotIn('mallory', self.users(self.practice))
        self.assertEqual(self.users(self.practice)['nurse'][0], 'nurse')
        self.assertTrue(self.can_log_in(self.practice, 'admin', DEMO_PASSWORD))

    def test_manager_runs_users_but_not_administrators(self):
        self.demo('manager', 'user', 'add', 'erin', '--role', 'front-desk', *self.new_pw_args())
        self.assertIn('erin', self.users(self.practice, 'manager'))
        proc = self.demo('manager', 'user', 'add', 'mallory', '--role', 'admin',
                         *self.new_pw_args(), expect=1)
        self.assert_failure_message(proc, 'administrator')
        proc = self.demo('manager', 'user', 'role', 'nurse', 'admin', expect=1)
        self.assert_failure_message(proc, 'administrator')
        proc = self.demo('manager', 'user', 'disable', 'admin', expect=1)
        self.assert_failure_message(proc, 'administrator')
        self.assertTrue(self.can_log_in(self.practice, 'admin', DEMO_PASSWORD))

    def test_admin_sets_another_users_password(self):
        self.demo('admin', 'user', 'passwd', 'nurse', *self.new_pw_args())
        self.assertTrue(self.can_log_in(self.practice, 'nurse', self.new_password))
        self.assertFalse(self.can_log_in(self.practice, 'nurse', DEMO_PASSWORD))

    def test_anyone_changes_their_own_password(self):
        self.demo('frontdesk', 'user', 'passwd', *self.new_pw_args())
        self.assertTrue(self.can_log_in(self.practice, 'frontdesk', self.new_password))
        self.assertFalse(self.can_log_in(self.practice, 'frontdesk', DEMO_PASSWORD))

    def test_disabled_user_cannot_log_in_until_enabled(self):
        self.demo('admin', 'user', 'disable', 'doctor')
        self.assertEqual(self.users(self.practice)['doctor'][1], 'disabled')
        proc = self.demo('doctor', 'whoami', expect=1)
        self.assert_failure_message(proc)
        proc = self.demo('admin', 'user', 'disable', 'admin', expect=1)
        self.assert_failure_message(proc, 'own')

        self.demo('admin', 'user', 'enable', 'doctor', *self.new_pw_args())
        self.assertEqual(self.users(self.practice)['doctor'][1], 'active')
        self.assertTrue(self.can_log_in(self.practice, 'doctor', self.new_password))
        self.assertFalse(self.can_log_in(self.practice, 'doctor', DEMO_PASSWORD))

    def test_role_change_changes_rights(self):
        proc = self.demo('nurse', 'audit', 'verify', expect=1)
        self.assert_failure_message(proc, 'not allowed')
        self.demo('admin', 'user', 'role', 'nurse', 'manager')
        self.assertEqual(self.users(self.practice)['nurse'][0], 'manager')
        self.demo('nurse', 'audit', 'verify')
        self.assertIn('nurse', self.users(self.practice, 'nurse'))
        proc = self.demo('admin', 'user', 'role', 'admin', 'nurse', expect=1)
        self.assert_failure_message(proc, 'own role')

    def test_unknown_user(self):
        proc = self.demo('admin', 'user', 'disable', 'nobody', expect=1)
        self.assert_failure_message(proc)
        proc = self.demo('admin', 'user', 'role', 'nobody', 'nurse', expect=1)
        self.assert_failure_message(proc)


# ---- keys -----------------------------------------------------------------------


class KeyTests(DemoPracticeTestCase):
    """rekey rotates the master key with every password still working;
    the recovery key printed at creation resets an administrator's password."""

    new_password = 'recovered password 3'

    def recover(self, key, user='admin', expect=0, env=None, key_file=True):
        args = ['recover', '--practice', self.practice, '--user', user,
                '--new-password-file', self.write('newpw', self.new_password + '\n')]
        if key_file:
            args += ['--recovery-key-file', self.write('key', key + '\n')]
        return self.run_admin(*args, expect=expect, env=env)

    def test_rekey_keeps_every_password(self):
        db = os.path.join(self.practice, 'charta.db')
        with open(db, 'rb') as f:
            before = f.read()
        proc = self.demo('admin', 'rekey')
        self.assertIn('master key', proc.stdout.lower())
        with open(db, 'rb') as f:
            after = f.read()
        # Every page is encrypted anew.
        self.assertNotEqual(before[:4096], after[:4096])
        for user in DEMO_USERS:
            self.assertTrue(self.can_log_in(self.practice, user, DEMO_PASSWORD), user)
        self.assertRegex(self.demo('admin', 'audit', 'verify').stdout, r'intact')
        # The recovery key still opens the practice.
        self.recover(self.recovery_key)
        self.assertTrue(self.can_log_in(self.practice, 'admin', self.new_password))

    def test_rekey_needs_user_rights(self):
        keyring = os.path.join(self.practice, 'keyring')
        with open(keyring, 'rb') as f:
            before = f.read()
        for user in ('nurse', 'doctor', 'frontdesk'):
            proc = self.demo(user, 'rekey', expect=1)
            self.assert_failure_message(proc, 'not allowed')
        with open(keyring, 'rb') as f:
            self.assertEqual(f.read(), before)

    def test_recover_with_the_printed_key(self):
        self.assertIsNotNone(self.recovery_key, self.demo_output)
        proc = self.recover(self.recovery_key)
        self.assertIn('admin', proc.stdout)
        self.assertTrue(self.can_log_in(self.practice, 'admin', self.new_password))
        self.assertFalse(self.can_log_in(self.practice, 'admin', DEMO_PASSWORD))
        self.assertTrue(self.can_log_in(self.practice, 'nurse', DEMO_PASSWORD))

    def test_recover_key_as_typed(self):
        typed = self.recovery_key.lower().replace('-', ' ')
        self.recover(None, key_file=False, env={'CHARTA_RECOVERY_KEY': typed})
        self.assertTrue(self.can_log_in(self.practice, 'admin', self.new_password))

    def test_wrong_recovery_key_changes_nothing(self):
        wrong = list(self.recovery_key)
        wrong[0] = 'A' if wrong[0] != 'A' else 'B'
        before = snapshot(self.practice)
        proc = self.recover(''.join(wrong), expect=1)
        self.assert_failure_message(proc)
        proc = self.recover('not a key at all', expect=1)
        self.assert_failure_message(proc, 'recovery key')
        # Only the record of failed attempts may have changed.
        after = snapshot(self.practice)
        changed = {p for p in set(before) | set(after) if before.get(p) != after.get(p)}
        self.assertTrue(changed <= {'login-failures'}, changed)
        self.assertTrue(self.can_log_in(self.practice, 'admin', DEMO_PASSWORD))
        self.assertFalse(self.can_log_in(self.practice, 'admin', self.new_password))

    def test_recover_only_for_administrators(self):
        proc = self.recover(self.recovery_key, user='nurse', expect=1)
        self.assert_failure_message(proc, 'administrator')
        self.assertTrue(self.can_log_in(self.practice, 'nurse', DEMO_PASSWORD))

    def test_recover_without_a_key_source(self):
        proc = self.recover(None, key_file=False, expect=1)
        self.assert_failure_message(proc, '--recovery-key-file')


# ---- audit ------------------------------------------------------------------------


class AuditTests(DemoPracticeTestCase):
    """audit verify proves the chain; audit list shows it as columns or CSV,
    filtered; only roles with audit access (admin, manager) see it."""

    CSV_HEADER = ['id', 'time_utc', 'user', 'role', 'action', 'object_type',
                  'object_id', 'patient_id', 'detail']

    def entries(self, *filters, user='admin'):
        proc = self.demo(user, 'audit', 'list', '--csv', *filters, raw=True)
        # RFC 4180: every record, the header too, ends with CR LF.
        self.assertTrue(proc.stdout.endswith(b'\r\n'), proc.stdout[-20:])
        rows = list(csv.reader(io.StringIO(proc.stdout.decode(), newline='')))
        self.assertEqual(rows[0], self.CSV_HEADER)
        return [dict(zip(rows[0], row)) for row in rows[1:]]

    def verified_count(self, user='admin'):
        proc = self.demo(user, 'audit', 'verify')
        match = re.search(r'Audit trail intact: (\d+) entr', proc.stdout)
        self.assertIsNotNone(match, proc.stdout)
        return int(match.group(1))

    def test_verify(self):
        first = self.verified_count()
        self.assertGreater(first, 0)
        # The verification's own login and logout are in the next count.
        self.assertGreater(self.verified_count('manager'), first)

    def test_list_csv_holds_the_logins(self):
        self.demo('nurse', 'whoami')
        self.demo('doctor', 'whoami')
        self.demo('frontdesk', 'whoami', password='wrong password', expect=1)
        self.demo('manager', 'user', 'list')
        entries = self.entries()
        logins = {(e['user'], e['role']) for e in entries if e['action'] == 'login'}
        self.assertTrue({('nurse', 'nurse'), ('doctor', 'physician'),
                         ('manager', 'manager'), ('admin', 'admin')} <= logins, logins)
        self.assertTrue(any(e['action'] == 'login-failed' and e['user'] == 'frontdesk'
                            for e in entries), entries[:10])
        self.assertIn('logout', {e['action'] for e in entries})
        ids = [int(e['id']) for e in entries]
        self.assertEqual(ids, sorted(ids, reverse=True), 'newest first')
        for e in entries:
            datetime.datetime.fromisoformat(e['time_utc'].replace('Z', '+00:00'))

    def test_list_filters(self):
        self.demo('nurse', 'whoami')
        self.demo('nurse', 'whoami')
        by_nurse = self.entries('--by', 'nurse')
        self.assertGreaterEqual(len(by_nurse), 4)
        self.assertEqual({e['user'] for e in by_nurse}, {'nurse'})
        logins = self.entries('--action', 'login')
        self.assertEqual({e['action'] for e in logins}, {'login'})
        self.assertEqual(len(self.entries('--by', 'nurse', '--action', 'login')), 2)
        self.assertEqual(len(self.entries('--limit', '3')), 3)
        self.assertEqual(len(self.entries('--limit', '0')), 0)
        today = datetime.datetime.now().strftime('%Y-%m-%d')
        self.assertEqual(len(self.entries('--by', 'nurse', '--from', today, '--to', today)),
                         len(by_nurse))
        self.assertEqual(self.entries('--from', '2099-01-01'), [])
        self.assertEqual(self.entries('--to', '2000-01-01'), [])
        self.assertEqual(self.entries('--patient', '999999'), [])

    def test_exports_are_audited(self):
        self.entries('--limit', '2', user='manager')
        self.entries(user='manager')
        exports = self.entries('--action', 'export', '--by', 'manager')
        self.assertEqual(len(exports), 2, exports)

    def test_list_table(self):
        self.demo('nurse', 'whoami')
        proc = self.demo('admin', 'audit', 'list', '--limit', '5')
        lines = proc.stdout.splitlines()
        self.assertEqual(len(lines), 6, proc.stdout)
        header = lines[0]
        self.assertEqual(header.split(), ['TIME', 'USER', 'ROLE', 'ACTION', 'OBJECT',
                                          'PATIENT', 'DETAIL'])
        # Columns line up: each row's user starts under USER, its action under ACTION.
        user_col = header.index('USER')
        action_col = header.index('ACTION')
        for line in lines[1:]:
            self.assertRegex(line, r'^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d ')
            self.assertNotEqual(line[user_col], ' ', line)
            self.assertEqual(line[user_col - 1], ' ', line)
            self.assertNotEqual(line[action_col], ' ', line)
            self.assertEqual(line[action_col - 1], ' ', line)
        # The newest entry is this listing's own login.
        self.assertIn('login', lines[1].split())
        self.assertIn('admin', lines[1].split())

    def test_audit_needs_audit_rights(self):
        for user in ('nurse', 'doctor', 'frontdesk'):
            for command in (['audit', 'verify'], ['audit', 'list'], ['audit', 'list', '--csv']):
                proc = self.demo(user, *command, expect=1)
                self.assert_failure_message(proc, 'not allowed')
                self.assertEqual(proc.stdout, '')


# ---- patients ------------------------------------------------------------------------


class PatientTests(DemoPracticeTestCase):
    """patient search, show and add: the window's search and registration from
    the command line, under the same permissions, validation and audit."""

    demo_patients = 40
    demo_seed = 3

    SEARCH_HEADER = ['MRN', 'NAME', 'BORN', 'SEX', 'PHONE']
    # A patient with every demographic field; no demo name is folded to "nunez".
    NUNEZ = {
        '--family': 'Núñez', '--given': 'José', '--preferred': 'Pepe',
        '--birth-date': '1980-05-17', '--sex': 'male', '--gender-identity': 'man',
        '--pronouns': 'he/him', '--address': '12 Calle Mayor', '--city': 'Springfield',
        '--region': 'IL', '--postal-code': '62704', '--country': 'US',
        '--email': 'jose.nunez@example.org', '--language': 'es',
        '--emergency-name': 'María Núñez', '--emergency-relation': 'spouse',
        '--emergency-phone': '555-000-1111', '--primary-provider': 'doctor',
    }
    NUNEZ_PHONES = ['mobile:(555) 123-4567', 'home:555.987.6543']
    NUNEZ_IDS = ['passport:X1234567', 'old-mrn:A-77:B']

    def add(self, *args, user='frontdesk', expect=0):
        """patient add; on success returns the MRN it printed, alone on its line."""
        proc = self.demo(user, 'patient', 'add', *args, expect=expect)
        if expect != 0:
            return proc
        self.assertRegex(proc.stdout, r'^\d{8}\n$')
        self.assertEqual(proc.stderr, '')
        return proc.stdout.strip()

    def add_nunez(self, *extra):
        args = [a for item in self.NUNEZ.items() for a in item]
        args += [a for phone in self.NUNEZ_PHONES for a in ('--phone', phone)]
        args += [a for ident in self.NUNEZ_IDS for a in ('--identifier', ident)]
        return self.add(*args, *extra)

    def search(self, *query, user='doctor'):
        """patient search as rows {column: text}; checks the columns line up."""
        proc = self.demo(user, 'patient', 'search', *query)
        lines = proc.stdout.splitlines()
        if not lines:
            self.assertTrue(proc.stderr.startswith('No '), proc.stderr)
            return []
        header = lines[0]
        self.assertEqual(header.split(), self.SEARCH_HEADER)
        starts = [header.index(name) for name in self.SEARCH_HEADER] + [None]
        rows = []
        for line in lines[1:]:
            for start in starts[1:-1]:
                if len(line) > start:
                    self.assertEqual(line[start - 1], ' ', line)
            rows.append({name: line[starts[i]:starts[i + 1]].strip()
                         for i, name in enumerate(self.SEARCH_HEADER)})
        return rows

    def found(self, *query, user='doctor'):
        return [row['MRN'] for row in self.search(*query, user=user)]

    def audit(self, *filters):
        proc = self.demo('manager', 'audit', 'list', '--csv', *filters, raw=True)
        rows = list(csv.reader(io.StringIO(proc.stdout.decode(), newline='')))
        return [dict(zip(rows[0], row)) for row in rows[1:]]

    VITAL_LABELS = {
        '8480-6': 'Blood pressure (systolic)', '8462-4': 'Blood pressure (diastolic)',
        '8867-4': 'Pulse', '8310-5': 'Temperature', '9279-1': 'Respiratory rate',
        '59408-5': 'SpO₂', '8302-2': 'Height', '29463-7': 'Weight', '39156-5': 'BMI',
        '9843-4': 'Head circumference', '72514-3': 'Pain',
    }
    ARROWS = {1: '↑', -1: '↓', 0: '→'}
    NOT_SHOWN = 'Clinical summary: not shown for your role'

    @staticmethod
    def demo_mrn(n):
        """The @n-th patient's MRN: seven digits and a Luhn check digit."""
        digits = '%07d' % n
        total = 0
        for pos, digit in enumerate(reversed(digits)):
            value = int(digit) * (2 if pos % 2 == 0 else 1)
            total += value - 9 if value > 9 else value
        return digits + str((10 - total % 10) % 10)

    def charts(self, count, user='doctor'):
        """patient show --json of the first @count demo patients, by MRN."""
        return {mrn: json.loads(self.demo(user, 'patient', 'show', mrn, '--json').stdout)
                for mrn in map(self.demo_mrn, range(1, count + 1))}

    @staticmethod
    def sections(text):
        """The text's blocks after the demographics as {title: [indented lines]}
        ("No known allergies" and the like are titles without lines)."""
        result = {}
        for block in text.split('\n\n')[1:]:
            lines = block.strip('\n').splitlines()
            rows = [line[2:] for line in lines[1:]]
            for line in lines[1:]:
                assert line.startswith('  ') and not line.startswith('   '), block
            result[lines[0]] = rows
        return result

    def test_add_then_find_it_every_way(self):
        mrn = self.add_nunez()
        rows = self.search('nunez')
        self.assertEqual(rows, [{'MRN': mrn, 'NAME': 'Núñez, José (Pepe)', 'BORN': '1980-05-17',
                                 'SEX': 'male', 'PHONE': '(555) 123-4567'}])
        queries = ['Nú', 'nun', 'NUNEZ', 'Núñez', 'jose nunez', 'pepe', 'nunez 1980',
                   '1980-05-17', '17.05.1980', '17/05/1980', '05/17/1980',
                   '(555) 123-4567', '555-123-4567', '(555)123.4567', '5551234567',
                   '555.987.6543', mrn]
        for query in queries:
            with self.subTest(query=query):
                self.assertIn(mrn, self.found(query))
        # Every word must match, and a name is not an accent away from another.
        for query in ('nunez 1981', 'nunez 999-9999', 'jose nunezz', 'ñu ñu x'):
            with self.subTest(query=query):
                self.assertNotIn(mrn, self.found(query))
        # The front desk and the nurse use the same search.
        self.assertEqual(self.found('nunez', user='frontdesk'), [mrn])
        self.assertEqual(self.found('nunez', user='nurse'), [mrn])
        self.assertEqual(self.found('nunez', user='manager'), [mrn])

    def test_search_limit_and_nothing_found(self):
        first = self.add('--family', 'Quaglia', '--given', 'Anna', '--birth-date', '1971-01-02',
                         '--sex', 'female')
        second = self.add('--family', 'Quaglia', '--given', 'Bruno', '--birth-date',
                          '1972-03-04', '--sex', 'male')
        self.assertEqual(sorted(self.found('quaglia')), sorted([first, second]))
        self.assertEqual(len(self.found('quaglia', '--limit', '1')), 1)
        self.assertEqual(self.found('quaglia', 'bru'), [second])

        proc = self.demo('doctor', 'patient', 'search', 'Zyzzyva')
        self.assertEqual(proc.stdout, '')
        self.assertIn('No patient matches “Zyzzyva”', proc.stderr)
        # Nobody was opened in the window: no recent patients.
        proc = self.demo('doctor', 'patient', 'search')
        self.assertEqual(proc.stdout, '')
        self.assertIn('No recent patients', proc.stderr)

    def test_show_prints_every_field(self):
        mrn = self.add_nunez()
        text = self.demo('nurse', 'patient', 'show', mrn).stdout
        for needle in (mrn, 'Núñez, José (Pepe)', '1980-05-17 (', 'male', 'man', 'he/him',
                       '12 Calle Mayor, Springfield, IL 62704, US', '(555) 123-4567 (mobile)',
                       '555.987.6543 (home)', 'jose.nunez@example.org', 'es',
                       'María Núñez (spouse), 555-000-1111', 'doctor', 'passport: X1234567',
                       'old-mrn: A-77:B', 'Insurance: none on file'):
            self.assertIn(needle, text)
        fields = {}
        for line in text.splitlines():
            match = re.match(r'^([A-Z][^:]*):\s+(.*)$', line)
            if match:
                fields[match.group(1)] = match.group(2)
        self.assertEqual(fields['MRN'], mrn)
        self.assertEqual(fields['Sex at birth'], 'male')
        self.assertEqual(fields['Primary provider'], 'doctor')
        self.assertRegex(fields['Born'], r'^1980-05-17 \(\d\d years\)$')
        # Values line up in one column.
        value_columns = {line.index(value) for line in text.splitlines()
                         for value in ('Núñez, José (Pepe)', 'he/him', '555.987.6543 (home)')
                         if value in line}
        self.assertEqual(len(value_columns), 1, text)

    def test_show_json_has_the_values_given(self):
        mrn = self.add_nunez()
        record = json.loads(self.demo('manager', 'patient', 'show', mrn, '--json').stdout)
        self.assertEqual(record, {
            'mrn': mrn, 'given_name': 'José', 'family_name': 'Núñez',
            'preferred_name': 'Pepe', 'birth_date': '1980-05-17', 'sex': 'male',
            'gender_identity': 'man', 'pronouns': 'he/him',
            'address': {'line': '12 Calle Mayor', 'city': 'Springfield', 'region': 'IL',
                        'postal_code': '62704', 'country': 'US'},
            'phones': [{'kind': 'mobile', 'number': '(555) 123-4567'},
                       {'kind': 'home', 'number': '555.987.6543'}],
            'email': 'jose.nunez@example.org', 'language': 'es',
            'emergency_contact': {'name': 'María Núñez', 'relation': 'spouse',
                                  'phone': '555-000-1111'},
            'primary_provider': 'doctor',
            'identifiers': [{'system': 'passport', 'value': 'X1234567'},
                            {'system': 'old-mrn', 'value': 'A-77:B'}],
            'insurance': [],
            'chart': None,
            'version': 1,
        })
        # What was not given is null, not left out.
        other = self.add('--family', "O'Hara", '--birth-date', '2001-02-03', '--sex', 'unknown',
                         '--given', '', '--email', '')
        record = json.loads(self.demo('doctor', 'patient', 'show', other, '--json').stdout)
        self.assertEqual(record['family_name'], "O'Hara")
        for key in ('given_name', 'preferred_name', 'email', 'language', 'primary_provider'):
            self.assertIsNone(record[key], key)
        self.assertEqual(record['address'], dict.fromkeys(
            ['line', 'city', 'region', 'postal_code', 'country']))
        self.assertEqual((record['phones'], record['identifiers']), ([], []))
        # A chart with nothing in it yet: empty sections, allergies not recorded.
        self.assertEqual(record['chart'], {
            'problems': [], 'allergies': [], 'no_known_allergies': False, 'medications': [],
            'vitals': [], 'results': [], 'immunizations': [], 'encounters': [],
            'notes': {'count': 0, 'latest_state': None},
        })

    def test_show_json_has_the_chart(self):
        charts = self.charts(12)
        high = with_trend = 0
        for mrn, record in charts.items():
            with self.subTest(mrn=mrn):
                self.assertEqual(record['mrn'], mrn)
                chart = record['chart']
                vitals = {v['code']: v for v in chart['vitals']}
                self.assertEqual(len(vitals), len(chart['vitals']), 'one entry a sign')
                self.assertLessEqual(set(vitals), set(self.VITAL_LABELS))
                bmi, weight, height = (vitals[code] for code in ('39156-5', '29463-7', '8302-2'))
                self.assertEqual((bmi['unit'], weight['unit'], height['unit']),
                                 ('kg/m2', 'kg', 'cm'))
                self.assertAlmostEqual(bmi['value'], weight['value'] / (height['value'] / 100) ** 2,
                                       delta=0.2)
                for vital in chart['vitals']:
                    self.assertIn(vital['trend'], (-1, 0, 1, None))
                    datetime.datetime.strptime(vital['effective_at'], '%Y-%m-%dT%H:%M:%SZ')
                # Every visit takes every sign: a trend exactly when there were two visits.
                self.assertEqual({v['trend'] is None for v in chart['vitals']},
                                 {len(chart['encounters']) == 1})
                with_trend += len(chart['encounters']) > 1

                results = chart['results']
                self.assertLessEqual(len(results), 10)
                for result in results:
                    self.assertEqual(result['flag'] == 'H', result['value'] > result['high'],
                                     result)
                    self.assertEqual(result['flag'] == 'L', result['value'] < result['low'],
                                     result)
                    high += result['flag'] == 'H'
                times = [r['effective_at'] for r in results]
                self.assertEqual(times, sorted(times, reverse=True), 'newest first')

                # The demo records an allergy or that there is none, never both.
                self.assertNotEqual(bool(chart['allergies']), chart['no_known_allergies'])
                for allergy in chart['allergies']:
                    self.assertTrue(allergy['substance'] and allergy['severity'], allergy)
                for problem in chart['problems']:
                    self.assertRegex(problem['code'], r'^[A-Z]\d\d(\.\w+)?$')
                    self.assertEqual(problem['status'], 'active')
                    self.assertRegex(problem['onset'], r'^\d{4}-\d\d-\d\d$')
                for medication in chart['medications']:
                    self.assertTrue(medication['name'] and medication['dose'], medication)
                for vaccine in chart['immunizations']:
                    self.assertEqual((vaccine['cvx'], vaccine['status']), ('141', 'given'))
                starts = [e['start'] for e in chart['encounters']]
                self.assertEqual(starts, sorted(starts, reverse=True), 'newest first')
                self.assertEqual(chart['notes'], {'count': 1, 'latest_state': 'signed'})
        # Not a vacuous check: some results are high, some patients came back.
        self.assertGreater(high, 0)
        self.assertGreater(with_trend, 0)

    def test_show_prints_the_chart_summary(self):
        charts = self.charts(6)
        # The patient with the most to show.
        mrn = max(charts, key=lambda m: (len(charts[m]['chart']['encounters']) > 1,
                                         len(charts[m]['chart']['results']),
                                         len(charts[m]['chart']['problems'])))
        chart = charts[mrn]['chart']
        text = self.demo('doctor', 'patient', 'show', mrn).stdout
        self.assertIn(mrn, text.split('\n\n')[0])
        self.assertNotIn(self.NOT_SHOWN, text)
        sections = self.sections(text)

        problems = sections['Problems:']
        self.assertEqual(len(problems), max(1, len(chart['problems'])), problems)
        for line, problem in zip(problems, chart['problems']):
            self.assertEqual(line.split(), [problem['code'], *problem['display'].split(),
                                            problem['status'], problem['onset']])
        if chart['no_known_allergies']:
            self.assertEqual(sections['No known allergies'], [])
            self.assertNotIn('Allergies:', sections)
        else:
            for line, allergy in zip(sections['Allergies:'], chart['allergies']):
                self.assertTrue(line.startswith(allergy['substance']), line)
                self.assertIn(allergy['severity'], line)
        for line, medication in zip(sections['Medications:'], chart['medications']):
            self.assertRegex(line, r'^%s +%s$' % (re.escape(medication['name']),
                                                  re.escape(medication['dose'])))

        vitals = sections['Latest vital signs:']
        self.assertEqual(len(vitals), len(chart['vitals']))
        for line, vital in zip(vitals, chart['vitals']):
            label = self.VITAL_LABELS[vital['code']]
            self.assertTrue(line.startswith(label + '  '), line)
            value = re.match(r'(\d+(?:\.\d+)?)', line[len(label):].strip())
            self.assertAlmostEqual(float(value.group(1)), vital['value'], places=6, msg=line)
            arrows = [a for a in '↑↓→' if a in line]
            self.assertEqual(arrows, [self.ARROWS[vital['trend']]] if vital['trend'] is not None
                             else [], line)
            self.assertIn(vital['effective_at'][:10], line)
        self.assertTrue(any('systolic' in line and 'mmHg' in line for line in vitals), vitals)
        self.assertTrue(any(line.startswith('BMI') and 'kg/m²' in line for line in vitals))

        results = sections['Recent results:']
        self.assertGreater(len(chart['results']), 0)
        for line, result in zip(results, chart['results']):
            self.assertTrue(line.startswith(result['effective_at'][:10] + '  '), line)
            self.assertIn(result['display'], line)
            self.assertIn(result['unit'], line)
            self.assertEqual(line.endswith(' H'), result['flag'] == 'H', line)
        encounters = sections['Recent encounters:']
        self.assertEqual(len(encounters), len(chart['encounters']))
        for line, encounter in zip(encounters, chart['encounters']):
            self.assertEqual(line.split()[:2], [encounter['start'][:10], encounter['kind']])
        self.assertIn('Immunizations:', sections)
        notes = [title for title in sections if title.startswith('Notes:')]
        self.assertEqual(len(notes), 1, sections.keys())
        self.assertRegex(notes[0], r'^Notes: 1, newest \d{4}-\d\d-\d\d \(signed\)$')

    def test_show_without_clinical_access_leaves_out_the_chart(self):
        mrn = self.demo_mrn(1)
        for user in ('frontdesk', 'manager'):
            with self.subTest(user=user):
                text = self.demo(user, 'patient', 'show', mrn).stdout
                self.assertIn(mrn, text)
                self.assertEqual(text.rstrip('\n').splitlines()[-1], self.NOT_SHOWN)
                for title in ('Problems:', 'Latest vital signs:', 'Medications:', 'Notes:'):
                    self.assertNotIn(title, text)
                record = json.loads(self.demo(user, 'patient', 'show', mrn, '--json').stdout)
                self.assertEqual(record['mrn'], mrn)
                self.assertIn('chart', record)
                self.assertIsNone(record['chart'])
        self.demo('doctor', 'patient', 'show', mrn)
        charts = [e for e in self.audit('--action', 'view', '--by', 'doctor')
                  if e['object_type'] == 'chart']
        self.assertEqual([e['object_id'] for e in charts], [mrn])
        self.assertEqual([e for e in self.audit('--action', 'view')
                          if e['object_type'] == 'chart' and e['user'] != 'doctor'], [])

    def test_show_and_add_are_audited(self):
        mrn = self.add_nunez()
        creates = [e for e in self.audit('--action', 'create', '--by', 'frontdesk')
                   if e['object_id'] == mrn]
        self.assertEqual(len(creates), 1, creates)
        self.assertEqual([e for e in self.audit('--action', 'view') if e['object_id'] == mrn],
                         [])
        self.demo('doctor', 'patient', 'show', mrn)
        self.demo('nurse', 'patient', 'show', mrn, '--json')
        self.demo('frontdesk', 'patient', 'show', mrn)
        views = [e for e in self.audit('--action', 'view') if e['object_id'] == mrn]
        # Clinical staff open the chart too; the front desk only the record.
        self.assertEqual(sorted((e['object_type'], e['user']) for e in views),
                         [('chart', 'doctor'), ('chart', 'nurse'), ('patient', 'doctor'),
                          ('patient', 'frontdesk'), ('patient', 'nurse')])
        self.assertEqual({e['patient_id'] for e in views}, {creates[0]['patient_id']})
        # The table shows the MRN too.
        table = self.demo('manager', 'audit', 'list', '--action', 'view').stdout
        self.assertIn(mrn, table)

    def test_duplicates_need_force(self):
        mrn = self.add_nunez()
        same_person = ['--family', 'NUNEZ', '--given', 'jose', '--birth-date', '1980-05-17',
                       '--sex', 'male']
        same_phone = ['--family', 'Ortega', '--birth-date', '1999-09-09', '--sex', 'female',
                      '--phone', 'work:555.123.4567']
        for args in (same_person, same_phone):
            with self.subTest(args=args):
                proc = self.add(*args, expect=1)
                self.assertEqual(proc.stdout, '')
                lines = proc.stderr.strip().splitlines()
                self.assertTrue(any(line.startswith(mrn + ' ') and 'Núñez, José' in line
                                    for line in lines), proc.stderr)
                self.assertTrue(lines[-1].startswith('charta-admin: '), lines[-1])
                self.assertIn('possible duplicates', lines[-1].lower())
                self.assertIn('--force', lines[-1])
        self.assertEqual(self.found('nunez'), [mrn])
        self.assertEqual(self.found('ortega'), [])

        twin = self.add(*same_person, '--force')
        other = self.add(*same_phone, '--force')
        self.assertEqual(sorted(self.found('nunez')), sorted([mrn, twin]))
        self.assertEqual(self.found('ortega'), [other])
        self.assertEqual(len({mrn, twin, other}), 3)

    def test_invalid_input_adds_nothing(self):
        base = {'--family': 'Invalidsson', '--birth-date': '1990-01-01', '--sex': 'female'}
        cases = [
            ({'--birth-date': '1990-02-30'}, '1990-02-30'),
            ({'--birth-date': '17.05.1980'}, '17.05.1980'),
            ({'--birth-date': '2999-01-01'}, 'future'),
            ({'--sex': 'f'}, '“f”'),
            ({'--phone': 'mobile:call me'}, 'call me'),
            ({'--phone': 'cell:555-1234'}, 'cell'),
            ({'--email': 'not an address'}, 'e-mail'),
            ({'--family': '   '}, 'family name'),
        ]
        creates = len(self.audit('--action', 'create'))
        for change, needle in cases:
            with self.subTest(change=change):
                args = [a for item in {**base, **change}.items() for a in item]
                proc = self.add(*args, expect=1)
                self.assert_failure_message(proc, needle)
                self.assertEqual(proc.stdout, '')
        self.assertEqual(self.found('invalidsson', user='frontdesk'), [])
        self.assertEqual(len(self.audit('--action', 'create')), creates)

    def test_bad_usage(self):
        login = self.login_args(self.practice, 'frontdesk', DEMO_PASSWORD)
        ok = ['--family', 'Usage', '--birth-date', '1990-01-01', '--sex', 'female']
        cases = [
            ['patient', 'add', '--birth-date', '1990-01-01', '--sex', 'female'],
            ['patient', 'add', '--family', 'Usage', '--sex', 'female'],
            ['patient', 'add', '--family', 'Usage', '--birth-date', '1990-01-01'],
            ['patient', 'add', *ok, '--phone', '555-1234'],
            ['patient', 'add', *ok, '--phone', 'mobile:'],
            ['patient', 'add', *ok, '--phone', ':555-1234'],
            ['patient', 'add', *ok, '--identifier', 'X1234567'],
            ['patient', 'add', *ok, '--bogus'],
            ['patient', 'add', *ok, 'extra'],
            ['patient', 'add', '--family'],
            ['patient', 'show'],
            ['patient', 'show', '00000011', '00000029'],
            ['patient', 'search', 'x', '--limit', '0'],
            ['patient', 'search', 'x', '--limit', 'ten'],
            ['patient'],
            ['patient', 'frobnicate'],
        ]
        for args in cases:
            with self.subTest(args=args):
                self.assert_usage_error(self.run_admin(*args, *login, expect=2))
        self.assertEqual(self.found('usage', user='frontdesk'), [])

    def test_permissions(self):
        mrn = self.add_nunez()
        # The administrator reads no patient at all.
        for command in (['search', 'nunez'], ['search'], ['show', mrn],
                        ['show', mrn, '--json']):
            with self.subTest(command=command):
                proc = self.demo('admin', 'patient', *command, expect=1)
                self.assert_failure_message(proc, 'not allowed')
                self.assertEqual(proc.stdout, '')
        proc = self.add('--family', 'Adminson', '--birth-date', '1990-01-01', '--sex', 'male',
                        user='admin', expect=1)
        self.assert_failure_message(proc, 'not allowed')
        # The office manager reads demographics but registers nobody.
        proc = self.add('--family', 'Managerson', '--birth-date', '1990-01-01', '--sex', 'male',
                        user='manager', expect=1)
        self.assert_failure_message(proc, 'not allowed')
        self.assertEqual(proc.stdout, '')
        self.assertEqual(self.found('managerson', user='manager'), [])
        self.assertEqual(self.found('adminson', user='manager'), [])
        # Clinical staff may register at the point of care, as the table says.
        for user in ('doctor', 'nurse'):
            self.add('--family', 'Walkin-' + user, '--birth-date', '1990-01-01', '--sex',
                     'female', user=user)
        # No view of a refused show reached the audit trail.
        views = [e for e in self.audit('--action', 'view') if e['object_id'] == mrn]
        self.assertEqual(views, [])

    def test_show_unknown_mrn(self):
        for mrn in ('99999997', 'nonsense', ''):
            with self.subTest(mrn=mrn):
                proc = self.demo('doctor', 'patient', 'show', mrn, expect=1)
                self.assert_failure_message(proc, 'no patient')
                self.assertIn(mrn, proc.stderr)
                self.assertEqual(proc.stdout, '')

    def test_help(self):
        text = self.run_admin('patient', 'add', '--help').stdout
        for option in ('--family', '--given', '--preferred', '--birth-date', '--sex',
                       '--gender-identity', '--pronouns', '--address', '--city', '--region',
                       '--postal-code', '--country', '--phone', '--email', '--language',
                       '--emergency-name', '--emergency-relation', '--emergency-phone',
                       '--primary-provider', '--identifier', '--force', '--practice',
                       '--user', '--password-file'):
            self.assertIn(option + '=' if option != '--force' else option, text)
        self.assertIn('KIND:NUMBER', text)
        text = self.run_admin('patient', 'search', '--help').stdout
        self.assertIn('--limit', text)
        self.assertIn('17.05.1980', text)
        text = self.run_admin('patient', 'show', '--help').stdout
        self.assertIn('--json', text)
        self.assertIn('chart summary', text)
        text = self.run_admin('patient', '--help').stdout
        for command in ('patient search', 'patient show', 'patient add'):
            self.assertIn(command, text)


# ---- drug knowledge base ------------------------------------------------------------


def kb_rows(folder, name):
    """The records of a knowledge-base file as dicts, without comments and header."""
    with open(os.path.join(folder, name), encoding='utf-8', newline='') as f:
        lines = [l.rstrip('\n') for l in f if not l.startswith('#')]
    header = lines[0].split('\t')
    return [dict(zip(header, l.split('\t'))) for l in lines[1:]]


class KbTests(DemoPracticeTestCase):
    """kb info names the active drug knowledge base; kb check prints the alerts a
    prescriber would see; kb import replaces the base only when every file of it
    is valid, and only for the roles that may change it; kb reset goes back."""

    demo_patients = 20
    demo_seed = 5

    SEVERITIES = ['contraindicated', 'major', 'moderate', 'minor', 'notice']
    ALERT_KEYS = {'kind', 'severity', 'rule', 'drug_a', 'drug_b', 'party_a', 'party_b',
                  'effect', 'mechanism', 'management', 'source', 'needs_reason'}
    TEST_RULE = 'TEST_0001'  # the interaction the licensed test base adds

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        info = {r['key']: r['value'] for r in kb_rows(SHIPPED_KB, 'info.tsv')}
        cls.shipped = {
            'Name': info['name'], 'Version': info['version'],
            'Drugs': str(len(kb_rows(SHIPPED_KB, 'drugs.tsv'))),
            'Interactions': str(len(kb_rows(SHIPPED_KB, 'interactions.tsv'))),
            'Allergy groups': str(len(kb_rows(SHIPPED_KB, 'allergy-groups.tsv'))),
        }

    # ---- helpers ----

    def kb_info(self, user='doctor'):
        """kb info as {label: value}, and its text."""
        proc = self.demo(user, 'kb', 'info')
        fields = {}
        for line in proc.stdout.splitlines():
            match = re.match(r'^\s*([^:]+):\s+(.*\S)\s*$', line)
            if match:
                fields[match.group(1)] = match.group(2)
        self.assertIn('Name', fields, proc.stdout)
        return fields, proc.stdout

    def assert_shipped_active(self):
        fields, text = self.kb_info()
        for label, value in self.shipped.items():
            self.assertEqual(fields.get(label), value, text)
        self.assertIn('shipped with Charta', fields.get('Origin', ''), text)
        self.assertNotIn('imported', text)

    def check_args(self, drugs, allergies):
        args = ['kb', 'check', '--drugs', ','.join(drugs)]
        if allergies:
            args += ['--allergies', ','.join(allergies)]
        return args

    def check_text(self, *drugs, allergies=(), user='doctor'):
        proc = self.demo(user, *self.check_args(drugs, allergies))
        self.assertEqual(proc.stderr, '')
        return proc.stdout

    def check_json(self, *drugs, allergies=(), user='doctor'):
        """kb check --json: the alerts, after checking the object's shape."""
        proc = self.demo(user, *self.check_args(drugs, allergies), '--json')
        result = json.loads(proc.stdout)
        self.assertEqual(set(result), {'knowledge_base', 'alerts'})
        self.assertEqual(set(result['knowledge_base']), {'name', 'version'})
        for alert in result['alerts']:
            self.assertEqual(set(alert), self.ALERT_KEYS, alert)
            self.assertIn(alert['severity'], self.SEVERITIES, alert)
            self.assertIsInstance(alert['needs_reason'], bool, alert)
        ranks = [self.SEVERITIES.index(a['severity']) for a in result['alerts']]
        self.assertEqual(ranks, sorted(ranks), 'most severe first: %r' % result['alerts'])
        return result

    def interactions_between(self, alerts, one, other):
        return [a for a in alerts if a['kind'] == 'interaction'
                and {a['drug_a'], a['drug_b']} == {one, other}]

    def base_copy(self, name):
        """A copy of the shipped base to change, in a folder of its own."""
        folder = os.path.join(tempfile.mkdtemp(prefix='kb-', dir=self.tmp), name)
        shutil.copytree(SHIPPED_KB, folder)
        return folder

    def append_line(self, folder, name, line):
        """Appends @line to a file of @folder; returns its line number."""
        path = os.path.join(folder, name)
        with open(path, encoding='utf-8', newline='') as f:
            text = f.read()
        self.assertTrue(text.endswith('\n'), path)
        with open(path, 'a', encoding='utf-8', newline='') as f:
            f.write(line + '\n')
        return text.count('\n') + 1

    def licensed_base(self):
        """The shipped base renamed "Licensed Test Base" 9.9, with one interaction
        more (amoxicillin + lisinopril, contraindicated) that the shipped one lacks."""
        folder = self.base_copy('licensed')
        path = os.path.join(folder, 'info.tsv')
        with open(path, encoding='utf-8', newline='') as f:
            lines = f.read().split('\n')
        replaced = {'name': 'Licensed Test Base', 'version': '9.9'}
        for i, line in enumerate(lines):
            key = line.split('\t')[0]
            if key in replaced:
                lines[i] = '%s\t%s' % (key, replaced.pop(key))
        self.assertEqual(replaced, {}, 'info.tsv has no name or version line')
        with open(path, 'w', encoding='utf-8', newline='') as f:
            f.write('\n'.join(lines))
        self.append_line(folder, 'interactions.tsv', '\t'.join([
            self.TEST_RULE, 'drug:amoxicillin', 'drug:lisinopril', 'contraindicated',
            'A made-up effect for the test.', 'A made-up mechanism.',
            'A made-up management.', 'The Charta test suite']))
        return folder

    def import_licensed(self, user='doctor'):
        proc = self.demo(user, 'kb', 'import', self.licensed_base())
        self.assertIn('Licensed Test Base', proc.stdout)
        self.assertIn('9.9', proc.stdout)
        return proc

    def assert_licensed_active(self):
        fields, text = self.kb_info()
        self.assertEqual(fields.get('Name'), 'Licensed Test Base', text)
        self.assertEqual(fields.get('Version'), '9.9', text)
        self.assertIn('imported by the practice', fields.get('Origin', ''), text)
        self.assertNotIn('shipped with Charta', text)
        self.assertEqual(fields.get('Interactions'), str(int(self.shipped['Interactions']) + 1))
        result = self.check_json('amoxicillin', 'lisinopril')
        self.assertEqual(result['knowledge_base'], {'name': 'Licensed Test Base', 'version': '9.9'})
        self.assertIn(self.TEST_RULE, [a['rule'] for a in result['alerts']])
        return text

    # ---- info and check ----

    def test_info_shows_the_shipped_base(self):
        self.assert_shipped_active()
        # Everyone who prescribes or runs the practice may read it.
        for user in ('nurse', 'manager', 'admin'):
            fields, _ = self.kb_info(user)
            self.assertEqual(fields['Name'], self.shipped['Name'])

    def test_check_interaction_either_order(self):
        # Needs the shipped interactions.tsv: warfarin with an NSAID is on the ONC list.
        rules = []
        for drugs in (('warfarin', 'ibuprofen'), ('ibuprofen', 'warfarin')):
            alerts = self.check_json(*drugs)['alerts']
            found = self.interactions_between(alerts, 'warfarin', 'ibuprofen')
            self.assertTrue(found, 'no interaction for %s: %r' % (','.join(drugs), alerts))
            self.assertTrue(any(a['severity'] in ('major', 'contraindicated')
                                for a in found), found)
            for alert in found:
                self.assertTrue(alert['effect'] and alert['management'] and alert['source'],
                                alert)
            rules.append(sorted(a['rule'] for a in found))
            text = self.check_text(*drugs)
            self.assertNotIn('No alerts.', text)
            headline = [l for l in text.splitlines()
                        if re.match(r'^(Major|Contraindicated)\b', l)
                        and 'warfarin' in l and 'ibuprofen' in l]
            self.assertTrue(headline, text)
            for label in ('Why:', 'What to do:', 'Source:'):
                self.assertIn(label, text)
        self.assertEqual(rules[0], rules[1], 'an interaction is symmetric')
        # A brand name is the same drug.
        alerts = self.check_json('Coumadin', 'ibuprofen')['alerts']
        self.assertTrue(self.interactions_between(alerts, 'warfarin', 'ibuprofen'), alerts)

    def test_check_penicillin_allergy(self):
        text = self.check_text('amoxicillin', allergies=['penicillin'])
        headline = [l for l in text.splitlines() if l.startswith('Contraindicated')]
        self.assertTrue(headline, text)
        self.assertIn('amoxicillin', headline[0])
        self.assertIn('penicillin', headline[0])
        for label in ('Why:', 'What to do:', 'Source:'):
            self.assertIn(label, text)
        for drugs, allergy in ((['amoxicillin'], 'penicillin'), (['Amoxil'], 'PCN')):
            with self.subTest(drugs=drugs, allergy=allergy):
                alerts = self.check_json(*drugs, allergies=[allergy])['alerts']
                allergy_alerts = [a for a in alerts if a['kind'] == 'allergy'
                                  and a['drug_a'] == 'amoxicillin']
                self.assertTrue(allergy_alerts, alerts)
                self.assertEqual(allergy_alerts[0]['severity'], 'contraindicated')
                self.assertEqual(allergy_alerts[0]['party_b'], allergy)
                self.assertTrue(allergy_alerts[0]['management'])
                self.assertTrue(allergy_alerts[0]['source'])

    def test_allergy_nothing_matches_is_a_notice(self):
        text = self.check_text('amoxicillin', allergies=['the blue pills'])
        self.assertIn('Unchecked allergy', text)
        self.assertIn('the blue pills', text)
        self.assertNotIn('No alerts.', text)
        alerts = self.check_json('amoxicillin', allergies=['the blue pills'])['alerts']
        self.assertEqual([(a['kind'], a['party_b']) for a in alerts],
                         [('unchecked-allergy', 'the blue pills')])

    def test_unrelated_drugs_give_no_alerts(self):
        self.assertEqual(self.check_text('amoxicillin', 'lisinopril'), 'No alerts.\n')
        result = self.check_json('amoxicillin', 'lisinopril')
        self.assertEqual(result['alerts'], [])
        self.assertEqual(result['knowledge_base'],
                         {'name': self.shipped['Name'], 'version': self.shipped['Version']})

    def test_check_json(self):
        alerts = self.check_json('amoxicillin', 'warfarin', 'ibuprofen',
                                 allergies=['penicillin', 'the blue pills'])['alerts']
        kinds = {a['kind'] for a in alerts}
        self.assertTrue({'allergy', 'unchecked-allergy'} <= kinds, alerts)
        contraindicated = [a for a in alerts if a['severity'] == 'contraindicated']
        self.assertTrue(contraindicated, alerts)
        for alert in contraindicated:
            self.assertIs(alert['needs_reason'], True, alert)
        self.assertEqual(alerts[-1]['severity'], 'notice')
        self.assertIs(alerts[-1]['needs_reason'], False)

    def test_unknown_drugs(self):
        for extra in ([], ['--json']):
            with self.subTest(extra=extra):
                proc = self.demo('doctor', 'kb', 'check', '--drugs',
                                 'amoxicillin,frobnizol,zzzumab', *extra, expect=1)
                self.assert_failure_message(proc, 'frobnizol', 'zzzumab')
                self.assertNotIn('amoxicillin', proc.stderr)
                self.assertEqual(proc.stdout, '')

    def test_bad_usage(self):
        login = self.login_args(self.practice, 'admin', DEMO_PASSWORD)
        folder = self.base_copy('base')
        cases = [
            ['kb'],
            ['kb', 'frobnicate'],
            ['kb', 'check'],                                   # no --drugs
            ['kb', 'check', '--allergies', 'penicillin'],
            ['kb', 'check', '--drugs'],
            ['kb', 'import'],                                  # no DIR
            ['kb', 'import', folder, folder],
            ['kb', 'reset', 'extra'],
            ['kb', 'info', 'extra'],
        ]
        for args in cases:
            with self.subTest(args=args):
                self.assert_usage_error(self.run_admin(*args, *login, expect=2))
        self.assert_shipped_active()

    # ---- import and reset ----

    def test_import_a_licensed_base(self):
        self.import_licensed('doctor')
        self.assert_licensed_active()
        # The nurse prescribing next sees the same base.
        fields, _ = self.kb_info('nurse')
        self.assertEqual(fields['Name'], 'Licensed Test Base')

    def test_broken_base_changes_nothing(self):
        broken = self.base_copy('broken')
        line = self.append_line(broken, 'interactions.tsv', '\t'.join([
            'TEST_0002', 'drug:warfarin', 'drug:ibuprofen', 'terrible',
            'An effect.', 'A mechanism.', 'A management.', 'A source']))
        missing = self.base_copy('missing')
        os.remove(os.path.join(missing, 'duplicates.tsv'))
        cases = [
            (broken, ['interactions.tsv:%d' % line, 'terrible']),
            (missing, ['duplicates.tsv']),
            (os.path.join(self.tmp, 'nowhere'), ['nowhere']),
        ]
        # Over the shipped base, then over an imported one.
        for state in ('shipped', 'imported'):
            if state == 'imported':
                self.import_licensed('admin')
            _, before = self.kb_info()
            for folder, needles in cases:
                with self.subTest(state=state, folder=os.path.basename(folder)):
                    proc = self.demo('admin', 'kb', 'import', folder, expect=1)
                    self.assert_failure_message(proc, *needles)
                    self.assertEqual(proc.stdout, '')
                    self.assertEqual(self.kb_info()[1], before)
            if state == 'shipped':
                self.assert_shipped_active()
            else:
                self.assert_licensed_active()

    def test_only_physicians_and_admins_change_the_base(self):
        licensed = self.licensed_base()
        for user in ('nurse', 'manager', 'frontdesk'):
            for command in (['import', licensed], ['reset']):
                with self.subTest(user=user, command=command[0]):
                    proc = self.demo(user, 'kb', *command, expect=1)
                    self.assert_failure_message(proc, 'not allowed')
                    self.assertEqual(proc.stdout, '')
        self.assert_shipped_active()
        # The front desk does not even see the base.
        for command in (['info'], ['check', '--drugs', 'amoxicillin']):
            with self.subTest(command=command):
                proc = self.demo('frontdesk', 'kb', *command, expect=1)
                self.assert_failure_message(proc, 'not allowed')
                self.assertEqual(proc.stdout, '')
        self.demo('admin', 'kb', 'import', licensed)
        self.assert_licensed_active()

    def test_reset_goes_back_to_the_shipped_base(self):
        self.import_licensed('doctor')
        self.assert_licensed_active()
        proc = self.demo('admin', 'kb', 'reset')
        self.assertIn('shipped', proc.stdout)
        self.assert_shipped_active()
        rules = [a['rule'] for a in self.check_json('amoxicillin', 'lisinopril')['alerts']]
        self.assertNotIn(self.TEST_RULE, rules)
        # Resetting the shipped base keeps it.
        self.demo('doctor', 'kb', 'reset')
        self.assert_shipped_active()

    def test_changes_are_audited(self):
        self.demo('nurse', 'kb', 'import', self.licensed_base(), expect=1)
        self.import_licensed('doctor')
        self.demo('admin', 'kb', 'import', os.path.join(self.tmp, 'nowhere'), expect=1)
        self.demo('admin', 'kb', 'reset')
        for reader in ('manager', 'admin'):
            with self.subTest(reader=reader):
                proc = self.demo(reader, 'audit', 'list', '--csv', '--action', 'settings',
                                 raw=True)
                rows = list(csv.reader(io.StringIO(proc.stdout.decode(), newline='')))
                entries = [dict(zip(rows[0], row)) for row in rows[1:]]
                kb = [e for e in entries if e['object_type'] == 'drug-kb']
                # Newest first: the reset, then the import; nothing for the refusals.
                self.assertEqual([(e['user'], e['role']) for e in kb],
                                 [('admin', 'admin'), ('doctor', 'physician')], kb)
                self.assertIn('Licensed Test Base', kb[1]['detail'])
                self.assertIn('9.9', kb[1]['detail'])
                self.assertIn('shipped', kb[0]['detail'])


# ---- scheduling ------------------------------------------------------------------------------


class ScheduleTests(DemoPracticeTestCase):
    """provider add and hours, schedule types, book and list: the calendar's rules
    from the command line. A time already taken or outside working hours is
    refused, naming what stands in the way, until confirmed where that is allowed;
    a series is booked whole or not at all; only the roles that may change the
    schedule book, and only those that may see it list."""

    # The demo's appointment types (app/demo), by name, and its providers and rooms.
    DEMO_TYPES = [('annual-exam', 30), ('follow-up', 20), ('injection', 15),
                  ('new-patient', 40), ('procedure', 45), ('walk-in', 15)]
    APPOINTMENT_KEYS = {'id', 'start', 'duration_min', 'provider', 'room', 'patient_mrn',
                        'patient_name', 'type', 'status', 'reason', 'series_id'}
    TABLE_HEADER = ['ID', 'START', 'MIN', 'PROVIDER', 'PATIENT', 'TYPE', 'STATUS']
    # Far from the demo's own fortnight of bookings around today.
    MONDAY = datetime.date(2031, 3, 3)
    FIRST_DAY, LAST_DAY = '2031-03-01', '2031-04-30'

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        assert cls.MONDAY.weekday() == 0, cls.MONDAY
        # The demo patients' MRNs and names, as patient search shows them.
        pwfile = os.path.join(cls.class_tmp, 'pw')
        with open(pwfile, 'w') as f:
            f.write(DEMO_PASSWORD + '\n')
        proc = subprocess.run([ADMIN, 'patient', 'search', '0000', '--practice', cls.demo_dir,
                               '--user', 'frontdesk', '--password-file', pwfile],
                              env=base_env(cls.class_tmp), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=120)
        lines = proc.stdout.splitlines()
        if proc.returncode != 0 or not lines or not lines[0].startswith('MRN'):
            raise RuntimeError('patient search failed (%d): %s' % (proc.returncode, proc.stderr))
        name_at, born_at = lines[0].index('NAME'), lines[0].index('BORN')
        cls.patients = [(line[:name_at].strip(), line[name_at:born_at].strip())
                        for line in lines[1:]]
        if len(set(name for _, name in cls.patients)) < 3:
            raise RuntimeError('fewer than three demo patients: %r' % cls.patients)

    def setUp(self):
        super().setUp()
        self.env['TZ'] = 'UTC'
        (self.a_mrn, self.a_name), (self.b_mrn, self.b_name), (self.c_mrn, self.c_name) = \
            self.patients[:3]

    # ---- helpers ----

    def at(self, hhmm, days=0, weeks=0):
        """The local date and time @days and @weeks after MONDAY at @hhmm, ISO-8601."""
        day = self.MONDAY + datetime.timedelta(days=days, weeks=weeks)
        return '%sT%s' % (day.isoformat(), hhmm)

    def book(self, mrn, provider, type_name, start, *extra, user='frontdesk', expect=0):
        """schedule book; on success returns the id it printed, alone on its line."""
        proc = self.demo(user, 'schedule', 'book', '--patient', mrn, '--provider', provider,
                         '--type', type_name, '--start', start, *extra, expect=expect)
        if expect != 0:
            self.assertEqual(proc.stdout, '')
            return proc
        self.assertRegex(proc.stdout, r'^\d+\n$')
        self.assertEqual(proc.stderr, '')
        return int(proc.stdout)

    def refused(self, mrn, provider, type_name, start, *extra, needles=(), user='frontdesk'):
        """schedule book that must fail with exit 1 and a one-line message naming
        @needles; returns the message."""
        proc = self.book(mrn, provider, type_name, start, *extra, user=user, expect=1)
        self.assert_failure_message(proc, *needles)
        return proc.stderr.strip()

    def listing(self, *extra, first=None, last=None, user='frontdesk'):
        """schedule list --json of FIRST_DAY…LAST_DAY (or @first…@last), after
        checking every appointment's shape."""
        proc = self.demo(user, 'schedule', 'list', '--from', first or self.FIRST_DAY,
                         '--to', last or self.LAST_DAY, '--json', *extra)
        self.assertEqual(proc.stderr, '')
        result = json.loads(proc.stdout)
        self.assertIsInstance(result, list)
        for appointment in result:
            self.assertEqual(set(appointment), self.APPOINTMENT_KEYS, appointment)
        starts = [self.instant(a['start']) for a in result]
        self.assertEqual(starts, sorted(starts), 'by start: %r' % result)
        return result

    def slots(self, *extra, **kwargs):
        """The listing as (provider, start, patient MRN, type) a row."""
        return [(a['provider'], a['start'], a['patient_mrn'], a['type'])
                for a in self.listing(*extra, **kwargs)]

    @staticmethod
    def instant(text):
        return datetime.datetime.fromisoformat(text)

    def utc(self, hhmm, days=0, weeks=0):
        """at() as the start schedule list --json writes under TZ=UTC."""
        return self.at(hhmm, days, weeks) + ':00Z'

    def add_provider(self, ident, name, *extra, user='frontdesk', expect=0):
        proc = self.demo(user, 'provider', 'add', '--id', ident, '--name', name, *extra,
                         expect=expect)
        if expect == 0:
            self.assertEqual(proc.stderr, '')
        return proc

    # ---- tests ----

    def test_types_as_the_demo_defines_them(self):
        expected = ''.join('%s\t%d\n' % t for t in self.DEMO_TYPES)
        for user in ('frontdesk', 'doctor', 'nurse', 'manager'):
            with self.subTest(user=user):
                proc = self.demo(user, 'schedule', 'types')
                self.assertEqual(proc.stdout, expected)
                self.assertEqual(proc.stderr, '')
        self.assertIn('follow-up\t20\n', expected)
        proc = self.demo('admin', 'schedule', 'types', expect=1)
        self.assert_failure_message(proc, 'not allowed')

    def test_working_hours(self):
        self.add_provider('lee', 'Dr. Mei Lee')
        self.demo('frontdesk', 'provider', 'hours', 'lee', '--days', 'mon-fri',
                  '--times', '09:00-15:00', '--break', '12:00-13:00')
        first = self.book(self.a_mrn, 'lee', 'follow-up', self.at('09:00'))
        # Before the day, in the break, into the break, past its end, on a Saturday.
        for start, duration in ((self.at('08:40'), 20), (self.at('12:00'), 20),
                                (self.at('11:50'), 20), (self.at('14:50'), 20),
                                (self.at('10:00', days=5), 20), (self.at('14:00'), 61)):
            with self.subTest(start=start, duration=duration):
                self.refused(self.b_mrn, 'lee', 'follow-up', start, '--duration', duration,
                             needles=('Dr. Mei Lee', '--outside-hours'))
        # Just inside: up to the break, from its end, up to the end of the day.
        inside = [self.book(self.b_mrn, 'lee', 'follow-up', self.at(hhmm))
                  for hhmm in ('11:40', '13:00', '14:40')]
        outside = self.book(self.c_mrn, 'lee', 'follow-up', self.at('15:10'), '--outside-hours')
        saturday = self.book(self.c_mrn, 'lee', 'follow-up', self.at('10:00', days=5),
                             '--outside-hours')
        rows = self.listing('--provider', 'lee')
        self.assertEqual([a['id'] for a in rows], [first] + inside + [outside, saturday])
        self.assertEqual([a['start'] for a in rows],
                         [self.utc(t) for t in ('09:00', '11:40', '13:00', '14:40', '15:10')]
                         + [self.utc('10:00', days=5)])
        # A day off: Wednesdays now refused, Tuesdays still fine.
        self.demo('frontdesk', 'provider', 'hours', 'lee', '--days', 'wed', '--off')
        self.refused(self.a_mrn, 'lee', 'follow-up', self.at('10:00', days=2),
                     needles=('--outside-hours',))
        self.book(self.a_mrn, 'lee', 'follow-up', self.at('10:00', days=1))
        self.assertEqual(len(self.listing('--provider', 'lee')), 7)

    def test_double_booking_names_the_other_patient(self):
        first = self.book(self.a_mrn, 'garcia', 'follow-up', self.at('09:00'))
        for start in (self.at('09:00'), self.at('09:10'), self.at('08:50')):
            with self.subTest(start=start):
                message = self.refused(self.b_mrn, 'garcia', 'follow-up', start,
                                       needles=(self.a_name,))
                self.assertNotIn(self.b_name, message)
                self.assertNotIn('--overbook', message)
        # Back to back is fine, and so is another provider at the same time.
        after = self.book(self.b_mrn, 'garcia', 'follow-up', self.at('09:20'))
        other = self.book(self.b_mrn, 'patel', 'follow-up', self.at('09:00'))
        self.assertEqual(
            [(a['id'], a['provider'], a['start'], a['patient_mrn']) for a in self.listing()],
            [(first, 'garcia', self.utc('09:00'), self.a_mrn),
             (other, 'patel', self.utc('09:00'), self.b_mrn),
             (after, 'garcia', self.utc('09:20'), self.b_mrn)])

    def test_injection_buffer(self):
        # An injection keeps its provider 5 minutes more, before another booking
        # and after its own.
        first = self.book(self.a_mrn, 'patel', 'injection', self.at('09:00'))
        self.refused(self.b_mrn, 'patel', 'follow-up', self.at('09:15'), needles=(self.a_name,))
        self.refused(self.c_mrn, 'patel', 'injection', self.at('08:45'), needles=(self.a_name,))
        after = self.book(self.b_mrn, 'patel', 'follow-up', self.at('09:20'))
        before = self.book(self.c_mrn, 'patel', 'injection', self.at('08:40'))
        self.assertEqual([(a['id'], a['start'], a['duration_min']) for a in self.listing()],
                         [(before, self.utc('08:40'), 15), (first, self.utc('09:00'), 15),
                          (after, self.utc('09:20'), 20)])

    def test_overbooking_only_where_the_type_allows(self):
        self.book(self.a_mrn, 'garcia', 'follow-up', self.at('10:00'))
        self.refused(self.b_mrn, 'garcia', 'walk-in', self.at('10:05'),
                     needles=(self.a_name, '--overbook'))
        self.assertEqual(len(self.listing()), 1)
        walk_in = self.book(self.b_mrn, 'garcia', 'walk-in', self.at('10:05'), '--overbook')
        # A follow-up may not be overbooked, confirmed or not.
        for extra in ((), ('--overbook',)):
            with self.subTest(extra=extra):
                message = self.refused(self.c_mrn, 'garcia', 'follow-up', self.at('10:05'),
                                       *extra)
                self.assertTrue(self.a_name in message or self.b_name in message, message)
                self.assertNotIn('--overbook', message)
        self.assertEqual(self.slots(),
                         [('garcia', self.utc('10:00'), self.a_mrn, 'follow-up'),
                          ('garcia', self.utc('10:05'), self.b_mrn, 'walk-in')])
        self.assertEqual(self.listing()[1]['id'], walk_in)

    def test_procedures_need_a_room(self):
        self.refused(self.a_mrn, 'garcia', 'procedure', self.at('14:00'), needles=('room',))
        self.assertEqual(self.listing(), [])
        first = self.book(self.a_mrn, 'garcia', 'procedure', self.at('14:00'), '--room', 'room-1')
        # The room is taken then, whoever the provider; overbooking does not apply.
        for extra in ((), ('--overbook',)):
            with self.subTest(extra=extra):
                self.refused(self.b_mrn, 'patel', 'procedure', self.at('14:30'), '--room',
                             'room-1', *extra, needles=(self.a_name,))
        self.refused(self.b_mrn, 'patel', 'procedure', self.at('14:00'), '--room', 'room-9',
                     needles=('room-9',))
        other = self.book(self.b_mrn, 'patel', 'procedure', self.at('14:00'), '--room', 'room-2')
        rows = self.listing()
        self.assertEqual([(a['id'], a['provider'], a['room'], a['patient_mrn']) for a in rows],
                         [(first, 'garcia', 'room-1', self.a_mrn),
                          (other, 'patel', 'room-2', self.b_mrn)])
        self.assertEqual({a['duration_min'] for a in rows}, {45})
        self.assertEqual([a['id'] for a in self.listing('--provider', 'room-1')], [first])

    def test_weekly_series(self):
        proc = self.demo('frontdesk', 'schedule', 'book', '--patient', self.a_mrn,
                         '--provider', 'garcia', '--type', 'follow-up', '--start', self.at('11:00'),
                         '--rrule', 'FREQ=WEEKLY;COUNT=4', '--reason', 'Blood pressure')
        match = re.fullmatch(r'(\d+) \(series of 4\)\n', proc.stdout)
        self.assertIsNotNone(match, proc.stdout)
        rows = self.listing()
        self.assertEqual(len(rows), 4, rows)
        self.assertEqual(rows[0]['id'], int(match.group(1)))
        self.assertEqual(len({a['id'] for a in rows}), 4)
        self.assertEqual([a['start'] for a in rows],
                         [self.utc('11:00', weeks=k) for k in range(4)])
        series = {a['series_id'] for a in rows}
        self.assertEqual(len(series), 1, rows)
        self.assertIsInstance(series.pop(), int)
        for a in rows:
            self.assertEqual((a['provider'], a['patient_mrn'], a['type'], a['duration_min'],
                              a['reason'], a['status']),
                             ('garcia', self.a_mrn, 'follow-up', 20, 'Blood pressure', 'booked'))
        # Not part of it: a single booking has no series.
        self.book(self.b_mrn, 'patel', 'follow-up', self.at('11:00'))
        self.assertIsNone([a for a in self.listing() if a['provider'] == 'patel'][0]['series_id'])

    def test_series_in_the_way_of_a_booking_is_refused_whole(self):
        self.book(self.a_mrn, 'garcia', 'follow-up', self.at('11:10', weeks=2))
        before = self.listing()
        message = self.refused(self.b_mrn, 'garcia', 'follow-up', self.at('11:00'),
                               '--rrule', 'FREQ=WEEKLY;COUNT=4', needles=(self.a_name,))
        self.assertIn((self.MONDAY + datetime.timedelta(weeks=2)).isoformat(), message)
        self.assertEqual(self.listing(), before)
        # The same series clear of it is booked.
        proc = self.demo('frontdesk', 'schedule', 'book', '--patient', self.b_mrn,
                         '--provider', 'garcia', '--type', 'follow-up',
                         '--start', self.at('11:30'), '--rrule', 'FREQ=WEEKLY;COUNT=4')
        self.assertRegex(proc.stdout, r'^\d+ \(series of 4\)\n$')
        self.assertEqual(len(self.listing()), 5)

    def test_bad_rule(self):
        for rule in ('FREQ=SOMETIMES', 'bogus', 'FREQ=WEEKLY;COUNT=0'):
            with self.subTest(rule=rule):
                self.refused(self.a_mrn, 'garcia', 'follow-up', self.at('11:00'),
                             '--rrule', rule, needles=(rule, 'rule'))
        self.assertEqual(self.listing(), [])

    def test_bad_usage(self):
        for start in ('next tuesday', '2031-02-30T10:00', '2031-03-03', '10:00', ''):
            with self.subTest(start=start):
                proc = self.book(self.a_mrn, 'garcia', 'follow-up', start, expect=2)
                self.assert_usage_error(proc)
        cases = [
            ['schedule', 'book', '--patient', self.a_mrn, '--provider', 'garcia',
             '--type', 'follow-up'],                                          # no --start
            ['schedule', 'book', '--patient', self.a_mrn, '--provider', 'garcia',
             '--type', 'follow-up', '--start', self.at('10:00'), '--duration', '-5'],
            ['schedule', 'list', '--from', '2031-03-03'],                     # no --to
            ['schedule', 'list', '--from', '2031-03-03', '--to', '2031-03-02'],
            ['schedule', 'list', '--from', '2031-13-01', '--to', '2031-12-31'],
            ['provider', 'add', '--id', 'lee'],                               # no --name
            ['provider', 'hours', 'garcia', '--days', 'funday', '--times', '09:00-12:00'],
            ['provider', 'hours', 'garcia', '--days', 'mon', '--times', 'nine to five'],
            ['provider', 'hours', 'garcia', '--days', 'mon'],                 # no --times
        ]
        for args in cases:
            with self.subTest(args=args):
                self.assert_usage_error(self.demo('frontdesk', *args, expect=2))
        self.assertEqual(self.listing(), [])

    def test_start_with_an_offset(self):
        # --start is local time unless it gives an offset, as its help says.
        for start, utc in (('2031-03-03T10:00+02:00', '08:00'), ('2031-03-03T10:30Z', '10:30'),
                           ('2031-03-03T12:00:00+02:00', '10:00')):
            with self.subTest(start=start):
                ident = self.book(self.a_mrn, 'garcia', 'follow-up', start)
                self.assertEqual([a['start'] for a in self.listing() if a['id'] == ident],
                                 [self.utc(utc)])

    def test_list_json_matches_what_was_booked(self):
        first = self.book(self.a_mrn, 'garcia', 'follow-up', self.at('09:00'),
                          '--duration', '30', '--reason', 'Knie – links, seit März')
        second = self.book(self.b_mrn, 'patel', 'procedure', self.at('13:30', days=1),
                           '--room', 'room-2')
        expected = [
            {'id': first, 'start': self.utc('09:00'), 'duration_min': 30, 'provider': 'garcia',
             'room': None, 'patient_mrn': self.a_mrn, 'patient_name': self.a_name,
             'type': 'follow-up', 'status': 'booked', 'reason': 'Knie – links, seit März',
             'series_id': None},
            {'id': second, 'start': self.utc('13:30', days=1), 'duration_min': 45,
             'provider': 'patel', 'room': 'room-2', 'patient_mrn': self.b_mrn,
             'patient_name': self.b_name, 'type': 'procedure', 'status': 'booked',
             'reason': '', 'series_id': None},
        ]
        self.assertEqual(self.listing(), expected)
        self.assertEqual(self.instant(expected[0]['start']),
                         datetime.datetime(2031, 3, 3, 9, 0, tzinfo=datetime.timezone.utc))
        # One provider's; one day (--to is inclusive); the day before it.
        self.assertEqual(self.listing('--provider', 'patel'), expected[1:])
        self.assertEqual(self.listing('--provider', 'garcia'), expected[:1])
        tuesday = (self.MONDAY + datetime.timedelta(days=1)).isoformat()
        self.assertEqual(self.listing(first=tuesday, last=tuesday), expected[1:])
        self.assertEqual(self.listing(first='2031-03-02', last='2031-03-02'), [])
        # The table shows the same appointments.
        proc = self.demo('frontdesk', 'schedule', 'list', '--from', self.FIRST_DAY,
                         '--to', self.LAST_DAY)
        lines = proc.stdout.splitlines()
        self.assertEqual(lines[0].split(), self.TABLE_HEADER)
        self.assertEqual(len(lines), 3, proc.stdout)
        self.assertRegex(lines[1], r'^%d +2031-03-03 09:00 +30 +garcia +%s %s +follow-up +booked$'
                         % (first, self.a_mrn, re.escape(self.a_name)))
        self.assertRegex(lines[2], r'^%d +2031-03-04 13:30 +45 +patel +%s %s +procedure +booked$'
                         % (second, self.b_mrn, re.escape(self.b_name)))

    def test_who_may_list_and_book(self):
        booked = self.book(self.a_mrn, 'garcia', 'follow-up', self.at('09:00'))
        for user in ('frontdesk', 'doctor', 'nurse', 'manager'):
            with self.subTest(user=user):
                self.assertEqual([a['id'] for a in self.listing(user=user)], [booked])
        proc = self.demo('admin', 'schedule', 'list', '--from', self.FIRST_DAY,
                         '--to', self.LAST_DAY, expect=1)
        self.assert_failure_message(proc, 'not allowed', 'scheduling')
        self.assertEqual(proc.stdout, '')
        self.refused(self.b_mrn, 'patel', 'follow-up', self.at('09:00'), user='manager',
                     needles=('not allowed',))
        for days, user in enumerate(('doctor', 'nurse'), start=1):
            with self.subTest(user=user):
                self.book(self.b_mrn, 'patel', 'follow-up', self.at('10:00', days=days),
                          user=user)
        self.assertEqual(len(self.listing()), 3)

    def test_days_off_and_holidays(self):
        monday = self.at('09:00')
        # A provider's day off: refused for them, not for the other.
        self.demo('frontdesk', 'provider', 'off', 'garcia', '--day', monday[:10],
                  '--reason', 'Training')
        self.refused(self.a_mrn, 'garcia', 'follow-up', monday,
                     needles=('García', '--outside-hours'))
        self.book(self.a_mrn, 'patel', 'follow-up', monday)
        self.book(self.b_mrn, 'garcia', 'follow-up', monday, '--outside-hours')
        # A practice holiday: nobody works.
        tuesday = self.at('10:00', days=1)
        self.demo('frontdesk', 'provider', 'off', '--holiday', '--day', tuesday[:10])
        for provider in ('garcia', 'patel'):
            self.refused(self.a_mrn, provider, 'follow-up', tuesday, needles=('--outside-hours',))
        self.book(self.a_mrn, 'garcia', 'follow-up', self.at('10:00', days=2))
        # Bad usage and refusals.
        for args in (('garcia',), ('--day', tuesday[:10]),
                     ('garcia', '--holiday', '--day', tuesday[:10]),
                     ('garcia', '--day', tuesday[:10], 'extra')):
            self.demo('frontdesk', 'provider', 'off', *args, expect=2)
        proc = self.demo('frontdesk', 'provider', 'off', 'garcia', '--day', '2031-02-30', expect=1)
        self.assert_failure_message(proc, 'YYYY-MM-DD')
        proc = self.demo('frontdesk', 'provider', 'off', 'nobody', '--day', tuesday[:10], expect=1)
        self.assert_failure_message(proc, 'nobody')
        # The office manager sets up the practice too; a nurse books but does not.
        self.demo('manager', 'provider', 'off', 'patel', '--day', self.at('09:00', days=3)[:10])
        self.refused(self.a_mrn, 'patel', 'follow-up', self.at('09:00', days=3),
                     needles=('--outside-hours',))

    def test_adding_appointment_types(self):
        self.demo('frontdesk', 'schedule', 'type', 'add', '--name', 'physio', '--minutes', '45',
                  '--color', '#26a269', '--needs-room', '--buffer', '10')
        proc = self.demo('frontdesk', 'schedule', 'types')
        self.assertIn('physio\t45', proc.stdout.splitlines())
        # It needs a room, and keeps ten minutes free after it.
        self.refused(self.a_mrn, 'garcia', 'physio', self.at('09:00'), needles=('room',))
        self.book(self.a_mrn, 'garcia', 'physio', self.at('09:00'), '--room', 'room-2')
        self.refused(self.b_mrn, 'garcia', 'follow-up', self.at('09:50'), needles=(self.a_name,))
        self.book(self.b_mrn, 'garcia', 'follow-up', self.at('09:55'))
        # Refusals: the same name again, a bad colour, no minutes, the manager.
        proc = self.demo('frontdesk', 'schedule', 'type', 'add', '--name', 'physio',
                         '--minutes', '30', expect=1)
        self.assert_failure_message(proc, 'physio')
        proc = self.demo('frontdesk', 'schedule', 'type', 'add', '--name', 'x', '--minutes', '30',
                         '--color', 'green', expect=1)
        self.assert_failure_message(proc, '#rrggbb')
        self.demo('frontdesk', 'schedule', 'type', 'add', '--name', 'x', expect=2)
        self.demo('manager', 'schedule', 'type', 'add', '--name', 'y', '--minutes', '30')
        proc = self.demo('frontdesk', 'schedule', 'types')
        self.assertIn('y\t30', proc.stdout.splitlines())
        self.assertNotIn('x\t30', proc.stdout.splitlines())

    def test_who_may_add_providers(self):
        self.add_provider('okafor', 'Dr. Chidi Okafor')
        self.demo('frontdesk', 'provider', 'hours', 'okafor', '--days', 'mon,thu',
                  '--times', '08:00-12:00')
        self.book(self.a_mrn, 'okafor', 'follow-up', self.at('08:00'))
        self.refused(self.a_mrn, 'okafor', 'follow-up', self.at('08:00', days=1),
                     needles=('Dr. Chidi Okafor', '--outside-hours'))
        self.book(self.a_mrn, 'okafor', 'follow-up', self.at('08:00', days=3))
        # Adding it again renames it.
        self.add_provider('okafor', 'Dr. Chidi Okafor-Mensah')
        self.refused(self.b_mrn, 'okafor', 'follow-up', self.at('08:10'),
                     needles=('Okafor-Mensah', self.a_name))
        # A room, which takes no appointments of its own.
        self.add_provider('room-3', 'Room 3', '--room')
        self.demo('frontdesk', 'provider', 'hours', 'room-3', '--days', 'mon-fri',
                  '--times', '08:00-17:00')
        self.refused(self.b_mrn, 'room-3', 'follow-up', self.at('09:00'),
                     needles=('not a provider',))
        self.book(self.b_mrn, 'okafor', 'procedure', self.at('09:00'), '--room', 'room-3')
        # The office manager sets up providers and hours but books no one.
        self.add_provider('bauer', 'Dr. Hanna Bauer', user='manager')
        self.demo('manager', 'provider', 'hours', 'bauer', '--days', 'tue',
                  '--times', '08:00-12:00')
        self.refused(self.a_mrn, 'bauer', 'follow-up', self.at('09:00'), needles=('--outside-hours',))
        self.book(self.a_mrn, 'bauer', 'follow-up', self.at('09:00', days=1))
        proc = self.book(self.b_mrn, 'bauer', 'follow-up', self.at('10:00', days=1), user='manager',
                         expect=1)
        self.assert_failure_message(proc, 'not allowed')
        proc = self.add_provider('Dr Bauer', 'Dr. Hanna Bauer', expect=1)
        self.assert_failure_message(proc, 'id')
        proc = self.demo('frontdesk', 'provider', 'hours', 'nobody', '--days', 'mon',
                         '--times', '08:00-12:00', expect=1)
        self.assert_failure_message(proc, 'nobody')
        # A provider's account must be one of the practice's users.
        proc = self.add_provider('bauer', 'Dr. Hanna Bauer', '--account', 'nosuchuser', expect=1)
        self.assert_failure_message(proc, 'nosuchuser')
        self.add_provider('bauer', 'Dr. Hanna Bauer', '--account', 'doctor')
        self.assertEqual(len(self.listing('--provider', 'okafor')), 3)

    def test_unknown_type_provider_patient(self):
        cases = [
            ((self.a_mrn, 'garcia', 'checkup'), 'checkup'),
            ((self.a_mrn, 'smith', 'follow-up'), 'smith'),
            (('99999997', 'garcia', 'follow-up'), '99999997'),
        ]
        for (mrn, provider, type_name), needle in cases:
            with self.subTest(needle=needle):
                self.refused(mrn, provider, type_name, self.at('09:00'), needles=(needle,))
        self.refused(self.a_mrn, 'garcia', 'follow-up', self.at('09:00'), '--room', 'room-9',
                     needles=('room-9',))
        self.assertEqual(self.listing(), [])
        self.assertEqual(self.listing('--provider', 'smith'), [])

# ---- waitlist and recalls --------------------------------------------------------------------


class WaitlistRecallTests(DemoPracticeTestCase):
    """schedule waitlist add|list and schedule recall add|list: patients waiting for an
    earlier slot, first come first served, with the slot offered to them; patients due
    for a recall, by due date, overdue ones and the next 30 days unless asked otherwise.
    The demo practice has four patients waiting (one offered a slot from a cancellation)
    and a dozen recalls."""

    ENTRY_KEYS = {'id', 'patient_mrn', 'patient_name', 'type', 'provider', 'appointment_id',
                  'appointment_start', 'from', 'to', 'days', 'times', 'note', 'status',
                  'booked_id', 'added', 'added_by', 'offer'}
    OFFER_KEYS = {'id', 'start', 'duration_min', 'provider', 'room'}
    RECALL_KEYS = {'id', 'due', 'overdue', 'patient_mrn', 'patient_name', 'patient_phone', 'kind',
                   'reason', 'provider', 'vaccine', 'dose', 'status', 'appointment_id', 'contacts',
                   'last_contact', 'last_contact_note'}
    WAITLIST_HEADER = ['ID', 'ADDED', 'PATIENT', 'TYPE', 'PROVIDER', 'STATUS', 'OFFERED']
    RECALL_HEADER = ['ID', 'DUE', 'PATIENT', 'PHONE', 'KIND', 'STATUS', 'REASON']
    EVERYTHING = ('--from', '2000-01-01', '--to', '2999-12-31')

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        pwfile = os.path.join(cls.class_tmp, 'pw')
        with open(pwfile, 'w') as f:
            f.write(DEMO_PASSWORD + '\n')
        proc = subprocess.run([ADMIN, 'patient', 'search', '0000', '--practice', cls.demo_dir,
                               '--user', 'frontdesk', '--password-file', pwfile],
                              env=base_env(cls.class_tmp), stdin=subprocess.DEVNULL,
                              capture_output=True, text=True, timeout=120)
        lines = proc.stdout.splitlines()
        if proc.returncode != 0 or not lines or not lines[0].startswith('MRN'):
            raise RuntimeError('patient search failed (%d): %s' % (proc.returncode, proc.stderr))
        name_at, born_at = lines[0].index('NAME'), lines[0].index('BORN')
        cls.patients = [(line[:name_at].strip(), line[name_at:born_at].strip())
                        for line in lines[1:]]

    def setUp(self):
        super().setUp()
        self.env['TZ'] = 'UTC'
        self.today = datetime.date.today()

    def day(self, days):
        return (self.today + datetime.timedelta(days=days)).isoformat()

    def waitlist(self, *extra, user='frontdesk'):
        proc = self.demo(user, 'schedule', 'waitlist', 'list', '--json', *extra)
        self.assertEqual(proc.stderr, '')
        result = json.loads(proc.stdout)
        for entry in result:
            self.assertEqual(set(entry), self.ENTRY_KEYS, entry)
            if entry['offer'] is not None:
                self.assertEqual(set(entry['offer']), self.OFFER_KEYS, entry)
        added = [datetime.datetime.fromisoformat(e['added']) for e in result]
        self.assertEqual(added, sorted(added), 'first come first served: %r' % result)
        return result

    def recalls(self, *extra, user='frontdesk'):
        proc = self.demo(user, 'schedule', 'recall', 'list', '--json', *extra)
        self.assertEqual(proc.stderr, '')
        result = json.loads(proc.stdout)
        for recall in result:
            self.assertEqual(set(recall), self.RECALL_KEYS, recall)
            self.assertEqual(recall['overdue'], recall['due'] < self.today.isoformat(), recall)
        dues = [r['due'] for r in result]
        self.assertEqual(dues, sorted(dues), 'by due date: %r' % result)
        return result

    def add_entry(self, mrn, type_name, *extra, user='frontdesk', expect=0):
        proc = self.demo(user, 'schedule', 'waitlist', 'add', '--patient', mrn,
                         '--type', type_name, *extra, expect=expect)
        if expect != 0:
            self.assertEqual(proc.stdout, '')
            return proc
        self.assertRegex(proc.stdout, r'^\d+\n$')
        self.assertEqual(proc.stderr, '')
        return int(proc.stdout)

    def add_recall(self, mrn, kind, due, *extra, user='frontdesk', expect=0):
        proc = self.demo(user, 'schedule', 'recall', 'add', '--patient', mrn, '--kind', kind,
                         '--due', due, *extra, expect=expect)
        if expect != 0:
            self.assertEqual(proc.stdout, '')
            return proc
        self.assertRegex(proc.stdout, r'^\d+\n$')
        self.assertEqual(proc.stderr, '')
        return int(proc.stdout)

    # ---- tests ----

    def test_the_demo_waitlist_and_its_offer(self):
        entries = self.waitlist()
        self.assertEqual([e['type'] for e in entries],
                         ['follow-up', 'annual-exam', 'new-patient', 'follow-up'])
        self.assertEqual(len({e['patient_mrn'] for e in entries}), 4)
        offered = [e for e in entries if e['offer'] is not None]
        self.assertEqual(len(offered), 1, entries)
        self.assertEqual(offered[0]['status'], 'offered')
        self.assertEqual(offered[0]['offer']['duration_min'], 20)
        start = datetime.datetime.fromisoformat(offered[0]['offer']['start'])
        self.assertGreater(start.date(), self.today)
        self.assertEqual({e['status'] for e in entries if e is not offered[0]}, {'waiting'})
        self.assertEqual(entries[1]['times'], '08:00-12:00')
        self.assertEqual(entries[1]['provider'], 'garcia')
        self.assertEqual(entries[2]['days'], 'mon,wed,fri')
        # The table shows the same, the offered slot by its start and provider.
        lines = self.demo('frontdesk', 'schedule', 'waitlist', 'list').stdout.splitlines()
        self.assertEqual(lines[0].split(), self.WAITLIST_HEADER)
        self.assertEqual(len(lines), 5)
        row = [l for l in lines if l.split()[0] == str(offered[0]['id'])][0]
        self.assertIn(' offered ', row)
        self.assertTrue(row.endswith(start.strftime('%Y-%m-%d %H:%M ') + offered[0]['offer']['provider']),
                        row)

    def test_the_demo_recalls(self):
        everything = self.recalls(*self.EVERYTHING)
        self.assertEqual(len(everything), 12)
        self.assertEqual({r['kind'] for r in everything},
                         {'follow-up', 'annual-exam', 'immunization', 'other'})
        self.assertEqual({r['vaccine'] for r in everything if r['kind'] == 'immunization'},
                         {'influenza', 'zoster', 'tdap_td'})
        called = [r for r in everything if r['contacts']]
        self.assertEqual(sorted(r['contacts'] for r in called), [1, 2])
        self.assertEqual({r['status'] for r in called}, {'contacted'})
        self.assertTrue(all(r['last_contact_note'] for r in called))
        # By default the overdue and the next 30 days.
        horizon = self.day(30)
        default = self.recalls()
        self.assertEqual(default, [r for r in everything if r['due'] <= horizon])
        self.assertTrue(any(r['overdue'] for r in default))
        self.assertTrue(any(not r['overdue'] for r in default))
        # The table.
        lines = self.demo('frontdesk', 'schedule', 'recall', 'list').stdout.splitlines()
        self.assertEqual(lines[0].split(), self.RECALL_HEADER)
        self.assertEqual(len(lines), len(default) + 1)
        for line, recall in zip(lines[1:], default):
            self.assertTrue(line.startswith('%d ' % recall['id']), line)
            self.assertIn(recall['due'], line)
            self.assertIn(recall['patient_name'], line)

    def test_add_to_the_waitlist(self):
        before = self.waitlist()

        def free_for(*types):
            taken = {e['patient_mrn'] for e in before if e['type'] in types}
            return [p for p in self.patients if p[0] not in taken]
        # A patient not waiting for a follow-up or a new-patient visit yet, and
        # another not waiting for an annual exam.
        a_mrn, a_name = free_for('follow-up', 'new-patient')[0]
        b_mrn = [m for m, _ in free_for('annual-exam') if m != a_mrn][0]
        first = self.add_entry(a_mrn, 'follow-up', '--provider', 'patel', '--from', self.day(1),
                               '--to', self.day(60), '--days', 'mon-wed', '--times', '09:00-12:30',
                               '--note', 'Knie – links, seit März')
        second = self.add_entry(b_mrn, 'annual-exam')
        after = self.waitlist()
        self.assertEqual(after[:len(before)], before)
        self.assertEqual([e['id'] for e in after[len(before):]], [first, second])
        entry = after[-2]
        self.assertEqual({k: entry[k] for k in ('patient_mrn', 'patient_name', 'type', 'provider',
                                                 'from', 'to', 'days', 'times', 'note', 'status',
                                                 'added_by', 'offer')},
                         {'patient_mrn': a_mrn, 'patient_name': a_name, 'type': 'follow-up',
                          'provider': 'patel', 'from': self.day(1), 'to': self.day(60),
                          'days': 'mon,tue,wed', 'times': '09:00-12:30',
                          'note': 'Knie – links, seit März', 'status': 'waiting',
                          'added_by': 'frontdesk', 'offer': None})
        self.assertIsNone(after[-1]['provider'])
        # Once is enough; unknown types, patients and providers are named.
        proc = self.add_entry(a_mrn, 'follow-up', expect=1)
        self.assert_failure_message(proc, a_name, 'already on the waitlist')
        for args, needle in (((a_mrn, 'checkup'), 'checkup'), (('99999997', 'follow-up'), '99999997'),
                             ((b_mrn, 'follow-up', '--provider', 'smith'), 'smith')):
            with self.subTest(needle=needle):
                self.assert_failure_message(self.add_entry(*args, expect=1), needle)
        # A nurse may add, as scheduling allows; it is on the audit trail.
        self.add_entry(a_mrn, 'new-patient', user='nurse')
        self.assertEqual(len(self.waitlist()), len(before) + 3)
        audit = self.demo('manager', 'audit', 'list', '--csv', '--action', 'create', raw=True)
        rows = list(csv.reader(io.StringIO(audit.stdout.decode(), newline='')))
        header = rows[0]
        created = [dict(zip(header, r)) for r in rows[1:]]
        self.assertEqual(sorted(int(r['object_id']) for r in created if r['object_type'] == 'waitlist'
                                and int(r['object_id']) > before[-1]['id']),
                         [first, second, second + 1])

    def test_recall_add_and_list(self):
        (mrn, name), = self.patients[:1]
        soon = self.add_recall(mrn, 'annual-exam', self.day(3), '--note', 'Annual physical',
                               '--provider', 'garcia')
        overdue = self.add_recall(mrn, 'follow-up', self.day(-45))
        later = self.add_recall(mrn, 'other', self.day(100), '--note', 'Repeat the X-ray')
        listed = self.recalls()
        ids = [r['id'] for r in listed]
        self.assertIn(soon, ids)
        self.assertIn(overdue, ids)
        self.assertNotIn(later, ids)
        self.assertEqual(ids[0], overdue)   # the longest overdue first
        mine = [r for r in listed if r['id'] == soon][0]
        self.assertEqual({k: mine[k] for k in ('due', 'overdue', 'patient_mrn', 'patient_name',
                                                'kind', 'reason', 'provider', 'status', 'contacts')},
                         {'due': self.day(3), 'overdue': False, 'patient_mrn': mrn,
                          'patient_name': name, 'kind': 'annual-exam', 'reason': 'Annual physical',
                          'provider': 'garcia', 'status': 'due', 'contacts': 0})
        # A range: both ends inclusive.
        self.assertEqual([r['id'] for r in self.recalls('--from', self.day(100), '--to', self.day(100))],
                         [later])
        self.assertEqual([r['id'] for r in self.recalls('--from', self.day(-45), '--to', self.day(-45))],
                         [overdue])
        self.assertIn(later, [r['id'] for r in self.recalls('--from', self.day(50))])
        self.assertEqual(len(self.recalls(*self.EVERYTHING)), 15)
        self.assertEqual(len(self.recalls(*self.EVERYTHING, '--status', 'done')), 0)
        # What the recall is for, when it is "other".
        proc = self.add_recall(mrn, 'other', self.day(5), expect=1)
        self.assert_failure_message(proc, 'what the recall is for')
        proc = self.add_recall('99999997', 'follow-up', self.day(5), expect=1)
        self.assert_failure_message(proc, '99999997')
        proc = self.add_recall(mrn, 'follow-up', self.day(5), '--provider', 'room-1', expect=1)
        self.assert_failure_message(proc, 'not a provider')
        self.assertEqual(len(self.recalls(*self.EVERYTHING)), 15)

    def test_who_may_see_and_change(self):
        (mrn, _), = self.patients[:1]
        for user in ('frontdesk', 'doctor', 'nurse', 'manager'):
            with self.subTest(user=user):
                self.assertEqual(len(self.waitlist(user=user)), 4)
                self.assertEqual(len(self.recalls(*self.EVERYTHING, user=user)), 12)
        for command in (['waitlist', 'list'], ['recall', 'list']):
            with self.subTest(command=command):
                proc = self.demo('admin', 'schedule', *command, expect=1)
                self.assert_failure_message(proc, 'not allowed', 'scheduling')
                self.assertEqual(proc.stdout, '')
        for user in ('manager', 'admin'):
            with self.subTest(user=user):
                self.assert_failure_message(self.add_entry(mrn, 'follow-up', user=user, expect=1),
                                            'not allowed')
                self.assert_failure_message(
                    self.add_recall(mrn, 'follow-up', self.day(3), user=user, expect=1), 'not allowed')
        self.assertEqual(len(self.waitlist()), 4)
        self.assertEqual(len(self.recalls(*self.EVERYTHING)), 12)

    def test_bad_usage(self):
        (mrn, _), = self.patients[:1]
        cases = [
            ['waitlist', 'add', '--patient', mrn],                                  # no --type
            ['waitlist', 'add', '--type', 'follow-up'],                             # no --patient
            ['waitlist', 'add', '--patient', mrn, '--type', 'follow-up', '--from', 'tomorrow'],
            ['waitlist', 'add', '--patient', mrn, '--type', 'follow-up', '--to', '2031-02-30'],
            ['waitlist', 'add', '--patient', mrn, '--type', 'follow-up',
             '--from', '2031-03-10', '--to', '2031-03-01'],
            ['waitlist', 'add', '--patient', mrn, '--type', 'follow-up', '--days', 'funday'],
            ['waitlist', 'add', '--patient', mrn, '--type', 'follow-up', '--times', 'mornings'],
            ['waitlist', 'add', '--patient', mrn, '--type', 'follow-up', '--appointment', '-4'],
            ['waitlist', 'add', '--patient', mrn, '--type', 'follow-up', 'extra'],
            ['waitlist', 'list', '--status', 'sleeping'],
            ['waitlist', 'list', '--bogus'],
            ['recall', 'add', '--patient', mrn, '--kind', 'follow-up'],            # no --due
            ['recall', 'add', '--patient', mrn, '--due', '2031-03-01'],           # no --kind
            ['recall', 'add', '--patient', mrn, '--kind', 'checkup', '--due', '2031-03-01'],
            ['recall', 'add', '--patient', mrn, '--kind', 'follow-up', '--due', '1 March'],
            ['recall', 'list', '--from', '2031-13-01'],
            ['recall', 'list', '--from', '2031-03-10', '--to', '2031-03-01'],
            ['recall', 'list', '--status', 'forgotten'],
        ]
        for args in cases:
            with self.subTest(args=args):
                self.assert_usage_error(self.demo('frontdesk', 'schedule', *args, expect=2))
        self.assertEqual(len(self.waitlist()), 4)
        self.assertEqual(len(self.recalls(*self.EVERYTHING)), 12)
        # The two-word groups want a command; --help lists theirs.
        for group in ('waitlist', 'recall'):
            with self.subTest(group=group):
                self.assert_usage_error(self.run_admin('schedule', group, expect=2))
                proc = self.run_admin('schedule', group, 'frobnicate', expect=2)
                self.assert_usage_error(proc)
                self.assertIn('frobnicate', proc.stderr)
                proc = self.run_admin('schedule', group, '--help')
                self.assertIn('charta-admin schedule %s COMMAND' % group, proc.stdout)
                self.assertIn('schedule %s add ' % group, proc.stdout)
                self.assertIn('schedule %s list ' % group, proc.stdout)
                self.assertNotIn('find-slot', proc.stdout)


# ---- documents -----------------------------------------------------------------


def find_pdf():
    """A PDF that Debian ships, to import as a real-world file."""
    for root, _, files in os.walk('/usr/share'):
        for name in sorted(files):
            if name.endswith('.pdf'):
                path = os.path.join(root, name)
                if os.path.isfile(path) and 0 < os.path.getsize(path) < 20 * 1024 * 1024:
                    return path
    return None


def tiny_png():
    """A valid 1×1 PNG."""
    import struct
    import zlib

    def chunk(kind, data):
        body = kind + data
        return struct.pack('>I', len(data)) + body + struct.pack('>I', zlib.crc32(body))
    return (b'\x89PNG\r\n\x1a\n'
            + chunk(b'IHDR', struct.pack('>IIBBBBB', 1, 1, 8, 2, 0, 0, 0))
            + chunk(b'IDAT', zlib.compress(b'\x00\xff\x00\x00'))
            + chunk(b'IEND', b''))


class DocTests(DemoPracticeTestCase):
    """doc import, list and export: encrypted at rest, byte-identical out,
    one failing file reported while the others go in, permissions."""

    MRN = PatientTests.demo_mrn(1)
    OTHER_MRN = PatientTests.demo_mrn(2)
    MARKER = 'Referral letter: unmistakable marker 7f3a'

    def files(self):
        pdf = find_pdf()
        self.assertIsNotNone(pdf, 'no PDF under /usr/share')
        png = os.path.join(self.tmp, 'scan.png')
        with open(png, 'wb') as f:
            f.write(tiny_png())
        letter = self.write('letter.txt', (self.MARKER + '\n') * 5000)
        return [pdf, png, letter]

    def import_files(self, *files, user='doctor', extra=(), expect=0):
        return self.demo(user, 'doc', 'import', '--patient', self.MRN, *extra, *files,
                         expect=expect)

    def listing(self, user='doctor', mrn=None, extra=()):
        proc = self.demo(user, 'doc', 'list', '--patient', mrn or self.MRN, '--json', *extra)
        return json.loads(proc.stdout)

    def test_import_list_export(self):
        files = self.files()
        proc = self.import_files(*files, extra=['--category', 'referral', '--date', '2026-01-02',
                                                '--tags', 'cardiology, urgent'])
        ids = [int(line) for line in proc.stdout.split()]
        self.assertEqual(len(ids), 3)
        self.assertEqual(len(set(ids)), 3)

        docs = {d['id']: d for d in self.listing()}
        self.assertEqual(set(docs), set(ids))
        types = [docs[i]['content_type'] for i in ids]
        self.assertEqual(types, ['application/pdf', 'image/png', 'text/plain'])
        for i, path in zip(ids, files):
            self.assertEqual(docs[i]['title'], os.path.basename(path))
            self.assertEqual(docs[i]['size'], os.path.getsize(path))
            self.assertEqual(docs[i]['category'], 'referral')
            self.assertEqual(docs[i]['date'], '2026-01-02')
            self.assertEqual(docs[i]['tags'], ['cardiology', 'urgent'])
            self.assertEqual(docs[i]['status'], 'current')
            self.assertEqual(docs[i]['created_by'], 'doctor')

        table = self.demo('doctor', 'doc', 'list', '--patient', self.MRN).stdout.splitlines()
        self.assertTrue(table[0].startswith('ID'), table)
        self.assertEqual(len(table), 4)
        for path in files:
            self.assertIn(os.path.basename(path), '\n'.join(table))
        # Another patient's chart has none of them.
        self.assertEqual(self.listing(mrn=self.OTHER_MRN), [])

        for i, path in zip(ids, files):
            out = os.path.join(self.tmp, 'out-%d' % i)
            self.demo('doctor', 'doc', 'export', str(i), out)
            with open(out, 'rb') as a, open(path, 'rb') as b:
                self.assertEqual(a.read(), b.read())
            self.assertEqual(os.stat(out).st_mode & 0o777, 0o600)

        audit = self.demo('admin', 'audit', 'list', '--action', 'export').stdout
        self.assertEqual(audit.count('document'), 3)

    def test_encrypted_at_rest_and_stored_once(self):
        letter = self.files()[2]
        first = self.import_files(letter).stdout.split()
        second = self.import_files(letter, extra=['--title', 'Copy']).stdout.split()
        self.assertNotEqual(first, second)
        docs = os.path.join(self.practice, 'documents')
        blobs = [os.path.join(root, f) for root, _, fs in os.walk(docs) for f in fs]
        self.assertEqual(len(blobs), 1, blobs)
        with open(letter, 'rb') as f:
            plain = f.read()
        names = {hashlib.sha256(plain).hexdigest(), hashlib.blake2b(plain, digest_size=32).hexdigest()}
        for path in blobs:
            self.assertNotIn(os.path.basename(path), names)
            with open(path, 'rb') as f:
                data = f.read()
            self.assertNotIn(b'unmistakable marker', data)
            self.assertEqual(os.stat(path).st_mode & 0o077, 0)

    def test_one_bad_file_does_not_stop_the_others(self):
        pdf, png, letter = self.files()
        missing = os.path.join(self.tmp, 'missing-scan.pdf')
        proc = self.import_files(pdf, missing, letter, expect=1)
        self.assertEqual(len(proc.stdout.split()), 2)
        self.assert_failure_message(proc, 'missing-scan.pdf')
        self.assertEqual(len(self.listing()), 2)

        # A folder is no file; two failures, two lines, each with its name.
        folder = os.path.join(self.tmp, 'a-folder')
        os.mkdir(folder)
        proc = self.import_files(folder, png, missing, expect=1)
        self.assertEqual(len(proc.stdout.split()), 1)
        lines = proc.stderr.strip().splitlines()
        self.assertEqual(len(lines), 2, proc.stderr)
        self.assertIn('a-folder', lines[0])
        self.assertIn('missing-scan.pdf', lines[1])

        if os.geteuid() != 0:
            secret = self.write('unreadable.pdf', 'x')
            os.chmod(secret, 0)
            self.assert_failure_message(self.import_files(secret, expect=1), 'unreadable.pdf')

    def test_bad_patient_or_document(self):
        letter = self.files()[2]
        proc = self.demo('doctor', 'doc', 'import', '--patient', '99999997', letter, expect=1)
        self.assert_failure_message(proc, '99999997')
        proc = self.demo('doctor', 'doc', 'list', '--patient', '99999997', expect=1)
        self.assert_failure_message(proc, '99999997')
        proc = self.demo('doctor', 'doc', 'export', '4242', os.path.join(self.tmp, 'o'), expect=1)
        self.assert_failure_message(proc, '4242')
        self.assertFalse(os.path.exists(os.path.join(self.tmp, 'o')))

    def test_missing_blob_is_named(self):
        letter = self.files()[2]
        keep, lose = (int(i) for i in self.import_files(
            letter, self.write('other.txt', 'another letter\n')).stdout.split())
        docs = os.path.join(self.practice, 'documents')
        blobs = sorted((os.path.getsize(os.path.join(root, f)), os.path.join(root, f))
                       for root, _, fs in os.walk(docs) for f in fs)
        os.unlink(blobs[0][1])  # the small one: other.txt
        out = os.path.join(self.tmp, 'o')
        proc = self.demo('doctor', 'doc', 'export', str(lose), out, expect=1)
        self.assert_failure_message(proc, 'other.txt', 'missing', str(lose))
        self.assertFalse(os.path.exists(out))
        self.assertEqual(len(self.listing()), 2)
        self.demo('doctor', 'doc', 'export', str(keep), out)

    def test_usage_errors(self):
        letter = self.files()[2]
        cases = [
            ['doc', 'import', letter],                                           # no --patient
            ['doc', 'import', '--patient', self.MRN],                            # no FILE
            ['doc', 'import', '--patient', self.MRN, '--category', 'letters', letter],
            ['doc', 'import', '--patient', self.MRN, '--date', '02/01/2026', letter],
            ['doc', 'list'],
            ['doc', 'list', '--patient', self.MRN, 'extra'],
            ['doc', 'export', '1'],
            ['doc', 'export', 'one', os.path.join(self.tmp, 'o')],
            ['doc', 'export', '1', 'a', 'b'],
        ]
        for args in cases:
            with self.subTest(args=args):
                self.assert_usage_error(self.demo('doctor', *args, expect=2))
        self.assert_usage_error(self.run_admin('doc', expect=2))
        for command in ('import', 'list', 'export'):
            proc = self.run_admin('doc', command, '--help')
            self.assertIn('charta-admin doc %s' % command, proc.stdout)

    def test_permissions(self):
        letter = self.files()[2]
        ids = self.import_files(letter).stdout.split()
        for user in ('frontdesk', 'manager', 'admin'):
            with self.subTest(user=user):
                proc = self.import_files(letter, user=user, expect=1,
                                         extra=['--category', 'referral'])
                self.assert_failure_message(proc, 'not allowed')
                proc = self.demo(user, 'doc', 'export', ids[0], os.path.join(self.tmp, 'o'),
                                 expect=1)
                self.assert_failure_message(proc, 'not allowed')
                self.assertFalse(os.path.exists(os.path.join(self.tmp, 'o')))
        # The front desk files ID and insurance cards, and sees only those.
        card = self.import_files(self.files()[1], user='frontdesk',
                                 extra=['--category', 'id-card', '--title', 'Insurance card'])
        card_id = int(card.stdout)
        self.assertEqual([d['id'] for d in self.listing(user='frontdesk')], [card_id])
        self.assertEqual(len(self.listing(user='nurse')), 2)
        proc = self.demo('admin', 'doc', 'list', '--patient', self.MRN, expect=1)
        self.assert_failure_message(proc, 'not allowed')


# ---- demo and what lies on disk ------------------------------------------------------------


class DemoTests(CliTestCase):
    """demo makes a deterministic practice and tells how to use it; none of
    its files holds anything readable."""

    def make_demo(self, name, *extra, expect=0):
        practice = os.path.join(self.tmp, name)
        proc = self.run_admin('demo', '--practice', practice, *extra, expect=expect)
        return practice, proc

    def test_demo_output_and_determinism(self):
        first, proc1 = self.make_demo('one', '--patients', '3', '--seed', '42')
        second, proc2 = self.make_demo('two', '--patients', '3', '--seed', '42')
        for proc, practice in ((proc1, first), (proc2, second)):
            self.assertIn(practice, proc.stdout)
            self.assertIn(DEMO_PASSWORD, proc.stdout)
            for user, role in DEMO_USERS.items():
                self.assertRegex(proc.stdout, r'(?m)^%s +%s +%s' % (user, role, DEMO_PASSWORD))
            self.assertIsNotNone(RECOVERY_RE.search(proc.stdout))

        def users_table(text):
            return [l for l in text.splitlines()
                    if l.split()[:1] and l.split()[0] in DEMO_USERS]
        self.assertEqual(users_table(proc1.stdout), users_table(proc2.stdout))
        self.assertEqual(self.users(first), self.users(second))
        # Each practice has a key of its own.
        self.assertNotEqual(RECOVERY_RE.search(proc1.stdout).group(1),
                            RECOVERY_RE.search(proc2.stdout).group(1))

    def test_demo_into_existing_practice_fails(self):
        practice, _ = self.make_demo('one', '--patients', '1')
        before = snapshot(practice)
        _, proc = self.make_demo('one', '--patients', '1', expect=1)
        self.assert_failure_message(proc)
        self.assertEqual(snapshot(practice), before)

    def test_demo_from_environment(self):
        practice = os.path.join(self.tmp, 'env')
        self.run_admin('demo', '--patients', '1', env={'CHARTA_PRACTICE': practice})
        self.assertTrue(self.can_log_in(practice, 'nurse', DEMO_PASSWORD))

    def test_no_plaintext_on_disk(self):
        practice, proc = self.make_demo('plain', '--patients', '50', '--seed', '3')
        # Work in it a little so that journals and WAL files exist too.
        self.as_user(practice, 'admin', DEMO_PASSWORD, 'user', 'add', 'zed', '--role', 'nurse',
                     '--display-name', 'Zebulon Quixotic-Nightingale',
                     '--new-password-file', self.write('np', 'zed password 1\n'))
        self.as_user(practice, 'admin', DEMO_PASSWORD, 'audit', 'list', '--csv')
        names = {display for _, _, display in self.users(practice).values() if len(display) >= 4}
        self.assertIn('Zebulon Quixotic-Nightingale', names)

        needles = [b'SQLite format 3', DEMO_PASSWORD.encode(), b'zed password 1',
                   b'CREATE TABLE']
        needles += [n.encode() for n in names]
        files = [os.path.join(root, f) for root, _, fs in os.walk(practice) for f in fs]
        self.assertIn(os.path.join(practice, 'charta.db'), files)
        for path in files:
            with open(path, 'rb') as f:
                data = f.read()
            for needle in needles:
                self.assertNotIn(needle, data, '%r in %s' % (needle, path))
                self.assertNotIn(needle.decode().encode('utf-16-le'), data)
            if shutil.which('strings'):
                text = subprocess.run(['strings', '-a', '-n', '6', path], capture_output=True,
                                      text=True, errors='replace').stdout
                for needle in needles:
                    self.assertNotIn(needle.decode(), text, path)


def main():
    global ADMIN
    if len(sys.argv) < 2:
        sys.exit('usage: test_cli.py CHARTA_ADMIN [unittest arguments]')
    ADMIN = os.path.abspath(sys.argv.pop(1))
    if not os.access(ADMIN, os.X_OK):
        sys.exit('not an executable: %s' % ADMIN)
    unittest.main(verbosity=2)


if __name__ == '__main__':
    main()
