#!/usr/bin/python3
# The desktop app, unchanged, against two confabd instances (A and B) on one
# PostgreSQL database and one Redis, behind HAProxy (issue #9): both apps
# know only the proxy's address.
#
# Which instance an app lands on is the proxy's choice, so the test makes
# it, through HAProxy's runtime API, as an operator draining a server
# would: only A takes new connections while Alice signs up, shares her
# project and invites Bob; only B while Bob signs up and joins; then both
# again. Connections already open stay where they are. Each instance logs
# who signs in on it (G_MESSAGES_DEBUG=confabd), and the test checks that
# Alice is on A and Bob on B before going on, so everything between them
# crosses instances: the chat so far, written on A, as Bob joins on B; then
# through Redis, live, "is typing…", their messages both ways and the
# model replies streamed by the other side.
#
# Then A is killed (-9). Alice's app reconnects by itself through the proxy,
# now to B (the offline banner shows briefly or not at all), resumes from
# the last seq it had, and a message she sends reaches Bob once: one row in
# his chat, one in his store, both stores holding the same conversation.
#
# Runs inside tests/server/run-with-services.sh (CONFAB_TEST_PG,
# CONFAB_TEST_REDIS); skips without them or without haproxy. Screenshots
# are kept as rooms-cluster-*.png.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import csv
import importlib.util
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request


def skip(reason):
    print('1..0 # SKIP %s' % reason, flush=True)
    sys.exit(0)


HAPROXY = shutil.which('haproxy', path=os.environ.get('PATH', '') + ':/usr/sbin:/usr/local/sbin')
if not os.environ.get('CONFAB_TEST_PG') or not os.environ.get('CONFAB_TEST_REDIS'):
    skip('needs tests/server/run-with-services.sh (PostgreSQL and Redis)')
if HAPROXY is None:
    skip('haproxy is not installed')


def quiet_accessibility_bus():
    """meson reads this test's output as TAP, and the AT-SPI registry, which
    the session bus starts on demand with the bus's stdout (ours), greets on
    it. So the accessibility bus is started here first, its output going to
    stderr; without its launcher, the line stays (meson only warns)."""
    try:
        with open('/usr/share/dbus-1/services/org.a11y.Bus.service', errors='replace') as f:
            launcher = re.search(r'^Exec=(\S+)', f.read(), re.MULTILINE).group(1)
    except (OSError, AttributeError):
        return
    if not os.access(launcher, os.X_OK):
        return
    subprocess.Popen([launcher, '--launch-immediately'], stdin=subprocess.DEVNULL,
                     stdout=sys.stderr)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            out = subprocess.run(['gdbus', 'call', '--session', '--dest', 'org.freedesktop.DBus',
                                  '--object-path', '/org/freedesktop/DBus', '--method',
                                  'org.freedesktop.DBus.NameHasOwner', 'org.a11y.Bus'],
                                 capture_output=True, text=True, timeout=10).stdout
        except (OSError, subprocess.TimeoutExpired):
            return
        if 'true' in out:
            return
        time.sleep(0.1)


# Before pyatspi (confabui) asks for the bus.
quiet_accessibility_bus()

import confabui  # noqa: E402
from confabui import FakeProvider, TestFailure, log, wait_for  # noqa: E402


def load_rooms():
    """test-rooms.py's helpers (sign-up, invite, join, send…), as a module."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'test-rooms.py')
    spec = importlib.util.spec_from_file_location('confab_test_rooms', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rooms = load_rooms()
MODEL = rooms.MODEL
OFFLINE = 'Offline — reconnecting…'


def screenshot(app, name):
    app.raise_window()
    time.sleep(0.3)
    confabui.screenshot('rooms-cluster', name, window=app.window_id())


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status == 200
    except Exception:
        return False


def new_database():
    """A fresh database on run-with-services.sh's PostgreSQL; its URI."""
    admin = os.environ['CONFAB_TEST_PG']
    psql = shutil.which('psql') or os.path.join(os.environ.get('CONFAB_TEST_PG_BIN', ''), 'psql')
    name = 'confab_ui_cluster_%d_%d' % (os.getpid(), int(time.time()))
    subprocess.run([psql, '-q', '-v', 'ON_ERROR_STOP=1', '-c', 'CREATE DATABASE %s' % name,
                    admin], check=True, stdout=subprocess.DEVNULL)
    return admin.rsplit('/', 1)[0] + '/' + name


