#!/usr/bin/python3
# Client security and one fault (issue #10), against the fake provider:
# - links in a model's reply: only http, https and mailto become links, and
#   they open (in the handler the desktop has for them) on a click only;
#   javascript:, file:, data:, custom schemes and relative paths stay text.
# - no remote content: a reply's images (inline, reference, raw HTML) never
#   reach the server they name, which the test runs and watches.
# - the API key: a password entry; after Apply it is in the keyring only,
#   not in the settings, any file of the profile or any accessible text.
# - a full disk (a file size limit put on the running app): a clear error,
#   the draft kept, the app alive, the database sound.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import http.server
import os
import resource
import shlex
import sqlite3
import subprocess
import threading
import uuid


import confabui
from confabui import FakeProvider, TestFailure, log, query, wait_for

MODEL = 'fake-one'
KEY = 'sk-confab-secret-%s' % uuid.uuid4().hex
NO_OLLAMA = '127.0.0.1:9'


def clean_environment():
    for var in ('OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'OPENROUTER_API_KEY',
                'OPENAI_BASE_URL', 'ANTHROPIC_BASE_URL', 'GEMINI_BASE_URL',
                'OPENROUTER_BASE_URL'):
        os.environ.pop(var, None)
    os.environ['OLLAMA_HOST'] = NO_OLLAMA


def replies():
    return query("SELECT content, status FROM messages WHERE role = 'assistant' ORDER BY id")


def wait_replies_complete(count, timeout=60):
    def check():
        rows = replies()
        return len(rows) >= count and all(r[1] == 'complete' for r in rows[:count])
    wait_for(check, '%d complete replies (have %r)' % (count, [r[1] for r in replies()]),
             timeout)


def composer(app):
    return app.find('text', 'Message')


def send(app, text):
    """Typed into the composer (through AT-SPI: it may be long) and sent
    with Enter, the focus in the composer."""
    entry = composer(app)
    app.mouse_click(entry)
    confabui.set_text(entry, text)
    app.key('Return')
    return entry


def composer_text(entry):
    text = entry.queryText()
    return text.getText(0, text.characterCount)


# ---- A web server that counts what reaches it

class WatchedServer:
    """http.server on 127.0.0.1 and a free port; every request is noted."""

    def __init__(self):
        self.requests = []
        watched = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                watched.requests.append(self.path)
                body = b'GIF89a'
                self.send_response(200)
                self.send_header('Content-Type', 'image/gif')
                self.send_header('Content-Length', str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_HEAD = do_GET

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Handler)
        self.url = 'http://127.0.0.1:%d' % self.server.server_address[1]
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        log('watched server at %s' % self.url)

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


# ---- What the desktop opens links with: a recorder

RECORDED_TYPES = ['x-scheme-handler/http', 'x-scheme-handler/https', 'x-scheme-handler/mailto',
                  'x-scheme-handler/x-confab-test', 'x-scheme-handler/javascript',
                  'x-scheme-handler/data', 'text/plain', 'text/html']


def install_uri_recorder():
    """A desktop entry, the default for web, mail, a custom scheme and text
    files, that writes each URI it is given to a file. Returns that file."""
    home = os.environ['HOME']
    record = os.path.join(home, 'opened-uris.txt')
    script = os.path.join(home, 'record-uri')
    with open(script, 'w') as f:
        f.write('#!/bin/sh\nfor uri in "$@"; do printf "%%s\\n" "$uri" >> %s; done\n'
                % shlex.quote(record))
    os.chmod(script, 0o755)
    applications = os.path.join(os.environ['XDG_DATA_HOME'], 'applications')
    os.makedirs(applications, exist_ok=True)
    with open(os.path.join(applications, 'confab-test-recorder.desktop'), 'w') as f:
        f.write('[Desktop Entry]\nType=Application\nName=URI Recorder\nNoDisplay=true\n'
                'Exec=%s %%U\nMimeType=%s;\n' % (script, ';'.join(RECORDED_TYPES)))
    with open(os.path.join(os.environ['XDG_CONFIG_HOME'], 'mimeapps.list'), 'w') as f:
        f.write('[Default Applications]\n')
        for t in RECORDED_TYPES:
            f.write('%s=confab-test-recorder.desktop\n' % t)
    return record


def recorded(record):
    try:
        with open(record) as f:
            return f.read().split()
    except FileNotFoundError:
        return []


