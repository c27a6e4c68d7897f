#!/usr/bin/python3
# Shared projects between desktops: app instances with their own homes
# (stores, settings, sessions) in one X server and D-Bus session, a real
# confabd and the fake provider. Alice meets the sign-in dialog's errors
# (wrong password, no server, registration closed), creates her account,
# chats with a model, shares the project and invites Bob; Bob creates his
# account, joins with the code and sees the chat; they write to each other
# live (with "is typing…"), Bob sees Alice's model reply arrive; Carol joins
# as a viewer and cannot write; the members list shows who is online.
# Killing confabd shows the offline banner (and a message written meanwhile
# stays in the composer); restarting it on the same port and data makes the
# banner go, and the message then sent reaches the other side. A new chat
# shows up on the other side; Bob's session survives a restart of his app;
# signed out, the shared project is read-only. Screenshots are kept.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import signal
import socket
import sqlite3
import subprocess
import tempfile
import time

import pyatspi

import confabui
from confabui import FakeProvider, TestFailure, log, wait_for

MODEL = 'fake-one'
PASSWORD = 'correct horse battery'
# The second instance runs beside the first under its own application id.
SECOND_APP_ID = 'io.github.confab.Confab.Second'
THIRD_APP_ID = 'io.github.confab.Confab.Third'


def screenshot(app, name, root=False):
    """The app's main window, raised above the other one first; root: the
    screen as it is, for what has windows of its own (dialogs, popovers:
    raising the main window would hide them, there is no window manager)."""
    if not root:
        app.raise_window()
    time.sleep(0.3)
    confabui.screenshot('rooms', name, window='root' if root else app.window_id())


class Confabd:
    """confabd --allow-register on 127.0.0.1, killed and restarted on the
    same port and data directory. args: more options (a store, Redis);
    env: its environment; name: for the log lines, when there are several."""

    def __init__(self, data_dir, allow_register=True, args=(), env=None, name=None,
                 log_path=None):
        self.data_dir = data_dir
        self.allow_register = allow_register
        self.args = list(args)
        self.env = env
        self.what = 'confabd %s' % name if name else 'confabd'
        self.port = 0
        self.proc = None
        self.log_path = log_path or os.path.join(data_dir, 'confabd.log')
        self.start()

    def start(self):
        deadline = time.monotonic() + 20
        while True:
            log_file = open(self.log_path, 'a')
            self.proc = subprocess.Popen([os.environ['CONFAB_CONFABD'],
                                          '--listen', '127.0.0.1:%d' % self.port,
                                          '--data-dir', self.data_dir]
                                         + (['--allow-register'] if self.allow_register else [])
                                         + self.args,
                                         stdout=subprocess.PIPE, stderr=log_file, text=True,
                                         env=self.env)
            log_file.close()
            line = self.proc.stdout.readline()
            match = re.search(r'listening on (http://127\.0\.0\.1:(\d+))', line)
            if match:
                self.url = match.group(1)
                self.port = int(match.group(2))
                log('%s listening on %s' % (self.what, self.url))
                return
            self.proc.wait()
            # The port of the killed one may take a moment to be free.
            if time.monotonic() > deadline:
                raise TestFailure('%s did not start: %r\n%s' % (self.what, line, self.log_text()))
            time.sleep(0.2)

    def kill(self):
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()
        log('%s killed' % self.what)

    def stop(self):
        confabui.stop_process(self.proc)

    def log_text(self):
        try:
            with open(self.log_path, errors='replace') as f:
                return f.read()
        except OSError:
            return ''


def make_home(name):
    """HOME and XDG directories for the second app, removed with the test's."""
    root = tempfile.mkdtemp(prefix=name + '-', dir=os.path.dirname(os.environ['HOME']))
    env = {}
    for var, sub in (('HOME', 'home'), ('XDG_DATA_HOME', 'data'), ('XDG_CONFIG_HOME', 'config'),
                     ('XDG_CACHE_HOME', 'cache'), ('XDG_RUNTIME_DIR', 'runtime')):
        path = os.path.join(root, sub)
        os.makedirs(path, mode=0o700)
        env[var] = path
    return env


