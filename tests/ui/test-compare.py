#!/usr/bin/python3
# Comparing models end to end against the fake provider: three models
# checked in the composer's compare popover, one prompt, three columns
# streaming side by side (the one that fails says so, the others finish),
# "Keep This Answer" puts the second on the chat's line (‹ 2/3 ›, stored
# active), a synthesis of a second comparison streams into a new column
# and is stored as the current answer; a narrow window shows the answers
# as a carousel; Done goes back to the chat.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import subprocess
import time

import confabui
from confabui import FakeProvider, TestFailure, log, query, wait_for

MODELS = ['fake-one', 'fake-two', 'fake-three']
FAILING = 'fake-three'   # 404, every time
TIMEOUT = 60


def column_name(model):
    return '%s · OpenAI' % model


def fresh(acc):
    """libatspi keeps the children of a widget it was told about before
    they were all there (columns come while their text streams): forget
    them, so the next walk asks the app."""
    try:
        acc.clear_cache()
    except Exception:
        pass
    return acc


def find_in(app, acc, role, name):
    return wait_for(lambda: app.find_all(role, name, root=fresh(acc)),
                    'a %s named %r' % (role, name), TIMEOUT)[0]


def compare_pane(app):
    """The pane, found while hidden: walking the whole app takes seconds,
    the pane alone a fraction of that, so answers are seen streaming."""
    return app.find('panel', 'Comparison', showing=False)


def column(app, pane, name):
    """The compare pane's column (a panel named after its model)."""
    return find_in(app, pane, 'panel', name)


def column_text(app, col):
    return ' '.join(confabui.clean_name(label.name)
                    for label in app.find_all('label', root=fresh(col)))


def assistants():
    return query("SELECT id, model, content, status, active FROM messages "
                 "WHERE role = 'assistant' AND parent_id IS NULL ORDER BY id")


def type_message(app, text):
    entry = app.find('text', 'Message')
    app.mouse_click(entry)
    subprocess.run(['xdotool', 'type', '--delay', '20', text], check=True)
    wait_for(lambda: entry.queryText().getText(0, entry.queryText().characterCount) == text,
             'the composer to hold %r' % text)


def send(app, text):
    type_message(app, text)
    app.key('Return')


def xkey(key):
    """A key to whatever has the focus (the open popover)."""
    subprocess.run(['xdotool', 'key', '--clearmodifiers', key], check=True)


def check_models(app):
    """Checks the three models in the compare popover, in order, with the
    keyboard (GTK 4.8 gives check buttons no AT-SPI action, and reports
    popover contents at the wrong place for a pointer click)."""
    app.click('push button', 'Compare Models')
    for model in MODELS:
        box = app.find('check box', column_name(model))
        for _ in range(2 * len(MODELS) + 2):
            if box.getState().contains(confabui.pyatspi.STATE_FOCUSED):
                break
            xkey('Tab')
            time.sleep(0.2)
        else:
            raise TestFailure('cannot move the focus to %s' % model)
        xkey('space')
        wait_for(lambda: box.getState().contains(confabui.pyatspi.STATE_CHECKED),
                 '%s to be checked' % model)
    app.find('label', '3 models checked')
    xkey('Escape')
    app.wait_gone('check box', column_name(MODELS[0]))

    def described():
        for button in app.find_all('push button', 'Compare Models'):
            if 'Comparing 3 Models' in (button.description or ''):
                return True
        return False
    wait_for(described, 'the compare button to say it compares 3 models')


def wait_columns_done(app, pane, prompt):
    """Two answers finish with their own text, the failing model says why."""
    for model in MODELS[:2]:
        col = column(app, pane, column_name(model))
        wanted = 'Echo from %s: %s' % (model, prompt)
        wait_for(lambda: wanted in column_text(app, col), '%s to answer' % model, TIMEOUT)
        find_in(app, col, 'push button', 'Keep This Answer')
    failed = column(app, pane, column_name(FAILING))
    wait_for(lambda: 'Failed:' in column_text(app, failed), 'the failure of %s' % FAILING,
             TIMEOUT)
    log('failed column: %r' % column_text(app, failed))
    if app.find_all('push button', 'Keep This Answer', root=fresh(failed)):
        raise TestFailure('the failed answer offers to be kept')


