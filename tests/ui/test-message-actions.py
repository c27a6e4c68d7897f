#!/usr/bin/python3
# The message actions and error fixes end to end against the fake provider:
# Copy (read back from the X clipboard by another process), Regenerate (a
# second version, ‹ 1/2 › switching), Regenerate With… another model, Edit
# and resend (a new branch, the old one kept), Delete (Cancel keeps it,
# Delete removes it from the view and the store); errors with the action
# that fixes them (a refused key opens Preferences, an overloaded model is
# retried, a missing model opens the picker and is answered by the model
# picked); a thread keeps its own model from its first reply, and covers the
# chat in a narrow window.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import subprocess

import confabui
from confabui import FakeProvider, TestFailure, log, query, wait_for

MODEL_ONE = 'fake-one'
MODEL_TWO = 'fake-two'
# The fake provider answers these the way the real servers fail.
MODEL_AUTH = 'fake-auth'      # 401, every time
MODEL_BUSY = 'fake-busy'      # 503 once, then fine
MODEL_GONE = 'fake-gone'      # 404 model_not_found, every time
TIMEOUT = 40

# Reads the X clipboard with GTK, as another application would.
CLIPBOARD_READER = '''
import sys
import gi
gi.require_version('Gdk', '4.0')
gi.require_version('Gtk', '4.0')
from gi.repository import Gdk, GLib, Gtk
Gtk.init()
loop = GLib.MainLoop()
def done(clipboard, result):
    try:
        sys.stdout.write(clipboard.read_text_finish(result) or '')
    finally:
        loop.quit()
Gdk.Display.get_default().get_clipboard().read_text_async(None, done)
GLib.timeout_add_seconds(10, loop.quit)
loop.run()
'''


def start(apps, label):
    """A fresh profile and the app on a new chat, with the fake as OpenAI."""
    confabui.create_database(apps)
    fake = FakeProvider((MODEL_ONE, MODEL_TWO, MODEL_AUTH, MODEL_BUSY, MODEL_GONE), delay=20,
                        extra_args=['--fail-model', MODEL_AUTH + '=401',
                                    '--fail-model', MODEL_BUSY + '=503:1',
                                    '--fail-model', MODEL_GONE + '=404'])
    try:
        confabui.use_fake_openai(fake, MODEL_ONE)
        app = confabui.start_app(apps, label)
        app.key('ctrl+n')
        app.find('label', 'No Messages Yet')
    except Exception:
        fake.stop()
        raise
    return app, fake


def read_clipboard():
    result = subprocess.run(['/usr/bin/python3', '-c', CLIPBOARD_READER],
                            capture_output=True, text=True, timeout=30,
                            env=dict(os.environ, GTK_A11Y='none'))
    if result.returncode != 0:
        raise TestFailure('cannot read the clipboard:\n' + result.stderr)
    return result.stdout


# ---- The store

def main_line():
    """(id, role, model, content, status) of the chat's current line."""
    return query('SELECT id, role, model, content, status FROM messages '
                 'WHERE parent_id IS NULL AND active = 1 ORDER BY id')


def all_main(content_like):
    return query('SELECT id, role, model, content, status, active FROM messages '
                 'WHERE parent_id IS NULL AND content LIKE ? ORDER BY id', (content_like,))


def wait_line(roles, what, last_contains=None):
    """Waits for the current line to have these roles, the last reply
    complete."""
    def check():
        rows = main_line()
        if [r[1] for r in rows] != roles or rows[-1][4] != 'complete':
            return None
        if last_contains is not None and last_contains not in rows[-1][3]:
            return None
        return rows
    try:
        return wait_for(check, what, TIMEOUT)
    except TestFailure:
        log('current line: %r' % (main_line(),))
        raise


# ---- The view

def message_list(app):
    return app.find('list', 'Messages')


def row(app, starts, root=None):
    """A message row by its accessible label, "AUTHOR: how the text starts"."""
    root = root or message_list(app)

    def find():
        for acc in app.find_all('panel', root=root):
            if confabui.clean_name(acc.name).startswith(starts):
                return acc
        return None
    try:
        return wait_for(find, 'the message row %r' % starts, TIMEOUT)
    except TestFailure:
        log(confabui.dump(root))
        raise


def wait_no_row(app, starts):
    lst = message_list(app)
    wait_for(lambda: not [a for a in app.find_all('panel', root=lst)
                          if confabui.clean_name(a.name).startswith(starts)],
             'no message row %r' % starts, TIMEOUT)