def query(app, sql, params=()):
    path = os.path.join(app.env['XDG_DATA_HOME'], 'confab', 'confab.db')
    db = sqlite3.connect('file:%s?mode=ro' % path, uri=True)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def text_of(acc):
    text = acc.queryText()
    return text.getText(0, text.characterCount)


def set_text(app, root, name, value):
    entry = app.find('text', name, root=root)
    entry.queryEditableText().setTextContents(value)
    wait_for(lambda: text_of(entry) == value, 'the %r field to hold %r' % (name, value))


def menu(app, item):
    app.click('push button', 'Main Menu')
    app.click('menu item', item)


def dialog_gone(app, heading):
    def gone():
        root = app.accessible()
        for i in range(root.childCount):
            window = root.getChildAtIndex(i)
            if window is not None and window.getRoleName() in ('dialog', 'alert') and \
               app.find_all('label', heading, root=window):
                return False
        return True
    wait_for(gone, 'the dialog %r to close' % heading)


def fill_sign_in(app, dialog, server, user):
    set_text(app, dialog, 'Server Address', server)
    set_text(app, dialog, 'User Name', user)
    set_text(app, dialog, 'Password', PASSWORD)


def sign_in_fails(app, dialog, button, message):
    """The dialog stays, saying why, and lets the user try again."""
    app.click('push button', button, root=dialog)
    app.find('label', contains=message, root=dialog, timeout=30)
    wait_for(lambda: confabui.is_sensitive(app.find('push button', button, root=dialog)),
             '%s to be clickable again' % button)


def sign_up(app, server, user, dialog=None):
    """Creates the account in the sign-in dialog, as a new user would."""
    if dialog is None:
        menu(app, 'Sign In to a Server…')
        dialog = app.dialog('Sign In to a Server')
        fill_sign_in(app, dialog, server, user)
    app.click('push button', 'Create Account', root=dialog)
    dialog_gone(app, 'Sign In to a Server')
    app.find('label', contains='Signed in to %s as %s' % (server, user))


