#!/usr/bin/python3
# A round-table end to end against the fake provider: set it up in its
# dialog from the chat menu (three named participants with personas, two
# rounds, a topic), watch the turns stream in as rows in speaking order,
# interject between turns, then a second one paused, resumed and stopped
# mid-turn (its text kept, cancelled, nothing after it); the transcript
# stays an ordinary chat that answers a normal message.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import subprocess
import time

import pyatspi

import confabui
from confabui import FakeProvider, TestFailure, log, query, wait_for

MODELS = ['fake-one', 'fake-two', 'fake-three']
NAMES = ['Ada', 'Brook', 'Cyd']
TOPIC = 'Should cities ban cars'
INTERJECTION = 'Please keep it short'


def messages():
    """The chat's main line: (id, role, author, model, content, status)."""
    return query('SELECT id, role, author, model, content, status FROM messages '
                 'WHERE parent_id IS NULL ORDER BY id')


def speakers(rows):
    return [r for r in rows if r[1] == 'assistant']


def text_of(acc):
    text = acc.queryText()
    return text.getText(0, text.characterCount)


def composer(app):
    return app.find('text', 'Message')


_bar = []


def bar_status(app):
    """The round-table bar's status line, or None while it is hidden. Only
    the bar is searched: walking the whole window takes seconds, longer
    than a turn."""
    if not _bar:
        _bar.append(app.find('filler', 'Round-Table', showing=False, timeout=30))
    # A hidden widget keeps its last extents in GTK 4.8: ask its state.
    if not _bar[0].getState().contains(pyatspi.STATE_VISIBLE):
        return None
    for label in app.find_all('label', root=_bar[0]):
        name = confabui.clean_name(label.name)
        if name.startswith('Round ') or name.startswith('Starting'):
            return name
    return None


def open_dialog_from_menu(app):
    app.click('push button', 'Chat Menu')
    app.click('menu item', 'Start a Round-Table…')
    return app.dialog('Start a Round-Table')


def set_entry(app, dialog, name, text):
    entry = app.find('text', name, root=dialog)
    entry.queryEditableText().setTextContents(text)
    wait_for(lambda: text_of(entry) == text, '%s to hold %r' % (name, text))


def error_text(app, dialog):
    labels = [confabui.clean_name(l.name) for l in app.find_all('label', root=dialog)]
    return ' | '.join(labels)


def start_enabled(app, dialog):
    buttons = [b for b in app.find_all('push button', 'Start', root=dialog)
               if confabui.has_action(b)]
    return buttons and confabui.is_sensitive(buttons[0])


