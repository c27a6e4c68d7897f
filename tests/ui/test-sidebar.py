#!/usr/bin/python3
# The sidebar's chat and project management: delete with Undo (undone, let
# go, and pending at quit), pin, archive, move to another project, and the
# project settings dialog, each checked in the database.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import confabui
from confabui import App, TestFailure, log, query, wait_for

PERSONAL = 1  # the project the first start creates
CHATS = ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon']  # oldest first


def seed():
    """Chats in the default project, the newest last, and a second project."""
    db = confabui.open_database()
    now = confabui.now_usec()
    db.execute("INSERT INTO projects (name, created, updated) VALUES ('Work', ?, ?)", (now, now))
    for i, title in enumerate(CHATS):
        db.execute('INSERT INTO chats (project_id, title, created, updated) VALUES (?, ?, ?, ?)',
                   (PERSONAL, title, now + i, now + i))
    db.commit()
    db.close()


def focused_row(app):
    """The first label of the focused list row, or None."""
    for acc, _ in confabui.walk(app.accessible()):
        try:
            if (acc.getRoleName() == 'list item' and
                    acc.getState().contains(confabui.pyatspi.STATE_FOCUSED)):
                labels = app.find_all('label', root=acc)
                return confabui.clean_name(labels[0].name) if labels else None
        except Exception:
            continue
    return None


def focus_chat_with_keys(app, title):
    """From the projects list to a chat with Tab and the arrows only: each
    row the arrows reach opens, and the focus stays in the list."""
    app.mouse_click(app.find('label', 'Personal', inside='list item'))
    # Each key waits for the focus to move, so a slow run cannot overshoot.
    def press(key):
        before = focused_row(app)
        app.key(key)
        wait_for(lambda: focused_row(app) not in (None, before),
                 'the focus to move from %r with %s' % (before, key))

    for _ in range(4):  # Tab goes from row to row, then on to the next list
        if focused_row(app) in CHATS:
            break
        press('Tab')
    for _ in range(len(CHATS)):
        order = chats(app)
        current = focused_row(app)
        if current == title:
            break
        press('Down' if order.index(current) < order.index(title) else 'Up')
    wait_for(lambda: focused_row(app) == title and len(app.find_all('label', title)) >= 2,
             '%s to be focused in the list and open (its title in the header)' % title)


def start(apps, label, extra_env=None):
    app = App(label, extra_env=extra_env)
    apps.append(app)
    app.find('frame', 'Confab')
    return app


def chats(app):
    return confabui.list_labels(app, 'Chats')


def wait_chats(app, expected):
    wait_for(lambda: chats(app) == expected,
             'the chat list to be %r (it is %r)' % (expected, chats(app)))


def row_label(app, title):
    return lambda: app.find('label', title, inside='list item')


def chat_menu(app, title, item):
    """Right-click on a chat's row, then an item of its context menu."""
    app.context_menu(row_label(app, title), item)


def chat_row(title):
    rows = query('SELECT id, project_id, pinned, archived FROM chats WHERE title = ?', (title,))
    return rows[0] if rows else None


def undo_button(app):
    return app.find('push button', 'Undo')


def quit_app(app):
    app.key('ctrl+q')
    status = app.wait_exit()
    if status != 0:
        raise TestFailure('the app exited with status %d' % status)
    app.check_log()