def row_action(app, starts, item):
    """Runs an item of a row's Message Actions menu."""
    panel = row(app, starts)
    buttons = [b for b in app.find_all('push button', 'Message Actions', root=panel)
               if confabui.has_action(b)]
    if not buttons:
        raise TestFailure('no Message Actions button in the row %r' % starts)
    buttons[0].queryAction().doAction(0)
    app.click('menu item', item)


def version(app, starts, text):
    panel = row(app, starts)
    wait_for(lambda: app.find_all('label', text, root=row(app, starts)),
             'the row %r to show version %s' % (starts, text), TIMEOUT)
    return panel


def composer(app, index=0):
    """The chat's composer (0) or the thread's (-1), left to right."""
    entries = app.find_all('text', 'Message')
    entries.sort(key=lambda a: confabui.extents(a).x)
    return entries[index]


def entry_text(entry):
    return entry.queryText().getText(0, entry.queryText().characterCount)


def type_and_send(app, text, index=0, click=True):
    entry = composer(app, index)
    if click:
        app.mouse_click(entry)
    subprocess.run(['xdotool', 'type', '--delay', '20', text], check=True)
    wait_for(lambda: entry_text(entry).endswith(text), 'the composer to hold %r' % text)
    subprocess.run(['xdotool', 'key', 'Return'], check=True)


def listed_models(app):
    """The first label (the name) of each model the open picker lists."""
    names = []
    for lst in app.find_all('list', 'Models'):
        for i in range(lst.childCount):
            try:
                labels = app.find_all('label', root=lst.getChildAtIndex(i))
                if labels:
                    names.append(confabui.clean_name(labels[0].name))
            except Exception:  # rows go as the list is filtered
                pass
    return names


def pick_in_open_picker(app, model):
    """Chooses a model in the picker list that is open: searched for, then
    Enter in the search, as a user would."""
    app.find('list', 'Models')
    search = app.find('entry', 'Search Models')
    search.queryEditableText().setTextContents(model)
    try:
        wait_for(lambda: listed_models(app) == [model], 'the picker to list only %s' % model)
    except TestFailure:
        log('the picker lists %r' % listed_models(app))
        raise
    subprocess.run(['xdotool', 'key', 'Return'], check=True)
    app.wait_gone('list', 'Models')


def pick_model(app, model):
    """Ctrl+Shift+M, as a user switches the chat's model."""
    app.key('ctrl+shift+m')
    pick_in_open_picker(app, model)
    wait_for(lambda: app.find_all('push button', contains=model),
             'the picker to show %s' % model)


# ---- Tests

