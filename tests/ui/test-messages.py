#!/usr/bin/python3
# Message rendering end to end: a chat with a Markdown tour (heading, lists,
# a table, a ```c block), a failed and a stopped reply and a 3,000-line reply
# opens at its end without freezing the app (of so long a reply the chat
# shows the beginning, then a notice with "Open Full Text"); the tour's
# pieces are in the accessibility tree, "Copy code" copies the code;
# screenshots in the light and the dark style are kept in the build
# directory.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import subprocess
import time

import confabui
from confabui import App, TestFailure, log, wait_for

LONG_LINES = 3000
LONG_NOTICE = 'only its beginning is shown here'
TOUR_CODE = '''#include <stdio.h>

int
main (void)
{
  /* Say hello. */
  printf ("Hello, %s!\\n", "world");
  return 0;
}'''

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


def seed():
    os.makedirs(confabui.data_dir(), exist_ok=True)
    subprocess.run([os.environ['CONFAB_SEED_MARKDOWN_CHAT'], confabui.database_path(),
                    str(LONG_LINES)], check=True, stdout=subprocess.DEVNULL)


def message_list(app):
    """The list of the chat view (found once: a walk of the whole tree
    takes seconds with a long reply in it)."""
    if getattr(app, 'message_list', None) is None:
        def find():
            for acc in app.find_all('list', 'Messages', showing=False):
                return acc
            return None
        app.message_list = wait_for(find, 'the message list')
    return app.message_list


def rows(app):
    """The message rows GtkListView has built (not all are on screen)."""
    lst = message_list(app)
    found = []
    for i in range(lst.childCount):
        item = lst.getChildAtIndex(i)
        if item is not None and item.childCount > 0:
            found.append(item.getChildAtIndex(0))
    return found


def row(app, author, timeout=confabui.DEFAULT_TIMEOUT):
    """A row by its accessible label, "AUTHOR: how the text starts"."""
    def find():
        for acc in rows(app):
            if (acc.name or '').startswith(author + ': '):
                return acc
        return None
    return wait_for(find, 'the message row of %s' % author, timeout)


def on_screen(app, acc):
    e = confabui.extents(acc)
    width, height = app.window_size()
    return e.width > 0 and e.height > 0 and e.y + e.height > 0 and e.y < height


def visible_label(app, root, name, timeout=confabui.DEFAULT_TIMEOUT, contains=None):
    def find():
        for acc in app.find_all('label', name, contains=contains, root=root):
            if on_screen(app, acc):
                return acc
        return None
    return wait_for(find, 'the label %r on screen' % name, timeout)


def check_responsive(app, what):
    """AT-SPI calls are answered by the app's main loop: slow answers mean
    a frozen window."""
    slowest = 0
    lst = message_list(app)
    for _ in range(10):
        start = time.monotonic()
        lst.childCount
        lst.getChildAtIndex(0).name
        slowest = max(slowest, time.monotonic() - start)
        time.sleep(0.05)
    log('%s: slowest AT-SPI round trip %.0f ms' % (what, slowest * 1000))
    if slowest > 1:
        raise TestFailure('the app took %.1f s to answer AT-SPI %s' % (slowest, what))


def screenshot(app, name):
    """The window's pixels, kept as a test artifact, checked not to be
    blank; returns its brightness."""
    return confabui.brightness_screenshot(name, app.window_id(), min_colours=64)