def test_delete_with_undo(apps):
    confabui.create_database(apps)
    seed()
    # The Undo toast shows 15 s, not 5: the second delete of the batch below
    # must come while it shows, and two right-clicks through AT-SPI on a
    # loaded CI machine took longer than 5 s.
    app = start(apps, 'delete', {'CONFAB_UNDO_TIMEOUT': '15'})
    wait_chats(app, ['Epsilon', 'Delta', 'Gamma', 'Beta', 'Alpha'])

    # Deleted from the context menu: hidden at once, the toast says what.
    chat_menu(app, 'Beta', 'Delete Chat')
    wait_chats(app, ['Epsilon', 'Delta', 'Gamma', 'Alpha'])
    app.find('label', 'Chat “Beta” deleted')
    if chat_row('Beta') is None:
        raise TestFailure('the chat left the database before the toast went away')

    # Undo brings it back, in its place, and it never left the database.
    app.click('push button', 'Undo')
    wait_chats(app, ['Epsilon', 'Delta', 'Gamma', 'Beta', 'Alpha'])
    app.wait_gone('label', 'Chat “Beta” deleted')
    if chat_row('Beta') is None:
        raise TestFailure('an undone delete reached the database')

    # Reached with the keyboard alone (Tab from the projects into the chats,
    # arrows down the list, the focus staying there), deleted with the
    # Delete key, then the toast times out: now it is gone from the
    # database too, while the app runs.
    focus_chat_with_keys(app, 'Gamma')
    app.key('Delete')
    wait_chats(app, ['Epsilon', 'Delta', 'Beta', 'Alpha'])
    app.find('label', 'Chat “Gamma” deleted')
    wait_for(lambda: chat_row('Gamma') is None, 'the chat to be deleted after the toast',
             timeout=45)
    app.wait_gone('label', 'Chat “Gamma” deleted')

    # Two deletions make one toast; quitting while it shows still deletes.
    # Quickly: the second delete joins the first's toast only while it shows.
    chat_menu(app, 'Delta', 'Delete Chat')
    app.find('label', 'Chat “Delta” deleted')
    chat_menu(app, 'Epsilon', 'Delete Chat')
    app.find('label', '2 chats deleted')
    wait_chats(app, ['Beta', 'Alpha'])
    if chat_row('Delta') is None or chat_row('Epsilon') is None:
        raise TestFailure('pending deletes reached the database early')
    # Ctrl+W closes the window, which ends the app as its last one.
    app.key('ctrl+w')
    if app.wait_exit() != 0:
        raise TestFailure('the app did not exit cleanly after Ctrl+W')
    app.check_log()
    if chat_row('Delta') is not None or chat_row('Epsilon') is not None:
        raise TestFailure('deletes pending at quit were lost: %r'
                          % query('SELECT title FROM chats'))

    # A project, with its chats, and Undo.
    app = start(apps, 'delete-project')
    app.context_menu(row_label(app, 'Work'), 'Delete Project')
    app.find('label', 'Project “Work” deleted')
    app.wait_gone('label', 'Work', inside='list item')
    app.click('push button', 'Undo')
    app.find('label', 'Work', inside='list item')
    quit_app(app)
    if not query("SELECT id FROM projects WHERE name = 'Work'"):
        raise TestFailure('an undone project delete reached the database')