def hover_text_start(app, acc):
    """The pointer on the first characters of a label (where its text
    starts: the labels are left-aligned)."""
    e = confabui.extents(acc)
    app.raise_window()
    wid = app.window_id()
    confabui.xdotool('mousemove', '--window', wid, e.x + 6, e.y + e.height // 2 + 1)
    confabui.xdotool('mousemove', '--sync', '--window', wid, e.x + 5, e.y + e.height // 2)


def click_text_start(app, acc):
    hover_text_start(app, acc)
    subprocess.run(['xdotool', 'click', '1'], check=True)


def links_of(acc):
    """The links AT-SPI shows inside an object: its Hypertext links and any
    descendant with the role link."""
    found = []
    try:
        hypertext = acc.queryHypertext()
        for i in range(hypertext.getNLinks()):
            link = hypertext.getLink(i)
            found.append(link.getURI(0))
    except NotImplementedError:
        pass
    except Exception:
        pass
    for node, _ in confabui.walk(acc):
        try:
            if node.getRoleName() == 'link':
                found.append(node.name)
        except Exception:
            pass
    return found


def test_links_and_images(apps):
    confabui.create_database(apps)
    server = WatchedServer()
    record = install_uri_recorder()
    base = server.url
    bank = '%s/bank?from=link' % base
    chart = '%s/chart2.png' % base
    mail = 'mailto:team@example.org?subject=hi'
    reply = ('Here: ![quarterly chart](%(b)s/chart.png) and ![logo](%(b)s/logo.png "Logo") '
             'and ![ref image][r] and <img src="%(b)s/html.png"> done.\n\n'
             '- [run script](javascript:fetch(\'%(b)s/js\'))\n'
             '- [open passwd](file:///etc/passwd)\n'
             '- [custom handler](x-confab-test://127.0.0.1/custom)\n'
             '- [inline data](data:text/html;base64,PGI+eDwvYj4=)\n'
             '- [relative page](page.html)\n'
             '- [your bank](%(bank)s)\n'
             '- ![chart image](%(chart)s)\n'
             '- [write to us](%(mail)s)\n\n'
             '[r]: %(b)s/ref.png\n' % {'b': base, 'bank': bank, 'chart': chart, 'mail': mail})
    reply_file = os.path.join(os.environ['HOME'], 'reply.md')
    with open(reply_file, 'w') as f:
        f.write(reply)
    fake = FakeProvider([MODEL], delay=5, extra_args=['--reply-file', reply_file])
    try:
        confabui.use_fake_openai(fake, MODEL)
        app = confabui.start_app(apps, 'links')
        app.key('ctrl+n')
        send(app, 'Show me the chart')
        wait_replies_complete(1)
        if replies()[0][0] != reply:
            raise TestFailure('the reply was stored as %r' % replies()[0][0])
        # Rendered, the images as their alt text.
        refused = ('run script', 'open passwd', 'custom handler', 'inline data',
                   'relative page')
        labels = {}
        for text in refused + ('your bank', 'chart image', 'write to us'):
            labels[text] = app.find('label', text)
        first = app.find('label', contains='quarterly chart')
        shown = confabui.clean_name(first.name)
        log('the first paragraph reads %r' % shown)
        for alt in ('quarterly chart', 'logo', 'ref image', '<img src="%s/html.png">' % base):
            if alt not in shown:
                raise TestFailure('%r is not shown in %r' % (alt, shown))

        # Nothing reached the server, nothing was opened without a click.
        if server.requests:
            raise TestFailure('the app fetched %r' % server.requests)
        if recorded(record):
            raise TestFailure('links were opened without a click: %r' % recorded(record))

        # No link for the refused ones where AT-SPI shows links (GTK 4.8
        # shows none: the clicks below tell instead).
        for text in refused:
            if links_of(labels[text]):
                raise TestFailure('%r is exposed as a link: %r'
                                  % (text, links_of(labels[text])))
        log('links AT-SPI shows for "your bank": %r' % links_of(labels['your bank']))

        # A link's tooltip says where it really goes.
        hover_text_start(app, labels['your bank'])
        app.find('label', bank)

        # Clicks: the refused ones open nothing (the recorder would take
        # them all but the relative path), the others open in the desktop's
        # handler, in the order clicked.
        for text in refused:
            click_text_start(app, labels[text])
        expected = []
        for text, uri in (('your bank', bank), ('chart image', chart), ('write to us', mail)):
            click_text_start(app, labels[text])
            expected.append(uri)
            wait_for(lambda: len(recorded(record)) >= len(expected),
                     '%s to be opened (opened: %r)' % (uri, recorded(record)))
        if recorded(record) != expected:
            raise TestFailure('opened %r, expected only %r' % (recorded(record), expected))
        if server.requests:
            raise TestFailure('the app fetched %r' % server.requests)
        app.key('ctrl+q')
        if app.wait_exit() != 0:
            raise TestFailure('the app did not exit cleanly')
    finally:
        fake.stop()
        server.stop()


# ---- The API key

def prefs_click(app, acc):
    """A real click in a widget of the Preferences window."""
    wid = confabui.prefs_window_id(app)
    e = confabui.extents(acc)
    confabui.focus_prefs(app)
    confabui.xdotool('mousemove', '--sync', '--window', wid,
                     e.x + e.width // 3, e.y + e.height // 2, 'click', '1')


def keyfile_text():
    try:
        with open(confabui.keyfile_path(), encoding='utf-8') as f:
            return f.read()
    except FileNotFoundError:
        return ''


def app_schemas():
    out = subprocess.run(['gsettings', 'list-schemas'], capture_output=True, text=True,
                         check=True).stdout.split()
    schemas = [s for s in out if s.startswith('io.github.confab')]
    if not schemas:
        raise TestFailure('no schema of the app in %s' % os.environ['GSETTINGS_SCHEMA_DIR'])
    return schemas


def check_key_in_no_file(app, secret):
    """Not in the settings (as gsettings reads them, and the keyfile
    backend's file), not in any file of the test's home and XDG dirs (the
    database and its WAL included; the keyring's file is encrypted), not in
    the app's output."""
    for schema in app_schemas():
        out = subprocess.run(['gsettings', 'list-recursively', schema], capture_output=True,
                             text=True, check=True).stdout
        if not out.strip():
            raise TestFailure('gsettings lists nothing for %s' % schema)
        if secret in out:
            raise TestFailure('the key is in the settings of %s:\n%s' % (schema, out))
    places = []
    roots = {os.environ[v] for v in ('HOME', 'XDG_DATA_HOME', 'XDG_CONFIG_HOME',
                                     'XDG_CACHE_HOME')}
    for root in roots:
        for parent, _, files in os.walk(root):
            places += [os.path.join(parent, name) for name in files]
    checked = 0
    for path in places:
        if not os.path.isfile(path):
            continue
        with open(path, 'rb') as f:
            if secret.encode() in f.read():
                raise TestFailure('the key was written to %s' % path)
        checked += 1
    if not any(p.endswith('confab.db') for p in places) or not os.path.exists(
            confabui.keyfile_path()):
        raise TestFailure('the database or the settings file is missing: %r' % places)
    if secret in app.log_text():
        raise TestFailure('the app printed the key')
    log('the key is in none of %d files, nor in the settings of %s'
        % (checked, ', '.join(app_schemas())))


def accessible_texts(app):
    """(what, text) for every name, description and text content of every
    object of the app, in every window, shown or not."""
    found = []
    for acc, _ in confabui.walk(app.accessible()):
        try:
            role = acc.getRoleName()
            found.append(('%s name' % role, acc.name or ''))
            found.append(('%s description' % role, acc.description or ''))
        except Exception:
            continue
        try:
            text = acc.queryText()
            found.append(('%s text' % role, text.getText(0, text.characterCount)))
        except NotImplementedError:
            pass
        except Exception:
            pass
    return found


def check_key_not_shown(app, secret):
    texts = accessible_texts(app)
    shown = [(what, text) for what, text in texts if secret in text]
    if shown:
        raise TestFailure('the key shows in the window: %r' % shown)
    log('the key is in none of %d accessible texts' % len(texts))


def is_password_entry(app, row):
    """AT-SPI's role for a password entry; GTK 4.8 says "text" for every
    entry (and gives its text as typed): there, the row of a password entry
    is the one with libadwaita's Show Text toggle."""
    if row.getRoleName() == 'password text':
        return True
    return any(confabui.clean_name(b.description) == 'Show Text'
               for role in ('push button', 'toggle button')
               for b in app.find_all(role, root=row, showing=False))


def test_key_not_exposed(apps):
    clean_environment()
    fake = FakeProvider(extra_args=['--port', '0'])
    try:
        app = confabui.start_app(apps, 'key')
        app.key('ctrl+comma')
        prefs = confabui.prefs_window(app)
        prefs_click(app, app.find('list item', 'OpenAI', root=prefs))
        # The key goes to the fake only.
        url_row = app.find('text', 'Base URL', root=prefs)
        prefs_click(app, url_row)
        confabui.set_text(url_row, fake.url)
        confabui.prefs_keys(app, 'Return')
        wait_for(lambda: "base-urls={'openai': '%s'}" % fake.url in keyfile_text(),
                 'the base URL in the settings')

        row = app.find('text', 'API Key', root=prefs)
        if not is_password_entry(app, row):
            raise TestFailure('the API Key entry is not a password entry (%s)'
                              % row.getRoleName())
        # The check can tell: the URL's entry is an ordinary one.
        if is_password_entry(app, url_row):
            raise TestFailure('the Base URL entry looks like a password entry')
        prefs_click(app, row)
        row.queryEditableText().setTextContents(KEY)
        wait_for(lambda: row.queryText().characterCount == len(KEY), 'the key in the entry')
        confabui.prefs_keys(app, 'Return')
        app.find('label', 'Key stored in the keyring', root=prefs)
        app.find('label', '2 models found', root=prefs)
        stored = subprocess.run(['secret-tool', 'lookup', 'provider', 'openai'],
                                capture_output=True, text=True).stdout
        if stored != KEY:
            raise TestFailure('the keyring holds %r' % stored)

        # Saved: the entry is empty, nothing in any window shows the key,
        # no file holds it.
        wait_for(lambda: row.queryText().characterCount == 0, 'the key entry to be emptied')
        check_key_not_shown(app, KEY)
        check_key_in_no_file(app, KEY)

        app.click('push button', 'Close', root=prefs)
        app.wait_gone('frame', 'Preferences')
        check_key_not_shown(app, KEY)
        app.key('ctrl+q')
        if app.wait_exit() != 0:
            raise TestFailure('the app did not exit cleanly')
        check_key_in_no_file(app, KEY)
    finally:
        fake.stop()


# ---- A full disk

def data_files():
    directory = confabui.data_dir()
    return {name: os.path.getsize(os.path.join(directory, name))
            for name in sorted(os.listdir(directory))}


def test_disk_full(apps):
    """The file size limit (RLIMIT_FSIZE) makes every write past it fail
    with EFBIG, as a full disk fails writes with ENOSPC; without SIGXFSZ
    ignored the kernel would kill the app at the first one."""
    confabui.create_database(apps)
    fake = FakeProvider([MODEL], delay=5)
    try:
        confabui.use_fake_openai(fake, MODEL)
        app = confabui.start_app(apps, 'disk-full')
        app.key('ctrl+n')
        send(app, 'hello before the disk fills up')
        wait_replies_complete(1)
        app.find('label', contains='Echo from %s' % MODEL)
        app.find('push button', 'Send')

        pid = app.proc.pid
        sizes = data_files()
        limit = max(sizes.values()) + 64 * 1024
        _, hard = resource.prlimit(pid, resource.RLIMIT_FSIZE)
        # The hard limit stays: lowering it could not be undone without
        # privileges.
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (limit, hard))
        log('files %r; the app may now write up to %d bytes per file' % (sizes, limit))

        lines = []
        while sum(len(line) for line in lines) < 2 * limit:
            lines.append('Line %d of a long draft that must survive a full disk.\n'
                         % len(lines))
        draft = ''.join(lines)
        entry = send(app, draft)
        toast = app.find('label', contains='Could not add the message', timeout=30)
        message = confabui.clean_name(toast.name)
        log('the error: %r' % message)
        # The cause and the fix before the path (a toast cuts its end).
        for words in ('Could not add the message: the file cannot grow any larger',
                      'Raise the limit or delete old chats, then try again',
                      confabui.database_path()):
            if words not in message:
                raise TestFailure('the error does not say %r: %r' % (words, message))
        wait_for(lambda: composer_text(entry) == draft, 'the draft back in the composer')
        confabui.screenshot('client-security', 'disk-full')
        if not app.running():
            app.raise_exited()
        app.find('push button', 'Send')
        rows = query('SELECT role, length(content) FROM messages ORDER BY id')
        if [r[0] for r in rows] != ['user', 'assistant']:
            raise TestFailure('the failed message left rows behind: %r' % rows)

        # Room again: the draft is saved with the chat when the app quits.
        resource.prlimit(pid, resource.RLIMIT_FSIZE, (resource.RLIM_INFINITY, hard))
        app.key('ctrl+q')
        if app.wait_exit() != 0:
            raise TestFailure('the app did not exit cleanly')
        db = sqlite3.connect(confabui.database_path())
        try:
            integrity = db.execute('PRAGMA integrity_check').fetchall()
            drafts = db.execute('SELECT draft FROM chats WHERE draft IS NOT NULL').fetchall()
        finally:
            db.close()
        if integrity != [('ok',)]:
            raise TestFailure('the database is damaged: %r' % integrity)
        if drafts != [(draft,)]:
            raise TestFailure('the draft was not kept: %r' % [len(d[0]) for d in drafts])
        log('database sound, the %d-byte draft kept' % len(draft))
    finally:
        fake.stop()


if __name__ == '__main__':
    clean_environment()
    # Before any app starts: the first would have D-Bus start a locked one.
    confabui.start_keyring()
    confabui.run([test_links_and_images, test_key_not_exposed, test_disk_full])