def test_roundtable(apps):
    confabui.create_database(apps)
    # Each turn streams for a few seconds: enough to act while one runs.
    fake = FakeProvider(MODELS, delay=700)
    try:
        confabui.use_fake_openai(fake, MODELS[0])

        app = confabui.start_app(apps, 'roundtable')
        app.key('ctrl+n')
        composer(app)

        # 1. The dialog, from the chat menu: two participants to start with.
        dialog = open_dialog_from_menu(app)
        app.find('text', 'Name of Participant 2', root=dialog)
        if app.find_all('text', 'Name of Participant 3', root=dialog):
            raise TestFailure('the dialog should start with two participants')
        # A new chat has nothing to go on from: a topic is needed.
        wait_for(lambda: 'Write a topic' in error_text(app, dialog), 'the missing topic to show')
        if start_enabled(app, dialog):
            raise TestFailure('Start is enabled without a topic in an empty chat')

        app.click('push button', 'Add Participant', root=dialog)
        app.find('text', 'Name of Participant 3', root=dialog)
        for i, name in enumerate(NAMES):
            set_entry(app, dialog, 'Name of Participant %d' % (i + 1), name)
            set_entry(app, dialog, 'Persona of Participant %d' % (i + 1),
                      'You are %s and you like %s' % (name, 'trams' if i % 2 else 'bikes'))
        # Two participants with one name are refused, clearly.
        set_entry(app, dialog, 'Name of Participant 2', 'Ada')
        wait_for(lambda: 'Two participants are called “Ada”' in error_text(app, dialog),
                 'the duplicate name to show')
        set_entry(app, dialog, 'Name of Participant 2', 'Brook')

        rounds = app.find('spin button', 'Rounds', root=dialog)
        if int(rounds.queryValue().currentValue) != 2:
            raise TestFailure('the rounds are not 2 by default: %r'
                              % rounds.queryValue().currentValue)
        topic = app.find('text', 'Topic', root=dialog)
        topic.queryEditableText().setTextContents(TOPIC)
        wait_for(lambda: start_enabled(app, dialog), 'Start to be enabled')
        app.click('push button', 'Start', root=dialog)

        # 2. It runs: the bar tells the round and the speaker; turns stream in.
        try:
            wait_for(lambda: (bar_status(app) or '').startswith('Round '), 'the bar', 30)
        except TestFailure:
            log('messages: %r' % (messages(),))
            log(confabui.dump(app.accessible()))
            raise
        seen = []

        def note_status():
            status = bar_status(app)
            if status and (not seen or seen[-1] != status):
                seen.append(status)
            return status

        def first_turn_done():
            note_status()
            rows = speakers(messages())
            return len(rows) >= 1 and rows[0][5] == 'complete' and len(rows) < 6
        # The composer stays free: typed while Ada speaks, Enter once her
        # turn is over interjects between turns.
        entry = composer(app)
        app.mouse_click(entry)
        subprocess.run(['xdotool', 'type', '--delay', '10', INTERJECTION], check=True)
        wait_for(lambda: text_of(entry) == INTERJECTION, 'the composer to hold the interjection')
        wait_for(first_turn_done, 'Ada to finish her turn', 60)
        app.key('Return')
        confabui.screenshot('roundtable', 'running')
        wait_for(lambda: any(r[1] == 'user' and r[4] == INTERJECTION for r in messages()),
                 'the interjection to be stored')
        wait_for(lambda: text_of(composer(app)) == '', 'the composer to be cleared')

        def all_spoken():
            note_status()
            rows = speakers(messages())
            return len(rows) == 6 and all(r[5] == 'complete' for r in rows)
        wait_for(all_spoken, 'six complete turns', 180)
        app.find('label', contains='every round was held', timeout=30)
        wait_for(lambda: bar_status(app) is None, 'the bar to hide')
        log('bar states seen: %r' % seen)
        if not any('is speaking' in s for s in seen):
            raise TestFailure('the bar never said who is speaking: %r' % seen)

        rows = messages()
        log('messages: %r' % [(r[1], r[2], r[3], r[5], r[4][:40]) for r in rows])
        if rows[0][1] != 'user' or rows[0][4] != TOPIC:
            raise TestFailure('the topic is not the first message: %r' % (rows[0],))
        turns = speakers(rows)
        if [r[2] for r in turns] != NAMES * 2:
            raise TestFailure('the turns are not in order: %r' % [r[2] for r in turns])
        models = {}
        for r in turns:
            if models.setdefault(r[2], r[3]) != r[3]:
                raise TestFailure('%s spoke with two models: %r' % (r[2], turns))
        if sorted(models.values()) != sorted(MODELS):
            raise TestFailure('the participants do not have the three models: %r' % models)
        for r in turns:
            if 'Echo from %s' % r[3] not in r[4]:
                raise TestFailure('a turn is not its model\'s answer: %r' % (r,))
        # The interjection stands between two turns.
        index = [i for i, r in enumerate(rows) if r[4] == INTERJECTION][0]
        if not (0 < index < len(rows) - 1) or rows[index + 1][1] != 'assistant' \
                or rows[index - 1][1] != 'assistant':
            raise TestFailure('the interjection is not between turns: %r' % [r[:3] for r in rows])

        # Each turn is a row on screen under its speaker's name (row order
        # is the store's: GTK 4.8 reports stale extents for recycled rows).
        def rows_shown():
            names = [p.name or '' for p in app.find_all('panel', inside='list item')]
            missing = [r for r in turns
                       if not any(n.startswith('%s: %s' % (r[2], r[4][:30])) for n in names)]
            return not missing
        wait_for(rows_shown, 'a row for each turn, named after its speaker', 30)

        # 3. A second round-table with the shortcut, going on from the chat:
        # pause, resume, then stop mid-turn.
        app.key('ctrl+shift+t')
        dialog = app.dialog('Start a Round-Table')
        app.find('text', 'Name of Participant 2', root=dialog)
        set_entry(app, dialog, 'Name of Participant 1', 'Dee')
        set_entry(app, dialog, 'Name of Participant 2', 'Eve')
        # No topic: this chat has messages to go on from.
        wait_for(lambda: start_enabled(app, dialog), 'Start to be enabled without a topic')
        app.click('push button', 'Start', root=dialog)
        before = len(messages())

        def streaming_turn(author):
            rows = messages()[before:]
            for r in rows:
                if r[2] == author and r[5] == 'streaming' and r[4]:
                    return r
            return None

        dee = wait_for(lambda: streaming_turn('Dee'), 'Dee to be speaking', 60)
        app.click('push button', 'Pause Round-Table', root=_bar[0])
        wait_for(lambda: 'Paused' in (bar_status(app) or ''), 'the bar to say paused')
        # The turn being said ends normally; no other starts while paused.
        wait_for(lambda: all(r[5] != 'streaming' for r in messages()[before:]),
                 'the turn being said to finish while paused', 120)
        paused_rows = messages()
        time.sleep(2)
        if len(messages()) != len(paused_rows) or 'Paused' not in (bar_status(app) or ''):
            raise TestFailure('a turn started while paused: %r' % (messages()[before:],))
        app.click('push button', 'Resume Round-Table', root=_bar[0])
        eve = wait_for(lambda: streaming_turn('Eve'), 'Eve to be speaking', 60)
        app.click('push button', 'Stop Round-Table', root=_bar[0])
        app.find('label', contains='was stopped', timeout=30)
        wait_for(lambda: bar_status(app) is None, 'the bar to hide after Stop')
        rows = messages()
        last = rows[-1]
        log('stopped turn: %r' % ((last[:4] + (last[5], last[4][:60])),))
        # Eve's turn, or the next if hers ended before the click landed.
        if last[0] < eve[0] or last[5] != 'cancelled' or not last[4] \
                or last[4].endswith('%s.' % last[2]):
            raise TestFailure('the stopped turn is not the last, kept and cancelled: %r'
                              % ([r[:3] + (r[5],) for r in rows[before:]],))
        time.sleep(1)
        if len(messages()) != len(rows):
            raise TestFailure('something was said after Stop: %r' % (messages()[len(rows):],))

        # 4. An ordinary chat again: a normal message gets a normal reply.
        entry = composer(app)
        app.mouse_click(entry)
        subprocess.run(['xdotool', 'type', '--delay', '20', 'and now just you'], check=True)
        wait_for(lambda: text_of(entry) == 'and now just you', 'the composer to hold the message')
        app.key('Return')

        def plain_reply():
            rows = messages()
            if len(rows) >= 2 and rows[-2][4] == 'and now just you' \
                    and rows[-1][1] == 'assistant' and rows[-1][5] == 'complete':
                return rows[-1]
            return None
        reply = wait_for(plain_reply, 'a plain reply', 120)
        if 'Echo from' not in reply[4] or reply[2] in NAMES + ['Dee', 'Eve']:
            raise TestFailure('the reply is not an ordinary one: %r' % (reply,))
    except Exception:
        log('stored messages: %r' % ([r[:4] + (r[5],) for r in messages()],))
        raise
    finally:
        fake.stop()


if __name__ == '__main__':
    confabui.run([test_roundtable])