def closed_port_url():
    """An address where nothing listens."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    return 'http://127.0.0.1:%d' % port


def quit_app(app):
    app.key('ctrl+q')
    try:
        status = app.wait_exit()
    except TestFailure:
        # A modal dialog left open swallows the keys, for one.
        log('the app is still running after Ctrl+Q; its windows: %r' % [
            (w.getRoleName(), w.name) for w in [app.accessible().getChildAtIndex(i)
                                               for i in range(app.accessible().childCount)]
            if w is not None])
        raise
    if status != 0:
        raise TestFailure('the app exited with status %d' % status)
    app.check_log()


def close_members(app):
    app.click('push button', 'Members')
    app.wait_gone('list item', contains=', online')


def create_invite(app, role=None, screenshot_name=None):
    """Invite People from the main menu; the code as the dialog shows it."""
    menu(app, 'Invite People…')
    dialog = app.dialog('Invite People')
    if role is not None:
        # A combo row has no AT-SPI action: click it, then pick with the keys
        # (Member, Viewer, Admin).
        combo = app.find('combo box', 'Role', root=dialog)
        wid = app.x11_window_id('Invite People')
        box = confabui.extents(combo)
        subprocess.run(['xdotool', 'mousemove', '--window', wid, str(box.x + box.width // 2),
                        str(box.y + box.height // 2), 'click', '1'], check=True)
        app.find('label', 'Admin')
        for _ in range(['Member', 'Viewer', 'Admin'].index(role)):
            app.key_to('Invite People', 'Down')
        app.key_to('Invite People', 'Return')
        app.find('label', role, root=combo)
        app.find('label', contains='%ss can' % role, root=dialog)
    app.click('push button', 'Create Invite', root=dialog)
    code_entry = app.find('text', 'Invite Code', root=dialog)
    code = wait_for(lambda: text_of(code_entry), 'the invite code')
    log('invite code: %d characters' % len(code))
    if screenshot_name:
        screenshot(app, screenshot_name, root=True)
    app.key_to('Invite People', 'Escape')
    dialog_gone(app, 'Invite People')
    return code


def join(app, code):
    menu(app, 'Join a Shared Project…')
    dialog = app.dialog('Join a Shared Project')
    app.type_into_dialog(dialog, code)
    app.click('push button', 'Join', root=dialog)
    app.find('label', 'Team', inside='list item')


def composer(app):
    return app.find('text', 'Message')


def send(app, text):
    """Through AT-SPI (no keyboard): the text, then the Send button."""
    entry = composer(app)
    entry.queryEditableText().setTextContents(text)
    wait_for(lambda: text_of(entry) == text, 'the composer to hold %r' % text)
    app.click('push button', 'Send')


def wait_toasts_gone(app, *texts):
    """Toasts cover the middle of the composer. They wait while their window
    is not the active one or the pointer is on them."""
    app.raise_window()
    confabui.xdotool('windowfocus', '--sync', app.window_id())
    subprocess.run(['xdotool', 'mousemove', '--window', app.window_id(), '5', '5'], check=True)
    for text in texts:
        app.wait_gone('label', contains=text, timeout=30)


def type_in_composer(app, text):
    """With the keyboard, as a person types: the room hears "typing"."""
    entry = composer(app)
    app.mouse_click(entry)
    wait_for(lambda: entry.getState().contains(pyatspi.STATE_FOCUSED),
             'the composer to have the focus')
    # Keys go to the X input focus, not to the window under the pointer.
    confabui.xdotool('windowfocus', '--sync', app.window_id())
    subprocess.run(['xdotool', 'type', '--delay', '40', text], check=True)
    wait_for(lambda: text_of(entry) == text, 'the composer to hold %r' % text)


def shows(app, text, timeout=30):
    return app.find('label', contains=text, inside='list item', timeout=timeout)


def scratch_dir(prefix):
    return tempfile.mkdtemp(prefix=prefix, dir=os.path.dirname(os.environ['HOME']))


def test_rooms(apps):
    confabui.start_keyring()
    server = Confabd(scratch_dir('confabd-'))
    closed = Confabd(scratch_dir('confabd-closed-'), allow_register=False)
    fake = FakeProvider([MODEL], delay=60)
    try:
        run(apps, server, closed, fake)
    except Exception:
        subprocess.run(['import', '-window', 'root', confabui.artifact('rooms-failure.png')])
        log('--- confabd log ---')
        log(server.log_text()[-6000:])
        raise
    finally:
        server.stop()
        closed.stop()
        fake.stop()


def run(apps, server, closed, fake):
    provider = fake.openai_env()
    confabui.set_default_model('openai:' + MODEL)
    bob_env = make_home('bob')
    bob_env.update(provider)
    confabui.set_default_model('openai:' + MODEL, env=dict(os.environ, **bob_env))

    # 1. Alice: an account, a project with a chat and a model's reply.
    alice = confabui.start_app(apps, 'alice', extra_env=provider)

    # First what goes wrong, said in words: no such account, no server
    # there, a server that does not take new accounts.
    menu(alice, 'Sign In to a Server…')
    dialog = alice.dialog('Sign In to a Server')
    fill_sign_in(alice, dialog, server.url, 'alice')
    sign_in_fails(alice, dialog, 'Sign In', 'Wrong user name or password.')
    set_text(alice, dialog, 'Server Address', closed_port_url())
    sign_in_fails(alice, dialog, 'Sign In', 'Cannot reach the server at')
    set_text(alice, dialog, 'Server Address', closed.url)
    sign_in_fails(alice, dialog, 'Create Account', 'does not let anyone create an account')
    screenshot(alice, 'sign-in-error', root=True)
    set_text(alice, dialog, 'Server Address', server.url)
    sign_up(alice, server.url, 'alice', dialog)

    alice.click('push button', 'New Project')
    dialog = alice.dialog('New Project')
    alice.type_into_dialog(dialog, 'Team')
    alice.click('push button', 'Create', root=dialog)
    alice.find('label', 'Team', inside='list item')
    alice.key('ctrl+n')
    send(alice, 'hello from A')
    shows(alice, 'Echo from %s: hello from A' % MODEL)

    # 2. Share it and invite a member; the code is read from the dialog.
    alice.context_menu(lambda: alice.find('label', 'Team', inside='list item'),
                       'Share Project…')
    dialog = alice.dialog('Share “Team”?')
    alice.click('push button', 'Share', root=dialog)
    alice.find('image', 'Shared project', inside='list item')
    wait_for(lambda: query(alice, "SELECT room_id FROM projects WHERE name = 'Team' "
                                  "AND room_id IS NOT NULL"),
             'the project to be bound to its room')
    code = create_invite(alice, screenshot_name='invite')

    # 3. Bob: another home, another account; joins with the code and sees
    # the chat with what was said so far.
    bob = confabui.start_app(apps, 'bob', extra_env=bob_env, args=['--gapplication-app-id', SECOND_APP_ID])
    sign_up(bob, server.url, 'bob')
    join(bob, code)
    bob.find('image', 'Shared project', inside='list item')
    shows(bob, 'hello from A')
    shows(bob, 'Echo from %s: hello from A' % MODEL)
    screenshot(bob, 'joined')

    # 4. Bob writes: Alice sees him typing, then his message, live.
    wait_toasts_gone(bob, 'Signed in to', 'You joined “Team”')
    type_in_composer(bob, 'hello from B')
    alice.find('label', 'bob is typing…', timeout=15)
    bob.key('Return')
    shows(alice, 'hello from B')
    # Sending asks the sender's model, as in any chat: Bob's reply too.
    shows(alice, 'Echo from %s: hello from B' % MODEL)
    alice.wait_gone('label', 'bob is typing…', timeout=15)

    # 5. Alice asks the model: Bob sees the reply arrive.
    send(alice, 'a question for the model')
    shows(bob, 'Echo from %s: a question for the model' % MODEL)
    shows(alice, 'Echo from %s: a question for the model' % MODEL)

    # 6. A viewer reads but cannot write: the composer is off, and says why.
    code = create_invite(alice, role='Viewer')
    carol_env = make_home('carol')
    carol_env.update(provider)
    carol = confabui.start_app(apps, 'carol', extra_env=carol_env, args=['--gapplication-app-id', THIRD_APP_ID])
    sign_up(carol, server.url, 'carol')
    join(carol, code)
    shows(carol, 'Echo from %s: a question for the model' % MODEL)
    carol.find('label', contains='joined this shared project as a viewer')
    # GTK 4.8 reports the text view itself as sensitive (its composer is
    # not): so try typing, as a person would.
    wait_toasts_gone(carol, 'Signed in to', 'You joined “Team”')
    entry = composer(carol)
    carol.mouse_click(entry)
    confabui.xdotool('windowfocus', '--sync', carol.window_id())
    subprocess.run(['xdotool', 'type', '--delay', '40', 'xyz'], check=True)
    time.sleep(1)
    if text_of(entry) != '':
        raise TestFailure('a viewer could type %r in the composer' % text_of(entry))
    screenshot(carol, 'viewer')

    # 7. The members, all online, with their roles.
    alice.click('push button', 'Members')
    alice.find('list item', 'alice, owner, online')
    alice.find('list item', 'bob, member, online')
    alice.find('list item', 'carol, viewer, online')
    screenshot(alice, 'members', root=True)
    # The popover holds the keyboard: closed (by its button, as a click
    # would) before anyone else types.
    close_members(alice)
    quit_app(carol)
    alice.click('push button', 'Members')
    alice.find('list item', 'carol, viewer, offline')
    close_members(alice)

    # 8. The server goes away: the banner shows, a message written now is
    # refused and stays in the composer.
    server.kill()
    alice.find('label', 'Offline — reconnecting…', timeout=30)
    bob.find('label', 'Offline — reconnecting…', timeout=30)
    screenshot(alice, 'offline')
    send(alice, 'after the restart')
    alice.find('label', contains='cannot be reached now')
    wait_for(lambda: text_of(composer(alice)) == 'after the restart',
             'the refused message to stay in the composer')

    # 9. Back on the same port and data: Alice retries at once, Bob's app
    # reconnects by itself; the message now goes through to Bob.
    server.start()
    # Unless Alice's app got there first (its own next attempt).
    retry = [b for b in alice.find_all('push button', 'Retry Now')
             if confabui.has_action(b) and confabui.is_sensitive(b)]
    if retry:
        retry[0].queryAction().doAction(0)
    else:
        log('Alice was back online before Retry Now')
    alice.wait_gone('label', 'Offline — reconnecting…', timeout=30)
    # Clicked as it went, the button does nothing else (no sign-in).
    windows = [alice.accessible().getChildAtIndex(i)
               for i in range(alice.accessible().childCount)]
    if any(w is not None and w.getRoleName() == 'dialog' for w in windows):
        raise TestFailure('a dialog opened on Retry Now: %r' % [w.name for w in windows])
    bob.wait_gone('label', 'Offline — reconnecting…', timeout=90)
    alice.click('push button', 'Send')
    shows(bob, 'after the restart')
    shows(bob, 'Echo from %s: after the restart' % MODEL)
    if text_of(composer(alice)) != '':
        raise TestFailure('the composer was not cleared after sending')
    screenshot(alice, 'reconnected-alice')
    screenshot(bob, 'reconnected-bob')

    # Both stores hold the same conversation.
    def conversation(app):
        return [r[0] for r in query(app, "SELECT m.content FROM messages m "
                                         "JOIN chats c ON c.id = m.chat_id "
                                         "JOIN projects p ON p.id = c.project_id "
                                         "WHERE p.name = 'Team' AND m.parent_id IS NULL "
                                         "ORDER BY m.id")]
    expected = ['hello from A', 'Echo from %s: hello from A' % MODEL,
                'hello from B', 'Echo from %s: hello from B' % MODEL,
                'a question for the model', 'Echo from %s: a question for the model' % MODEL,
                'after the restart', 'Echo from %s: after the restart' % MODEL]
    try:
        wait_for(lambda: conversation(alice) == expected and conversation(bob) == expected,
                 'both stores to hold the conversation')
    except TestFailure:
        log('alice: %r\nbob: %r' % (conversation(alice), conversation(bob)))
        raise

    # A chat started in the shared project shows up on the other side.
    alice.key('ctrl+n')
    wait_for(lambda: confabui.list_labels(bob, 'Chats') == ['New Chat', 'New Chat'],
             "Alice's new chat in Bob's list")

    for app in (alice, bob):
        quit_app(app)

    # 10. Started again, Bob is still signed in (the token from the keyring)
    # and back in the room: online, the members there.
    bob = confabui.start_app(apps, 'bob-again', extra_env=bob_env, args=['--gapplication-app-id', SECOND_APP_ID])
    shows(bob, 'Echo from %s: after the restart' % MODEL)
    bob.click('push button', 'Members')
    bob.find('list item', 'bob, member, online')
    close_members(bob)
    bob.wait_gone('label', 'Offline — reconnecting…')
    menu(bob, 'Sign Out')
    bob.find('label', contains='Signed out of %s' % server.url)
    # Signed out, the shared project stays, read-only until signing in.
    bob.find('label', 'Not signed in')
    send(bob, 'while signed out')
    bob.find('label', contains='sign in there to write in it')
    quit_app(bob)


# test-rooms-cluster.py imports the helpers above.
if __name__ == '__main__':
    confabui.run([test_rooms])
