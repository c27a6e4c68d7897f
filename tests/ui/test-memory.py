#!/usr/bin/python3
# Memory over a long chat (issue #10): the app streams 200 replies into one
# chat, sent through the composer like a user would. Its resident memory
# after all 200 must be within 10 % of what it was after the first 20: a
# message must not cost memory that stays (rows are recycled by the list
# view, and the view lets go of rows far above the end it follows; the
# models hold only what is shown or cached with a bound).
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os

import confabui
from confabui import FakeProvider, TestFailure, log, query, wait_for

MODEL = 'fake-one'
WARM_UP = 20
TOTAL = int(os.environ.get('CONFAB_MEMORY_REPLIES', '200'))
MAX_GROWTH = 1.10


def rss_kib(pid):
    with open('/proc/%d/status' % pid) as status:
        for line in status:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    raise TestFailure('no VmRSS for process %d' % pid)


def n_complete_replies():
    return query("SELECT COUNT(*) FROM messages WHERE role = 'assistant' "
                 "AND status = 'complete'")[0][0]


def test_memory(apps):
    confabui.create_database(apps)
    fake = FakeProvider([MODEL], delay=1)
    try:
        confabui.use_fake_openai(fake, MODEL)
        app = confabui.start_app(apps, 'memory')
        app.key('ctrl+n')
        entry = app.find('text', 'Message')
        app.mouse_click(entry)

        samples = {}
        for i in range(1, TOTAL + 1):
            # The words make each reply a paragraph of its own, some Markdown.
            confabui.set_text(entry, 'message %d with **bold**, `code` and a list:\n- a\n- b' % i)
            app.key('Return')
            wait_for(lambda: n_complete_replies() >= i, 'reply %d to complete' % i, 30)
            if i % WARM_UP == 0:
                # Let the last reply's rows and the store's writes settle.
                wait_for(lambda: app.find_all('push button', 'Send'), 'the composer idle')
                samples[i] = rss_kib(app.proc.pid)
                log('RSS after %d replies: %d KiB' % (i, samples[i]))

        # The view followed the chat to its end all along (a fast exchange
        # once made it stop following): the last reply is on screen.
        app.find('label', contains='Echo from %s: message %d with' % (MODEL, TOTAL))
        growth = samples[TOTAL] / samples[WARM_UP]
        log('RSS growth from reply %d to %d: %.3f (%d KiB per reply)'
            % (WARM_UP, TOTAL, growth,
               (samples[TOTAL] - samples[WARM_UP]) // (TOTAL - WARM_UP)))
        # A clean quit: the app must still close after a long session.
        app.key('ctrl+q')
        status = app.wait_exit(60)
        if status != 0:
            raise TestFailure('the app exited with status %d' % status)
        if growth > MAX_GROWTH:
            raise TestFailure('RSS grew from %d KiB after %d replies to %d KiB after %d '
                              '(more than %d %%)' % (samples[WARM_UP], WARM_UP, samples[TOTAL],
                                                     TOTAL, round((MAX_GROWTH - 1) * 100)))
        rows = query("SELECT COUNT(*) FROM messages WHERE role = 'user'")[0][0]
        if rows != TOTAL:
            raise TestFailure('%d user messages stored, not %d' % (rows, TOTAL))
        artifacts = os.environ.get('CONFAB_TEST_ARTIFACTS')
        if artifacts:
            with open(os.path.join(artifacts, 'memory-rss.txt'), 'w') as out:
                out.write('%d %d\n' % (samples[WARM_UP], samples[TOTAL]))
    finally:
        fake.stop()


if __name__ == '__main__':
    confabui.run([test_memory])