def go_to_top(app):
    """Focuses the list (a click beside a row's text) and presses Home."""
    lst = message_list(app)
    e = confabui.extents(lst)
    confabui.xdotool('mousemove', '--sync', '--window', app.window_id(),
                     e.x + 16, e.y + e.height // 2, 'click', '1')
    app.key('Home')


def read_clipboard():
    """The clipboard's text ('' while empty), or None when Python cannot
    read it here (no GTK 4 introspection data)."""
    try:
        result = subprocess.run(['/usr/bin/python3', '-c', CLIPBOARD_READER],
                                capture_output=True, text=True, timeout=30,
                                env=dict(os.environ, GTK_A11Y='none'))
    except subprocess.TimeoutExpired:
        raise TestFailure('reading the clipboard timed out')
    if result.returncode != 0:
        log('cannot read the clipboard from Python, not checked:\n' + result.stderr)
        return None
    return result.stdout


def open_chat(app):
    app.find('frame', 'Confab')
    # Found while the tree is small: the timing below is then the app's.
    message_list(app)
    app.mouse_click(app.find('label', 'Markdown Tour', inside='list item'))


def test_long_reply_and_tour(apps):
    seed()
    app = App('messages')
    apps.append(app)
    open_chat(app)

    # The chat opens at its end: the end of the 3,000-line reply, which is
    # the notice under the part of it the chat shows.
    start = time.monotonic()
    long_reply = row(app, 'llama3.2', timeout=60)
    log('the long reply was on screen %.1f s after the click' % (time.monotonic() - start))
    visible_label(app, long_reply, None, timeout=60, contains=LONG_NOTICE)
    app.find('push button', 'Open Full Text', root=long_reply)
    check_responsive(app, 'with the long reply on screen')
    screenshot(app, 'messages-end.png')

    # The other replies: a failed one shows its error, a stopped one says so.
    failed = row(app, 'gemini-2.5-flash')
    if 'overloaded' not in failed.name:
        raise TestFailure('the failed reply does not name its error: %r' % failed.name)
    app.find('label', 'The model is overloaded (HTTP 503). Try again in a moment.', root=failed,
             showing=False)
    app.find('label', 'Stopped', root=row(app, 'gpt-4o'), showing=False)

    # The tour, at the top.
    go_to_top(app)
    tour = row(app, 'claude-sonnet-4-5')
    if not tour.name.startswith('claude-sonnet-4-5: Markdown Tour Here is bold, italic'):
        raise TestFailure('the tour row is labelled %r' % tour.name)
    visible_label(app, tour, 'Markdown Tour')
    for text in ('Lists', 'Apples & pears', 'Blood oranges', 'A finished task', 'Second step',
                 'Python', 'dynamic', 'That is all.'):
        app.find('label', text, root=tour, showing=False)
    for text in ('link to GNOME', 'shown as text', '1 reply'):
        app.find('label', contains=text, root=tour, showing=False)
    check_responsive(app, 'at the top of the chat')

    copy = app.find('push button', 'Copy code', root=tour)
    copy.queryAction().doAction(0)
    # The button copies after its press animation: wait for the text.
    clipboard = wait_for(lambda: [text for text in [read_clipboard()] if text != ''],
                         'something on the clipboard')[0]
    if clipboard is not None and clipboard != TOUR_CODE:
        raise TestFailure('the clipboard holds %r, not the code' % clipboard)

    light = screenshot(app, 'messages-tour.png')

    app.key('ctrl+q')
    if app.wait_exit() != 0:
        raise TestFailure('the app did not exit cleanly')
    app.check_log()

    # The same chat in the dark style (the app reopens it).
    os.environ['ADW_DEBUG_COLOR_SCHEME'] = 'prefer-dark'
    try:
        app = App('messages-dark')
        apps.append(app)
        app.find('frame', 'Confab')
        visible_label(app, row(app, 'llama3.2', timeout=60), None, timeout=60,
                      contains=LONG_NOTICE)
        go_to_top(app)
        visible_label(app, row(app, 'claude-sonnet-4-5'), 'Markdown Tour')
        dark = screenshot(app, 'messages-tour-dark.png')
    finally:
        del os.environ['ADW_DEBUG_COLOR_SCHEME']
    if not dark < 0.5 < light:
        raise TestFailure('the dark screenshot (%.2f) is not darker than the light one (%.2f)'
                          % (dark, light))


def test_many_messages_open_at_end(apps):
    """A chat of many short messages opens showing its last ones: jumping
    the scroll position to an estimated end used to show a blank view on
    GTK 4.8, where the list builds rows only near the position."""
    import json
    import tempfile

    saved = os.environ['XDG_DATA_HOME']
    os.environ['XDG_DATA_HOME'] = tempfile.mkdtemp(prefix='confab-many-')
    try:
        messages = []
        for i in range(300):
            user = i % 2 == 0
            messages.append({
                'id': str(i + 1), 'role': 'user' if user else 'assistant',
                'author': 'me' if user else 'openai:gpt-4o',
                'provider': None if user else 'openai', 'model': None if user else 'gpt-4o',
                'status': 'complete', 'created': 1700000000 + i,
                'text': 'Short message number %d.' % i,
            })
        export = os.path.join(os.environ['XDG_DATA_HOME'], 'many.json')
        with open(export, 'w') as f:
            json.dump({'format': 'confab-chat', 'version': 1,
                       'chats': [{'title': 'Many Messages', 'project': 'P',
                                  'created': 1700000000, 'model': 'openai:gpt-4o',
                                  'messages': messages}]}, f)
        subprocess.run([os.environ['CONFAB_CLI'], '--data-dir', confabui.data_dir(),
                        'import', export], check=True, stdout=subprocess.DEVNULL)

        app = App('many-messages')
        apps.append(app)
        app.find('frame', 'Confab')
        message_list(app)
        app.mouse_click(app.find('label', 'Many Messages', inside='list item'))

        def last_on_screen():
            for acc in rows(app):
                if 'Short message number 299' in (acc.name or '') and on_screen(app, acc):
                    return acc
            return None
        wait_for(last_on_screen, 'the last message on screen')
        screenshot(app, 'messages-many.png')

        # Only the end is built (GTK 4.8 would build 200 rows around the
        # last one): the list shows the chat's tail and grows it upwards.
        built = len(rows(app))
        if built > 60:
            raise AssertionError('%d rows built to open a chat at its end' % built)

        # Scrolled up with the wheel, the list grows back to the first message.
        def first_on_screen():
            for acc in rows(app):
                if 'Short message number 0.' in (acc.name or '') and on_screen(app, acc):
                    return acc
            # Over the list itself: a recycled row keeps stale extents.
            app.mouse_scroll(message_list(app), 15)
            return None
        wait_for(first_on_screen, 'the first message on screen', timeout=90)
    finally:
        os.environ['XDG_DATA_HOME'] = saved


if __name__ == '__main__':
    confabui.run([test_long_reply_and_tour, test_many_messages_open_at_end])