class Instance(rooms.Confabd):
    """One confabd of the cluster, logging who signs in and joins."""

    def __init__(self, name, work_dir, store):
        self.name = name
        data_dir = os.path.join(work_dir, 'instance-' + name)
        os.makedirs(data_dir)
        super().__init__(data_dir,
                         args=['--store', store, '--redis', os.environ['CONFAB_TEST_REDIS']],
                         env=dict(os.environ, G_MESSAGES_DEBUG='confabd'), name=name,
                         log_path=os.path.join(work_dir, 'confabd-%s.log' % name))

    def count(self, pattern):
        """Lines of the log matching a regular expression."""
        return len(re.findall(pattern, self.log_text(), re.MULTILINE))

    def signed_in(self, user):
        return self.count(r': signed in as %s$' % user)

    def joins(self, user):
        """The seq each join of the user's resumed from."""
        return [int(since) for since in
                re.findall(r': %s joined \S+ since (\d+)' % user, self.log_text())]

    def joined(self, user):
        return len(self.joins(user))


class Proxy:
    """HAProxy over the instances as tests/server/confabd-test-cluster.c
    runs it (round robin, /health every 200 ms, redispatch), plus a runtime
    API socket to take servers in and out of rotation."""

    def __init__(self, work_dir, instances):
        self.names = [i.name for i in instances]
        self.socket_path = os.path.join(work_dir, 'haproxy.sock')
        self.log_path = os.path.join(work_dir, 'haproxy.log')
        config_path = os.path.join(work_dir, 'haproxy.cfg')
        servers = ''.join('  server %s 127.0.0.1:%d check inter 200ms fall 1 rise 1\n'
                          % (i.name, i.port) for i in instances)
        for attempt in range(5):
            self.port = free_port()
            with open(config_path, 'w') as f:
                f.write('global\n'
                        '  maxconn 2048\n'
                        '  stats socket %s mode 600 level admin\n'
                        'defaults\n'
                        '  mode http\n'
                        '  timeout connect 1s\n'
                        '  timeout client 60s\n'
                        '  timeout server 60s\n'
                        '  timeout tunnel 1h\n'
                        '  option redispatch\n'
                        '  retries 3\n'
                        'frontend confab\n'
                        '  bind 127.0.0.1:%d\n'
                        '  default_backend confabd\n'
                        'backend confabd\n'
                        '  balance roundrobin\n'
                        '  option httpchk GET /health\n'
                        '  http-check expect status 200\n'
                        '%s' % (self.socket_path, self.port, servers))
            with open(self.log_path, 'a') as log_file:
                self.proc = subprocess.Popen([HAPROXY, '-db', '-f', config_path],
                                             stdout=log_file, stderr=subprocess.STDOUT)
            self.url = 'http://127.0.0.1:%d' % self.port
            try:
                wait_for(lambda: self.proc.poll() is not None or
                         (http_ok(self.url + '/health') and os.path.exists(self.socket_path)),
                         'HAProxy to answer', timeout=30)
            except TestFailure:
                self.stop()
                raise TestFailure('HAProxy did not start:\n' + self.log_text())
            if self.proc.poll() is None:
                log('HAProxy at %s' % self.url)
                return
            # The port was taken meanwhile: another one.
        raise TestFailure('HAProxy did not start:\n' + self.log_text())

    def log_text(self):
        try:
            with open(self.log_path, errors='replace') as f:
                return f.read()
        except OSError:
            return ''

    def command(self, line):
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(10)
            sock.connect(self.socket_path)
            sock.sendall(line.encode() + b'\n')
            chunks = []
            while True:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
        return b''.join(chunks).decode(errors='replace')

    def states(self):
        """{server: status} as HAProxy sees them: UP, DOWN, MAINT…"""
        rows = csv.reader(self.command('show stat').lstrip('# ').splitlines())
        header = next(rows)
        sv, px, status = header.index('svname'), header.index('pxname'), header.index('status')
        return {row[sv]: row[status] for row in rows
                if len(row) > status and row[px] == 'confabd' and row[sv] in self.names}

    def route_to(self, *names):
        """New connections go to these servers only (the others drain:
        their open connections stay); waits until the proxy says so and
        answers."""
        for name in self.names:
            reply = self.command('set server confabd/%s state %s'
                                 % (name, 'ready' if name in names else 'maint'))
            if reply.strip():
                raise TestFailure('HAProxy: %s' % reply.strip())
        wanted = {name: ('UP' if name in names else 'MAINT') for name in self.names}
        wait_for(lambda: self.states() == wanted and http_ok(self.url + '/health'),
                 'HAProxy to route to %s only (%r)' % (', '.join(names), wanted), timeout=30)
        log('HAProxy routes to %s' % ', '.join(names))

    def stop(self):
        confabui.stop_process(self.proc)