def test_compare(apps):
    confabui.create_database(apps)
    fake = FakeProvider(MODELS, delay=250, extra_args=['--fail-model', FAILING + '=404'])
    try:
        confabui.use_fake_openai(fake, MODELS[0])

        app = confabui.start_app(apps, 'compare')
        app.resize(1200, 800)
        app.key('ctrl+n')
        app.find('label', 'No Messages Yet')

        # 1. Three models checked in the composer's popover.
        check_models(app)

        # 2. One prompt, three columns streaming side by side.
        # Long enough to still stream while the pane is looked at.
        prompt = ('which of you says it best in a few words when the words come '
                  'slowly one after the other like this and then some more words '
                  'to keep the answers streaming for a while longer')
        pane = compare_pane(app)
        send(app, prompt)

        # The answers stream side by side: the stored replies grow at once,
        # and the working columns offer Stop.
        def streaming():
            rows = [r for r in assistants() if r[3] == 'streaming' and r[2]]
            return len(rows) >= 2
        wait_for(streaming, 'two answers streaming at once', TIMEOUT)
        stops = wait_for(lambda: app.find_all('push button', 'Stop', root=fresh(pane)),
                         'a column to offer Stop', TIMEOUT)
        log('%d columns offer Stop' % len(stops))
        cols = [column(app, pane, column_name(m)) for m in MODELS]
        xs = [confabui.extents(c).x for c in cols]
        if not xs[0] < xs[1] < xs[2]:
            raise TestFailure('the columns are not side by side: x = %r' % xs)
        app.find('label', prompt)
        if app.find('text', 'Message').queryText().characterCount != 0:
            raise TestFailure('the composer was not cleared')
        wait_columns_done(app, pane, prompt)
        confabui.screenshot('compare', 'pane')

        rows = assistants()
        log('answers: %r' % (rows,))
        if [r[1] for r in rows] != MODELS or [r[4] for r in rows] != [1, 0, 0]:
            raise TestFailure('expected 3 alternatives, the first active: %r' % (rows,))
        if rows[2][3] != 'error':
            raise TestFailure('the failed answer is stored as %r' % (rows[2][3],))

        # 3. Keep the second answer: back to the chat, on the line as 2/3.
        app.click('push button', 'Keep This Answer', root=fresh(cols[1]))
        app.find('list', 'Messages')
        app.find('label', contains='Echo from %s: %s' % (MODELS[1], prompt), inside='list item')
        app.find('label', '2/3')
        rows = wait_for(lambda: (lambda r: r if [x[4] for x in r] == [0, 1, 0] else None)
                        (assistants()), 'the kept answer to be the active one')
        if rows[1][1] != MODELS[1]:
            raise TestFailure('the wrong answer was kept: %r' % (rows,))

        # 4. The models stay checked: the next message compares again; then
        # a synthesis of its answers streams into a new column.
        prompt2 = 'and now name one colour please'
        send(app, prompt2)
        cols = [column(app, pane, column_name(m)) for m in MODELS]
        wait_columns_done(app, pane, prompt2)
        # The picker offers the first model; the synthesis is by it.
        app.click('push button', 'Synthesize', root=fresh(pane), timeout=TIMEOUT)
        synthesis = column(app, pane, 'Synthesis by %s' % column_name(MODELS[0]))
        wanted = 'Echo from %s:' % MODELS[0]
        wait_for(lambda: wanted in column_text(app, synthesis), 'the synthesis to stream',
                 TIMEOUT)
        # The fake echoes the request's last text: the attributed answers.
        wait_for(lambda: app.find_all('push button', 'Keep This Answer', root=fresh(synthesis)),
                 'the synthesis to finish', TIMEOUT)
        text = column_text(app, synthesis)
        log('synthesis: %r' % text)
        if MODELS[1] not in text.split(wanted, 1)[1]:
            raise TestFailure('the synthesis request did not hold the answers: %r' % text)
        confabui.screenshot('compare', 'synthesis')

        def synthesis_stored():
            rows = [r for r in assistants() if wanted in r[2] and MODELS[1] in r[2]
                    and prompt2 in r[2] and r[3] == 'complete']
            return rows[-1] if rows else None
        row = wait_for(synthesis_stored, 'the synthesis to be stored')
        if row[4] != 1 or row[1] != MODELS[0]:
            raise TestFailure('the synthesis is not the current answer: %r' % (row,))
        # Two comparisons of three, and the synthesis.
        if len(assistants()) != 7:
            raise TestFailure('expected 7 answers: %r' % (assistants(),))

        # 5. Narrow: one answer at a time, in a carousel with its dots.
        if app.find_all(name='Answer Pages'):
            raise TestFailure('the carousel shows in a wide window')
        app.resize(480, 720)
        wait_for(lambda: app.window_size() == (480, 720), 'the window to be 480x720')
        app.find(name='Answer Pages', timeout=TIMEOUT)

        def one_visible():
            cols = [c for c in app.find_all('panel', contains='· OpenAI')
                    if confabui.extents(c).x >= 0 and confabui.extents(c).x < 480]
            return len(cols) >= 1
        wait_for(one_visible, 'a column in the carousel')
        confabui.screenshot('compare', 'narrow')
        app.resize(1200, 800)
        wait_for(lambda: app.window_size() == (1200, 800), 'the window to be wide again')

        # 6. Done: back to the chat, the synthesis on the line.
        app.click('push button', 'Done')
        app.find('list', 'Messages')
        app.find('label', contains=wanted + ' ', inside='list item')
        app.find('label', '4/4')

        app.key('ctrl+q')
        app.wait_exit()
    finally:
        fake.stop()


confabui.run([test_compare])