def test_message_actions(apps):
    app, fake = start(apps, 'actions')
    try:
        type_and_send(app, 'first question')
        wait_line(['user', 'assistant'], 'the first reply', 'first question')
        type_and_send(app, 'second question')
        rows = wait_line(['user', 'assistant'] * 2, 'the second reply', 'second question')
        first_reply = rows[1][3]
        if first_reply != 'Echo from %s: first question' % MODEL_ONE:
            raise TestFailure('unexpected first reply %r' % first_reply)

        # Copy: another application reads the reply's text.
        row_action(app, '%s: Echo from %s: first' % (MODEL_ONE, MODEL_ONE), 'Copy')
        wait_for(lambda: read_clipboard() == first_reply,
                 'the clipboard to hold %r' % first_reply, TIMEOUT)
        row_action(app, 'root: second question', 'Copy')
        wait_for(lambda: read_clipboard() == 'second question',
                 'the clipboard to hold the question', TIMEOUT)

        # Regenerate: a second version streams in, the first is kept.
        second = '%s: Echo from %s: second' % (MODEL_ONE, MODEL_ONE)
        old_id = rows[3][0]
        row_action(app, second, 'Regenerate')
        def regenerated():
            found = all_main('Echo from % second question')
            return found if len(found) == 2 and all(r[4] == 'complete' for r in found) else None

        versions = wait_for(regenerated, 'a regenerated reply', TIMEOUT)
        if len(versions) != 2 or [v[5] for v in versions] != [0, 1] or versions[0][0] != old_id:
            raise TestFailure('expected the old reply kept inactive and a new one: %r'
                              % (versions,))
        wait_line(['user', 'assistant'] * 2, 'the regenerated reply on the line')
        version(app, second, '2/2')
        confabui.screenshot('message-actions', 'regenerated')

        # ‹ ›: back to the first version and forward again.
        app.click('push button', 'Previous Version', root=row(app, second))
        wait_for(lambda: main_line()[3][0] == old_id, 'the first version on the line', TIMEOUT)
        version(app, second, '1/2')
        app.click('push button', 'Next Version', root=row(app, second))
        wait_for(lambda: main_line()[3][0] == versions[1][0], 'the second version back',
                 TIMEOUT)
        version(app, second, '2/2')

        # Regenerate With…: the picker opens; the new reply is the other model's.
        row_action(app, second, 'Regenerate With…')
        pick_in_open_picker(app, MODEL_TWO)
        rows = wait_line(['user', 'assistant'] * 2, 'the reply by %s' % MODEL_TWO,
                         'Echo from %s: second question' % MODEL_TWO)
        if rows[3][2] != MODEL_TWO:
            raise TestFailure('the model column says %r, not %s' % (rows[3][2], MODEL_TWO))
        other = row(app, '%s: Echo from %s' % (MODEL_TWO, MODEL_TWO))
        app.find('label', 'OpenAI', root=other)
        version(app, '%s: Echo from %s' % (MODEL_TWO, MODEL_TWO), '3/3')
        if len(all_main('Echo from % second question')) != 3:
            raise TestFailure('the earlier versions were not kept')
        confabui.screenshot('message-actions', 'regenerated-with')

        # Regenerate With… left without a choice: the next pick of a model
        # (back to the first one, with the picker's button) regenerates nothing.
        row_action(app, '%s: Echo from %s' % (MODEL_TWO, MODEL_TWO), 'Regenerate With…')
        app.find('list', 'Models')
        subprocess.run(['xdotool', 'key', 'Escape'], check=True)
        app.wait_gone('list', 'Models')
        picker_names(app)[1][0].queryAction().doAction(0)
        pick_in_open_picker(app, MODEL_ONE)
        wait_for(lambda: MODEL_ONE in picker_names(app)[0][0], 'the picker to show %s'
                 % MODEL_ONE)

        # Edit and resend the first question: a new branch, the old one kept.
        row_action(app, 'root: first question', 'Edit')
        entry = composer(app)
        wait_for(lambda: entry_text(entry) == 'first question',
                 'the composer to hold the message to edit')
        app.mouse_click(entry)
        subprocess.run(['xdotool', 'key', 'End'], check=True)
        type_and_send(app, ' edited', click=False)
        rows = wait_line(['user', 'assistant'], 'the reply to the edited question',
                         'first question edited')
        if rows[0][3] != 'first question edited':
            raise TestFailure('the edited question is %r' % rows[0][3])
        old = all_main('first question')
        if len(old) != 1 or old[0][5] != 0:
            raise TestFailure('the old question was not kept off the line: %r' % (old,))
        if len(all_main('%second question%')) != 4:
            raise TestFailure('the old branch (a question, three replies) was not kept as is: %r'
                              % (all_main('%second question%'),))
        version(app, 'root: first question edited', '2/2')
        wait_no_row(app, 'root: second question')

        # Delete: Cancel keeps the message, Delete removes it.
        reply = '%s: Echo from %s: first question edited' % (MODEL_ONE, MODEL_ONE)
        reply_id = main_line()[1][0]
        row_action(app, reply, 'Delete')
        dialog = app.dialog('Delete Message?')
        app.click('push button', 'Cancel', root=dialog)
        app.wait_gone('label', 'Delete Message?')
        row(app, reply)
        if not query('SELECT 1 FROM messages WHERE id = ?', (reply_id,)):
            raise TestFailure('Cancel deleted the message')
        row_action(app, reply, 'Delete')
        dialog = app.dialog('Delete Message?')
        app.click('push button', 'Delete', root=dialog)
        wait_for(lambda: not query('SELECT 1 FROM messages WHERE id = ?', (reply_id,)),
                 'the message to leave the store', TIMEOUT)
        wait_no_row(app, reply)
        row(app, 'root: first question edited')
        confabui.screenshot('message-actions', 'deleted')

        app.key('ctrl+q')
        app.wait_exit()
    finally:
        fake.stop()


def toast_button(app, name):
    """Clicks the button of the toast showing now (not one of the same name
    elsewhere, like the first-run page's, left with its old extents)."""
    def toast_with_button():
        for toast in app.find_all('filler', 'AdwToastWidget'):
            if app.find_all('push button', name, root=toast):
                return toast
        return None
    toast = wait_for(toast_with_button, 'a toast with %r' % name, TIMEOUT)
    app.click('push button', name, root=toast)
    try:
        wait_for(lambda: not toast_with_button(), 'the toast to go', TIMEOUT)
    except TestFailure:
        confabui.screenshot('message-actions', 'toast-failed')
        raise


