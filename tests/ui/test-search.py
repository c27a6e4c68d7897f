#!/usr/bin/python3
# Searching: Ctrl+K over every chat opens the chosen result's project and
# chat scrolled to the message; Ctrl+F finds within the open chat; Escape
# closes both.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import confabui
from confabui import App, TestFailure, log, query, wait_for

WORD = 'zanzibarquux'
N_MESSAGES = 300
TARGET = 40  # far above the bottom the chat opens at


def seed():
    """A chat to start in, and in another project a long chat with one
    message holding WORD and three holding 'marmalade'."""
    db = confabui.open_database()
    now = confabui.now_usec() - 3600 * 1000000
    db.execute("INSERT INTO projects (name, created, updated) VALUES ('Kitchen', ?, ?)",
               (now, now))
    kitchen = db.execute("SELECT id FROM projects WHERE name = 'Kitchen'").fetchone()[0]
    db.execute('INSERT INTO chats (project_id, title, created, updated) VALUES (1, ?, ?, ?)',
               ('Elsewhere', now, now + 10))
    db.execute('INSERT INTO chats (project_id, title, created, updated) VALUES (?, ?, ?, ?)',
               (kitchen, 'Recipes', now, now))
    elsewhere = db.execute("SELECT id FROM chats WHERE title = 'Elsewhere'").fetchone()[0]
    recipes = db.execute("SELECT id FROM chats WHERE title = 'Recipes'").fetchone()[0]
    db.execute("INSERT INTO messages (chat_id, role, author, content, created)"
               " VALUES (?, 'user', 'You', 'Nothing to see here', ?)", (elsewhere, now))
    for i in range(N_MESSAGES):
        if i == TARGET:
            text = 'The secret ingredient is %s, of course.' % WORD
        elif i in (10, 150, 290):
            text = 'Message %d is about marmalade.' % i
        else:
            text = 'Message %d about bread and butter.' % i
        role = 'user' if i % 2 == 0 else 'assistant'
        db.execute('INSERT INTO messages (chat_id, role, author, content, created)'
                   ' VALUES (?, ?, ?, ?, ?)',
                   (recipes, role, 'You' if role == 'user' else 'Model', text, now + i))
    # One line per chat: each message follows the one before it.
    db.execute('UPDATE messages SET prev_id = ('
               '  SELECT max(p.id) FROM messages p WHERE p.chat_id = messages.chat_id'
               '  AND p.parent_id IS NULL AND p.id < messages.id) WHERE parent_id IS NULL')
    db.commit()
    db.close()


def start(apps):
    app = App('search')
    apps.append(app)
    app.find('frame', 'Confab')
    return app


def message_label(app, text):
    return app.find('label', contains=text, inside='list item')


def on_screen(app, acc):
    """Inside the window, below the header bar: a row GtkListView built
    beyond the edge of the view would be outside."""
    e = confabui.extents(acc)
    _, height = app.window_size()
    return e.height > 0 and 48 < e.y and e.y + e.height < height


def test_search_everything(apps):
    confabui.create_database(apps)
    seed()
    app = start(apps)
    app.mouse_click(app.find('label', 'Elsewhere', inside='list item'))
    app.find('label', 'Nothing to see here', inside='list item')

    # Escape closes the search.
    app.key('ctrl+k')
    dialog = app.dialog('Search All Chats')
    app.key_to('Search', 'Escape')
    wait_for(lambda: not app.find_all('label', 'Search All Chats'), 'the search to close')

    # A prefix of the word finds the message in the other project's chat.
    app.key('ctrl+k')
    dialog = app.dialog('Search All Chats')
    entry = app.find('entry', root=dialog)
    entry.queryEditableText().setTextContents(WORD[:8])
    result = app.find('label', 'Recipes', root=dialog, inside='list item')
    snippet = app.find('label', contains=WORD, root=dialog, inside='list item')
    log('result: %r / %r' % (result.name, snippet.name))
    app.find('label', 'Kitchen', root=dialog, inside='list item')

    # Nothing matches: said so.
    entry.queryEditableText().setTextContents('nosuchwordanywhere')
    app.find('label', 'No Results Found', root=dialog)

    # Enter opens the first result: its project, its chat, at the message.
    entry.queryEditableText().setTextContents(WORD)
    app.find('label', 'Recipes', root=dialog, inside='list item')
    app.key_to('Search', 'Return')
    wait_for(lambda: not app.find_all('label', 'Search All Chats'), 'the search to close')

    wait_for(lambda: len(app.find_all('label', 'Recipes')) >= 2,
             'the chat Recipes to be open (its title in the header and the sidebar)')
    wait_for(lambda: on_screen(app, message_label(app, WORD)),
             'the found message to be on screen')
    # The bottom of the chat is not: the view really scrolled.
    if any(on_screen(app, l) for l in app.find_all('label', contains='Message 299',
                                                   inside='list item')):
        raise TestFailure('the chat did not scroll to the found message')
    if confabui.list_labels(app, 'Chats') != ['Recipes']:
        raise TestFailure('the project Kitchen is not the one listed: %r'
                          % confabui.list_labels(app, 'Chats'))

    app.key('ctrl+q')
    if app.wait_exit() != 0:
        raise TestFailure('the app did not exit cleanly')


def test_find_in_chat(apps):
    confabui.create_database(apps)
    seed()
    app = start(apps)
    app.mouse_click(app.find('label', 'Kitchen', inside='list item'))
    app.mouse_click(app.find('label', 'Recipes', inside='list item'))
    wait_for(lambda: len(app.find_all('label', 'Recipes')) >= 2,
             'the chat Recipes to be open (its title in the header and the sidebar)')

    app.key('ctrl+f')
    entry = app.find('entry', 'Find in chat')
    entry.queryEditableText().setTextContents('marmalade')

    # Newest first: 290, then up to 150 and 10, then around again.
    app.find('label', '1 of 3')
    wait_for(lambda: on_screen(app, message_label(app, 'Message 290 is')), 'message 290')
    app.click('push button', 'Older Match')
    app.find('label', '2 of 3')
    wait_for(lambda: on_screen(app, message_label(app, 'Message 150 is')), 'message 150')
    app.click('push button', 'Older Match')
    app.find('label', '3 of 3')
    wait_for(lambda: on_screen(app, message_label(app, 'Message 10 is')), 'message 10')
    app.click('push button', 'Newer Match')
    app.find('label', '2 of 3')

    entry.queryEditableText().setTextContents('nosuchwordanywhere')
    app.find('label', 'No matches')

    # Escape closes the bar, which forgets the query.
    entry.queryEditableText().setTextContents(WORD)
    app.find('label', '1 of 1')
    wait_for(lambda: on_screen(app, message_label(app, WORD)), 'the found message')
    app.key('Escape')
    wait_for(lambda: entry.queryText().characterCount == 0, 'the find bar to close')

    app.key('ctrl+q')
    if app.wait_exit() != 0:
        raise TestFailure('the app did not exit cleanly')


if __name__ == '__main__':
    confabui.run([test_search_everything, test_find_in_chat])