def test_pin_archive_move(apps):
    confabui.create_database(apps)
    seed()
    app = start(apps, 'organize')
    wait_chats(app, ['Epsilon', 'Delta', 'Gamma', 'Beta', 'Alpha'])

    # Pinned: first, with a pin, and the menu now offers to unpin.
    chat_menu(app, 'Alpha', 'Pin Chat')
    wait_chats(app, ['Alpha', 'Epsilon', 'Delta', 'Gamma', 'Beta'])
    app.find('image', 'Pinned', inside='list item')
    wait_for(lambda: chat_row('Alpha')[2] == 1, 'pinned = 1 in the database')
    app.context_menu(row_label(app, 'Alpha'), 'Unpin Chat', click=False)
    if app.find_all('menu item', 'Pin Chat'):
        raise TestFailure('a pinned chat offers to be pinned')
    app.key('Escape')
    app.wait_gone('menu item', 'Unpin Chat')

    # Archived from the context menu opened with the keyboard (Shift+F10):
    # hidden; the toggle at the bottom shows it again, dimmed.
    focus_chat_with_keys(app, 'Gamma')
    app.key('shift+F10')
    app.click('menu item', 'Archive Chat')
    wait_chats(app, ['Alpha', 'Epsilon', 'Delta', 'Beta'])
    wait_for(lambda: chat_row('Gamma')[3] == 1, 'archived = 1 in the database')
    app.click('push button', 'Show Archived Chats')
    wait_chats(app, ['Alpha', 'Epsilon', 'Delta', 'Gamma', 'Beta'])
    label = app.find('label', 'Gamma', inside='list item')
    if 'Archived' not in (label.description or ''):
        raise TestFailure('an archived row does not say so: %r' % label.description)
    chat_menu(app, 'Gamma', 'Unarchive Chat')
    wait_for(lambda: chat_row('Gamma')[3] == 0, 'archived = 0 in the database')
    app.click('push button', 'Show Archived Chats')
    wait_chats(app, ['Alpha', 'Epsilon', 'Delta', 'Gamma', 'Beta'])

    # Moved to another project through the submenu listing the others.
    chat_menu(app, 'Delta', 'Move to Project')
    app.click('menu item', 'Work')
    wait_chats(app, ['Alpha', 'Epsilon', 'Gamma', 'Beta'])
    work_id = query("SELECT id FROM projects WHERE name = 'Work'")[0][0]
    wait_for(lambda: chat_row('Delta')[1] == work_id, 'project_id changed in the database')
    app.mouse_click(app.find('label', 'Work', inside='list item'))
    wait_chats(app, ['Delta'])

    quit_app(app)
    log('chats: %r' % query('SELECT title, project_id, pinned, archived FROM chats'))


def test_project_settings(apps):
    confabui.create_database(apps)
    seed()
    app = start(apps, 'settings')

    app.context_menu(row_label(app, 'Work'), 'Project Settings…')
    dialog = app.dialog('Project Settings')

    # The name row and the model entry are text fields; the prompt a text view.
    entries = app.find_all('text', root=dialog)
    names = [confabui.clean_name(e.name) for e in entries]
    log('text fields: %r' % names)
    model = [e for e in entries if 'Default Model' in confabui.clean_name(e.name)][0]
    prompt = [e for e in entries if confabui.clean_name(e.name) == 'System Prompt'][0]
    name = [e for e in entries if confabui.clean_name(e.name) == 'Name'][0]

    name.queryEditableText().setTextContents('Work Stuff')
    model.queryEditableText().setTextContents('not a model')
    # A model without its provider cannot be saved.
    wait_for(lambda: not confabui.is_sensitive(app.find('push button', 'Save', root=dialog)),
             'Save to be disabled for "not a model"')
    model.queryEditableText().setTextContents('ollama:llama3.2')
    prompt.queryEditableText().setTextContents('Answer in French.\nBe brief.')
    app.click('push button', 'Save', root=dialog)
    app.find('label', 'Work Stuff', inside='list item')

    rows = query("SELECT name, default_model, system_prompt FROM projects WHERE id = 2")
    log('project: %r' % rows)
    if rows != [('Work Stuff', 'ollama:llama3.2', 'Answer in French.\nBe brief.')]:
        raise TestFailure('the settings were not saved: %r' % rows)

    # Opened again, it shows what was saved; Escape cancels.
    app.context_menu(row_label(app, 'Work Stuff'), 'Project Settings…')
    dialog = app.dialog('Project Settings')
    texts = [e.queryText().getText(0, e.queryText().characterCount)
             for e in app.find_all('text', root=dialog)]
    if 'ollama:llama3.2' not in texts or 'Answer in French.\nBe brief.' not in texts:
        raise TestFailure('the dialog does not show the saved settings: %r' % texts)
    app.key('Escape')

    # Ctrl+? lists the shortcuts, the new ones among them.
    app.key('ctrl+question')
    app.find('label', 'Search all chats')
    app.find('label', 'Find in the open chat')
    app.key_to('Shortcuts', 'Escape')
    app.wait_gone('label', 'Search all chats')
    quit_app(app)


if __name__ == '__main__':
    confabui.run([test_delete_with_undo, test_pin_archive_move, test_project_settings])