def conversation(app):
    """The shared chat's main line in the app's store."""
    return [r[0] for r in rooms.query(app, "SELECT m.content FROM messages m "
                                           "JOIN chats c ON c.id = m.chat_id "
                                           "JOIN projects p ON p.id = c.project_id "
                                           "WHERE p.name = 'Team' AND m.parent_id IS NULL "
                                           "ORDER BY m.id")]


def streaming(app):
    return rooms.query(app, "SELECT count(*) FROM messages WHERE status = 'streaming'")[0][0]


def wait_conversation(alice, bob, expected):
    """Both stores hold exactly this, every reply ended."""
    try:
        wait_for(lambda: conversation(alice) == expected and conversation(bob) == expected and
                 streaming(alice) == 0 and streaming(bob) == 0,
                 'both stores to hold the conversation', timeout=60)
    except TestFailure:
        log('alice: %r\nbob: %r' % (conversation(alice), conversation(bob)))
        raise


def message_rows(app, text):
    """The chat's rows showing exactly this text (not a reply quoting it)."""
    rows = []
    for item in app.find_all('list item'):
        if app.find_all('label', text, root=item):
            rows.append(item)
    return len(rows)


def where(instances, user):
    return {i.name: i.signed_in(user) for i in instances}


def check_placement(a, b):
    """Alice's sessions on A only, Bob's on B only."""
    alice, bob = where((a, b), 'alice'), where((a, b), 'bob')
    log('sign-ins per instance: alice %r, bob %r' % (alice, bob))
    if not (alice['a'] > 0 and alice['b'] == 0 and bob['b'] > 0 and bob['a'] == 0):
        raise TestFailure('Alice and Bob are not on A and B: alice %r, bob %r' % (alice, bob))


def test_rooms_cluster(apps):
    confabui.start_keyring()
    work = rooms.scratch_dir('cluster-')
    # A Redis without an earlier attempt's presence and counters.
    subprocess.run(['redis-cli', '-p', os.environ['CONFAB_TEST_REDIS_PORT'], 'flushall'],
                   check=True, stdout=subprocess.DEVNULL)
    store = new_database()
    instances = []
    proxy = fake = None
    try:
        # One after the other: the first migrates the new database.
        instances.append(Instance('a', work, store))
        instances.append(Instance('b', work, store))
        proxy = Proxy(work, instances)
        fake = FakeProvider([MODEL], delay=60)
        run(apps, instances, proxy, fake)
    except Exception:
        subprocess.run(['import', '-window', 'root',
                        confabui.artifact('rooms-cluster-failure.png')])
        for instance in instances:
            log('--- confabd %s log ---' % instance.name)
            log(instance.log_text()[-8000:])
        if proxy is not None:
            log('--- HAProxy log ---')
            log(proxy.log_text()[-3000:])
        raise
    finally:
        if proxy is not None:
            proxy.stop()
        for instance in instances:
            instance.stop()
        if fake is not None:
            fake.stop()