def failed_reply(prompt):
    """The reply to prompt once it failed: (id, status, error)."""
    def check():
        rows = query("SELECT m.id, m.status, m.error FROM messages m "
                     "JOIN messages u ON u.chat_id = m.chat_id AND u.id < m.id "
                     "WHERE u.content = ? AND u.role = 'user' AND m.role = 'assistant' "
                     "AND m.status != 'streaming' ORDER BY m.id", (prompt,))
        return rows[-1] if rows else None
    return wait_for(check, 'the reply to %r to end' % prompt, TIMEOUT)


def test_errors(apps):
    app, fake = start(apps, 'errors')
    try:
        # A refused key: the reply shows the error, the toast opens Preferences.
        pick_model(app, MODEL_AUTH)
        type_and_send(app, 'needs a key')
        reply = failed_reply('needs a key')
        if reply[1] != 'error' or 'refused' not in (reply[2] or ''):
            raise TestFailure('expected a refused key: %r' % (reply,))
        failed = row(app, '%s: The API key' % MODEL_AUTH)
        app.find('label', contains='was refused', root=failed)
        row(app, 'root: needs a key')
        confabui.screenshot('message-actions', 'refused-key')
        toast_button(app, 'Open Preferences')
        app.find('frame', 'Preferences')
        app.key_to('Preferences', 'Escape')
        app.wait_gone('frame', 'Preferences')
        if query("SELECT count(*) FROM messages WHERE content = 'needs a key'")[0][0] != 1:
            raise TestFailure("the user's text was not kept")

        # A model that is gone: Switch Model opens the picker, and the model
        # picked answers the question.
        pick_model(app, MODEL_GONE)
        type_and_send(app, 'where are you')
        reply = failed_reply('where are you')
        if reply[1] != 'error' or MODEL_GONE not in (reply[2] or ''):
            raise TestFailure('expected a missing model: %r' % (reply,))
        row(app, '%s: OpenAI has no model' % MODEL_GONE)
        toast_button(app, 'Switch Model')
        pick_in_open_picker(app, MODEL_ONE)
        rows = wait_line(['user', 'assistant'] * 2, 'the answer by %s' % MODEL_ONE,
                         'Echo from %s: where are you' % MODEL_ONE)
        if rows[2][3] != 'where are you':
            raise TestFailure("the user's text was not kept: %r" % (rows,))
        wait_no_row(app, '%s: OpenAI has no model' % MODEL_GONE)
        row(app, '%s: Echo from %s: where' % (MODEL_ONE, MODEL_ONE))

        # Overloaded once: Retry answers it.
        pick_model(app, MODEL_BUSY)
        type_and_send(app, 'busy now')
        reply = failed_reply('busy now')
        if reply[1] != 'error' or 'overloaded' not in (reply[2] or ''):
            raise TestFailure('expected an overloaded model: %r' % (reply,))
        row(app, '%s: OpenAI is overloaded' % MODEL_BUSY)
        confabui.screenshot('message-actions', 'overloaded')
        toast_button(app, 'Retry')
        rows = wait_line(['user', 'assistant'] * 3, 'the retried answer',
                         'Echo from %s: busy now' % MODEL_BUSY)
        if rows[4][3] != 'busy now':
            raise TestFailure("the user's text was not kept: %r" % (rows,))
        row(app, '%s: Echo from %s: busy' % (MODEL_BUSY, MODEL_BUSY))
        wait_no_row(app, '%s: OpenAI is overloaded' % MODEL_BUSY)
        if query("SELECT count(*) FROM messages WHERE status = 'error' "
                 "AND model != ?", (MODEL_AUTH,))[0][0] != 0:
            raise TestFailure('fixed errors left failed replies behind')

        app.key('ctrl+q')
        app.wait_exit()
    finally:
        fake.stop()


def thread_list(app):
    return app.find('list', 'Thread Replies')


def open_thread(app, starts):
    row_action(app, starts, 'Reply in Thread')
    return thread_list(app)


def picker_names(app):
    """The composers' model buttons, left to right."""
    buttons = [b for b in app.find_all('push button', contains='· OpenAI')
               if confabui.has_action(b)]
    buttons.sort(key=lambda a: confabui.extents(a).x)
    return [confabui.clean_name(b.name) for b in buttons], buttons


