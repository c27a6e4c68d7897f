#!/usr/bin/python3
# The chat interaction end to end against the fake provider: send with
# Enter and watch the reply stream in, switch the model mid-conversation
# (the marker shows), stop a slow reply halfway (its text kept, cancelled),
# reply in a thread (the parent counts the question and the answer),
# restart and find it all.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import subprocess
import time

import confabui
from confabui import FakeProvider, TestFailure, log, query, wait_for

MODEL_ONE = 'fake-one'
MODEL_TWO = 'fake-two'


def messages(parent=None):
    if parent is None:
        return query('SELECT id, role, model, content, status FROM messages '
                     'WHERE parent_id IS NULL ORDER BY id')
    return query('SELECT id, role, model, content, status FROM messages '
                 'WHERE parent_id = ? ORDER BY id', (parent,))


def composer(app):
    return app.find('text', 'Message')


def type_message(app, text):
    entry = composer(app)
    app.mouse_click(entry)
    subprocess.run(['xdotool', 'type', '--delay', '20' if len(text) < 100 else '2', text],
                   check=True)
    wait_for(lambda: entry.queryText().getText(0, entry.queryText().characterCount) == text,
             'the composer to hold %r' % text)
    return entry


def send(app, text):
    type_message(app, text)
    app.key('Return')


def wait_reply(count, status='complete', contains=None, parent=None, timeout=30):
    def check():
        rows = [r for r in messages(parent) if r[1] == 'assistant']
        if len(rows) >= count and rows[count - 1][4] == status:
            if contains is None or contains in rows[count - 1][3]:
                return rows[count - 1]
        return None
    return wait_for(check, 'reply %d to be %s' % (count, status), timeout)