def run(apps, instances, proxy, fake):
    a, b = instances
    provider = fake.openai_env()
    confabui.set_default_model('openai:' + MODEL)
    bob_env = rooms.make_home('bob')
    bob_env.update(provider)
    confabui.set_default_model('openai:' + MODEL, env=dict(os.environ, **bob_env))

    # 1. Alice through the proxy, which sends her to A: an account, a
    # project with a chat and a model's reply, shared, an invite.
    proxy.route_to('a')
    alice = confabui.start_app(apps, 'alice', extra_env=provider)
    rooms.sign_up(alice, proxy.url, 'alice')
    alice.click('push button', 'New Project')
    dialog = alice.dialog('New Project')
    alice.type_into_dialog(dialog, 'Team')
    alice.click('push button', 'Create', root=dialog)
    alice.find('label', 'Team', inside='list item')
    alice.key('ctrl+n')
    rooms.send(alice, 'hello from A')
    rooms.shows(alice, 'Echo from %s: hello from A' % MODEL)

    alice.context_menu(lambda: alice.find('label', 'Team', inside='list item'),
                       'Share Project…')
    dialog = alice.dialog('Share “Team”?')
    alice.click('push button', 'Share', root=dialog)
    alice.find('image', 'Shared project', inside='list item')
    wait_for(lambda: rooms.query(alice, "SELECT room_id FROM projects WHERE name = 'Team' "
                                        "AND room_id IS NOT NULL"),
             'the project to be bound to its room')
    code = rooms.create_invite(alice)
    wait_for(lambda: a.joined('alice') > 0, 'Alice in her room on A')

    # 2. Bob through the proxy, which now sends him to B: joins with the
    # code and sees the chat so far (written on A).
    proxy.route_to('b')
    bob = confabui.start_app(apps, 'bob', extra_env=bob_env,
                             args=['--gapplication-app-id', rooms.SECOND_APP_ID])
    rooms.sign_up(bob, proxy.url, 'bob')
    rooms.join(bob, code)
    bob.find('image', 'Shared project', inside='list item')
    rooms.shows(bob, 'hello from A')
    rooms.shows(bob, 'Echo from %s: hello from A' % MODEL)
    wait_for(lambda: b.joined('bob') > 0, 'Bob in the room on B')
    proxy.route_to('a', 'b')
    check_placement(a, b)
    screenshot(bob, 'joined')

    # 3. Live between the instances: Bob types (Alice sees it), sends;
    # Alice sees his message and his model's reply; Bob sees hers.
    rooms.wait_toasts_gone(bob, 'Signed in to', 'You joined “Team”')
    rooms.type_in_composer(bob, 'hello from B')
    alice.find('label', 'bob is typing…', timeout=30)
    bob.key('Return')
    rooms.shows(alice, 'hello from B')
    rooms.shows(alice, 'Echo from %s: hello from B' % MODEL)
    alice.wait_gone('label', 'bob is typing…', timeout=30)
    rooms.send(alice, 'a question for the model')
    rooms.shows(bob, 'a question for the model')
    rooms.shows(bob, 'Echo from %s: a question for the model' % MODEL)
    expected = ['hello from A', 'Echo from %s: hello from A' % MODEL,
                'hello from B', 'Echo from %s: hello from B' % MODEL,
                'a question for the model', 'Echo from %s: a question for the model' % MODEL]
    wait_conversation(alice, bob, expected)
    screenshot(alice, 'live-alice')
    screenshot(bob, 'live-bob')
    # Nobody moved meanwhile: all of that went through Redis.
    check_placement(a, b)

    # 4. A dies. Alice's app goes back through the proxy, to B, and joins
    # her room again there.
    a.kill()
    killed = time.monotonic()
    wait_for(lambda: b.signed_in('alice') > 0 and b.joined('alice') > 0,
             'Alice to sign in and join again on B', timeout=90)
    log('Alice back on B after %.1f s, joining since %r' % (time.monotonic() - killed,
                                                             b.joins('alice')))
    # Resumed from what her app had, not from the start.
    if 0 in b.joins('alice'):
        raise TestFailure('Alice joined again on B from seq 0: %r' % b.joins('alice'))
    alice.wait_gone('label', OFFLINE, timeout=60)
    log('no offline banner on Alice %.1f s after the kill' % (time.monotonic() - killed))
    if not bob.running() or bob.find_all('label', OFFLINE):
        raise TestFailure('Bob, on B, went offline when A died')

    rooms.send(alice, 'after the failover')
    rooms.shows(bob, 'after the failover')
    rooms.shows(bob, 'Echo from %s: after the failover' % MODEL)
    rooms.shows(alice, 'Echo from %s: after the failover' % MODEL)
    if rooms.text_of(rooms.composer(alice)) != '':
        raise TestFailure('the composer was not cleared after sending')
    expected += ['after the failover', 'Echo from %s: after the failover' % MODEL]
    wait_conversation(alice, bob, expected)
    # Once in Bob's chat, and in Alice's.
    for app, name in ((bob, 'Bob'), (alice, 'Alice')):
        for text in ('after the failover', 'Echo from %s: after the failover' % MODEL,
                     'hello from B'):
            count = message_rows(app, text)
            if count != 1:
                raise TestFailure('%s sees %d rows with %r, not one' % (name, count, text))
    if alice.find_all('label', OFFLINE):
        raise TestFailure('Alice still shows the offline banner')
    screenshot(alice, 'failover-alice')
    screenshot(bob, 'failover-bob')

    for app in (alice, bob):
        rooms.quit_app(app)


confabui.run([test_rooms_cluster], late_plan=True)