def test_thread(apps):
    app, fake = start(apps, 'thread')
    try:
        type_and_send(app, 'root message')
        rows = wait_line(['user', 'assistant'], 'the reply', 'root message')
        parent_id = rows[0][0]

        # The thread's own model, picked in its composer, is stored with
        # its first reply; the chat keeps its model.
        open_thread(app, 'root: root message')
        wait_for(lambda: len(picker_names(app)[0]) == 2, 'the thread composer')
        picker_names(app)[1][-1].queryAction().doAction(0)
        pick_in_open_picker(app, MODEL_TWO)
        wait_for(lambda: MODEL_TWO in picker_names(app)[0][-1], 'the thread picker to show %s'
                 % MODEL_TWO)
        type_and_send(app, 'in the thread', index=-1)
        wait_for(lambda: query("SELECT count(*) FROM messages WHERE parent_id = ? "
                               "AND role = 'assistant' AND status = 'complete'",
                               (parent_id,))[0][0] == 1, 'the thread reply', TIMEOUT)
        reply = query("SELECT model, content FROM messages WHERE parent_id = ? "
                      "AND role = 'assistant'", (parent_id,))[0]
        if reply != (MODEL_TWO, 'Echo from %s: in the thread' % MODEL_TWO):
            raise TestFailure('unexpected thread reply %r' % (reply,))
        thread = query('SELECT model, reply_count FROM threads WHERE parent_id = ?', (parent_id,))
        if thread != [('openai:' + MODEL_TWO, 2)]:
            raise TestFailure('the thread model was not stored with its first reply: %r'
                              % (thread,))
        chat_model = query('SELECT model FROM chats')[0][0]
        if chat_model != 'openai:' + MODEL_ONE:
            raise TestFailure('the thread changed the chat model to %r' % chat_model)

        # Closed (Ctrl+Shift+W) and opened again: each composer offers its
        # own model.
        app.key('ctrl+shift+w')
        app.wait_gone('list', 'Thread Replies')
        open_thread(app, 'root: root message')
        wait_for(lambda: len(picker_names(app)[0]) == 2, 'the thread composer')
        names = picker_names(app)[0]
        if MODEL_ONE not in names[0] or MODEL_TWO not in names[1]:
            raise TestFailure('the composers offer %r' % (names,))

        # Wide: the thread beside the chat.
        messages = confabui.extents(message_list(app))
        pane = confabui.extents(thread_list(app))
        if pane.x < messages.x + messages.width:
            raise TestFailure('the thread pane (x=%d) overlaps the chat (%d+%d) in a wide window'
                              % (pane.x, messages.x, messages.width))
        app.click('push button', 'Close Thread')
        app.wait_gone('list', 'Thread Replies')

        # Narrow: the thread covers the chat, and closes back to it.
        app.resize(480, 640)
        wait_for(lambda: app.window_size() == (480, 640), 'the window to be 480x640')
        lst = message_list(app)
        wait_for(lambda: confabui.extents(lst).width < 480, 'the chat to fit the window')
        open_thread(app, 'root: root message')

        def covers():
            pane = confabui.extents(thread_list(app))
            chat = confabui.extents(message_list(app))
            return pane.x <= chat.x and pane.x + pane.width >= chat.x + chat.width
        try:
            wait_for(covers, 'the thread to cover the chat', TIMEOUT)
        except TestFailure:
            confabui.screenshot('message-actions', 'narrow-failed')
            log('thread %r, chat %r' % (confabui.extents(thread_list(app)),
                                        confabui.extents(message_list(app))))
            raise
        row(app, 'root: root message', root=thread_list(app))
        confabui.screenshot('message-actions', 'narrow-thread')
        app.click('push button', 'Close Thread')
        app.wait_gone('list', 'Thread Replies')
        row(app, 'root: root message')

        # The shortcuts window lists the chat's keys.
        app.key('ctrl+question')
        for title in ('Send the message', 'New line', 'Stop the reply or the editing',
                      'Switch the model', 'Close the thread'):
            app.find('label', title)
        confabui.screenshot('message-actions', 'shortcuts')
        app.key_to('Shortcuts', 'Escape')
        app.wait_gone('label', 'Switch the model')

        app.key('ctrl+q')
        app.wait_exit()
    finally:
        fake.stop()


TESTS = [test_message_actions, test_errors, test_thread]
# CONFAB_TESTS=test_thread,... runs only those (for debugging).
if os.environ.get('CONFAB_TESTS'):
    TESTS = [t for t in TESTS if t.__name__ in os.environ['CONFAB_TESTS'].split(',')]
confabui.run(TESTS)