def test_chat(apps):
    confabui.create_database(apps)
    fake = FakeProvider([MODEL_ONE, MODEL_TWO], delay=150)
    try:
        confabui.use_fake_openai(fake, MODEL_ONE)

        app = confabui.start_app(apps, 'chat')
        app.key('ctrl+n')

        # 1. Enter sends; the reply streams in and completes.
        send(app, 'hello there')
        try:
            reply = wait_reply(1, contains='Echo from')
        except TestFailure:
            log('messages: %r' % (messages(),))
            log(confabui.dump(app.accessible()))
            raise
        log('first reply: %r' % (reply,))
        if MODEL_ONE not in reply[3]:
            raise TestFailure('the reply is not from %s: %r' % (MODEL_ONE, reply))
        app.find('label', contains='Echo from')
        if composer(app).queryText().characterCount != 0:
            raise TestFailure('the composer was not cleared after sending')
        confabui.screenshot('chat', 'reply')

        # 2. Switch the model for the next message: the marker shows.
        log(time.strftime('%H:%M:%S') + ' picking a model')
        app.key('ctrl+shift+m')
        time.sleep(1)
        subprocess.run(['xdotool', 'type', '--delay', '20', MODEL_TWO], check=True)
        time.sleep(0.5)
        subprocess.run(['xdotool', 'key', 'Return'], check=True)
        app.find('text', 'Message')
        wait_for(lambda: app.find_all('push button', contains=MODEL_TWO),
                 'the picker to show %s' % MODEL_TWO)
        send(app, 'second question')
        reply = wait_reply(2, contains='Echo from')
        if MODEL_TWO not in reply[3] or reply[2] != MODEL_TWO:
            raise TestFailure('the second reply is not from %s: %r' % (MODEL_TWO, reply))
        # The request's history held the first exchange: it is stored before it.
        rows = messages()
        if [r[1] for r in rows] != ['user', 'assistant', 'user', 'assistant']:
            raise TestFailure('unexpected messages: %r' % rows)
        app.find('label', contains='Switched to')
        confabui.screenshot('chat', 'model-switch')

        # 3. Stop a long reply halfway: partial text kept, cancelled.
        send(app, ' '.join('w%d' % i for i in range(150)))

        def long_reply_started():
            replies = [r for r in messages() if r[1] == 'assistant']
            return len(replies) >= 3 and len(replies[2][3]) > 40

        wait_for(long_reply_started, 'the long reply to start', 30)
        # Escape stops it, wherever the focus is in the chat.
        app.key('Escape')
        reply = wait_reply(3, status='cancelled')
        if not reply[3] or len(reply[3]) >= len('Echo from %s: ' % MODEL_TWO) + 150 * 5:
            raise TestFailure('the stopped reply has no partial text: %r' % (reply,))
        app.find('push button', 'Send')
        confabui.screenshot('chat', 'stopped')

        # 4. A thread on the first reply, answered in the side pane.
        menus = [m for m in app.find_all('push button', 'Message Actions')
                 if confabui.has_action(m)]
        if not menus:
            raise TestFailure('no message actions button')
        # The first row's menu: the rows are built top to bottom.
        menus.sort(key=lambda a: confabui.extents(a).y)
        menus[0].queryAction().doAction(0)
        app.click('menu item', 'Reply in Thread')
        app.find('list', 'Thread Replies')
        entries = [e for e in app.find_all('text', 'Message')]
        entries.sort(key=lambda a: confabui.extents(a).x)
        thread_entry = entries[-1]
        app.mouse_click(thread_entry)
        subprocess.run(['xdotool', 'type', '--delay', '20', 'in a thread'], check=True)
        subprocess.run(['xdotool', 'key', 'Return'], check=True)
        def thread_parent():
            rows = query('SELECT DISTINCT parent_id FROM messages WHERE parent_id IS NOT NULL')
            return rows[0][0] if rows else None

        first_id = wait_for(thread_parent, 'a thread to be stored')
        try:
            wait_reply(1, contains='Echo from', parent=first_id)
        except TestFailure:
            confabui.screenshot('chat', 'thread-failed')
            log('thread messages: %r' % (messages(first_id),))
            raise
        # The thread holds the question and its answer.
        app.find('label', contains='2 replies')
        confabui.screenshot('chat', 'thread')

        # 5. Edit the second question: a new version with its own reply,
        # the old one kept and reachable through "‹ 2/2 ›".
        question = app.find('panel', contains='second question', inside='list item')
        buttons = [b for b in app.find_all('push button', 'Message Actions', root=question)
                   if confabui.has_action(b)]
        buttons[0].queryAction().doAction(0)
        app.click('menu item', 'Edit')
        entry = composer(app)
        wait_for(lambda: entry.queryText().getText(0, entry.queryText().characterCount)
                 == 'second question', 'the composer to hold the message to edit')
        app.mouse_click(entry)
        # ctrl+End: the end of the text, not of a wrapped line.
        subprocess.run(['xdotool', 'key', 'ctrl+End'], check=True)
        subprocess.run(['xdotool', 'type', '--delay', '20', ' edited'], check=True)
        subprocess.run(['xdotool', 'key', 'Return'], check=True)
        try:
            wait_for(lambda: query("SELECT count(*) FROM messages WHERE role = 'assistant' "
                                   "AND content LIKE '%second question edited%' "
                                   "AND status = 'complete'")[0][0] == 1,
                     'the reply to the edited question')
        except TestFailure:
            confabui.screenshot('chat', 'edit-failed')
            log('messages: %r' % (query('SELECT id, role, model, content, status, parent_id '
                                        'FROM messages ORDER BY id'),))
            raise
        versions = query("SELECT count(*) FROM messages WHERE role = 'user' "
                         "AND content LIKE 'second question%' AND parent_id IS NULL")[0][0]
        if versions != 2:
            raise TestFailure('expected both versions of the question, found %d' % versions)
        app.find('label', '2/2')
        confabui.screenshot('chat', 'edited')

        # A draft survives a restart.
        type_message(app, 'a draft to keep')
        app.key('ctrl+q')
        app.wait_exit()

        # 6. Restart: everything is still there.
        app = confabui.start_app(apps, 'chat-again')
        app.find('label', contains='Echo from')
        app.find('label', contains='Switched to')
        app.find('label', contains='2 replies')
        app.find('label', '2/2')
        # The draft is back once the chat is open again.
        app.mouse_click(app.find('label', 'New Chat', inside='list item'))
        entry = composer(app)
        wait_for(lambda: entry.queryText().getText(0, entry.queryText().characterCount)
                 == 'a draft to keep', 'the draft in the composer')
        confabui.screenshot('chat', 'restart')
        app.key('ctrl+q')
        app.wait_exit()
    finally:
        fake.stop()


confabui.run([test_chat])
