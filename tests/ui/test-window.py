#!/usr/bin/python3
# The main window end to end: projects and chats created, renamed and deleted
# through the UI survive a restart, and so does the window size.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import configparser
import sqlite3
import uuid

import confabui
from confabui import App, TestFailure, log, wait_for

UNIQUE = uuid.uuid4().hex[:8]
PROJECT = 'Research %s' % UNIQUE
FIRST_PROJECT_NAME = 'Reserch %s' % UNIQUE
DOOMED_PROJECT = 'Doomed %s' % UNIQUE
CHAT = 'Chat %s' % UNIQUE
WIDTH, HEIGHT = 900, 640


def sidebar_item(app, name, timeout=confabui.DEFAULT_TIMEOUT):
    """A label inside a row of one of the sidebar lists."""
    return app.find('label', name, inside='list item', timeout=timeout)


def sidebar_items(app, name):
    return app.find_all('label', name, inside='list item')


def wait_no_sidebar_item(app, name):
    app.wait_gone('label', name, inside='list item')


def new_project(app, name, use_shortcut):
    if use_shortcut:
        app.key('ctrl+shift+n')
    else:
        app.click('push button', 'New Project')
    dialog = app.dialog('New Project')
    create = app.find('push button', 'Create', root=dialog)
    if confabui.is_sensitive(create):
        raise TestFailure('Create is enabled with an empty name')
    app.type_into_dialog(dialog, name)
    app.click('push button', 'Create', root=dialog)
    sidebar_item(app, name)
    # The new project is selected: its (empty) chat list shows.
    app.find('label', 'No Chats')


def open_menu(app, button, item):
    """Opens a menu button and activates one of its items."""
    app.click('push button', button)
    app.click('menu item', item)


def deleted_with_undo(app, toast_title):
    """Deleting asks nothing: a toast says what went and offers Undo (the
    deletion itself happens when the toast goes or the app quits)."""
    # Deleted while an earlier Undo toast still shows, both share one toast.
    wait_for(lambda: app.find_all('label', toast_title) or
             app.find_all('label', contains='items deleted'),
             'a toast saying %r' % toast_title)
    app.find('push button', 'Undo')


def first_run(apps):
    app = App('first-run')
    apps.append(app)
    app.find('frame', 'Confab')

    # A first start creates a default project and selects it.
    sidebar_item(app, 'Personal')
    app.find('label', 'No Chat Selected')

    # A project made with the shortcut, then deleted from the main menu.
    new_project(app, DOOMED_PROJECT, use_shortcut=True)
    open_menu(app, 'Main Menu', 'Delete Project')
    deleted_with_undo(app, 'Project “%s” deleted' % DOOMED_PROJECT)
    wait_no_sidebar_item(app, DOOMED_PROJECT)

    # The project that stays, made with the sidebar button with a typo, then
    # renamed from its context menu (right-click on its row).
    new_project(app, FIRST_PROJECT_NAME, use_shortcut=False)
    app.context_menu(lambda: sidebar_item(app, FIRST_PROJECT_NAME), 'Rename Project…')
    dialog = app.dialog('Rename Project')
    app.type_into_dialog(dialog, PROJECT)
    app.click('push button', 'Rename', root=dialog)
    sidebar_item(app, PROJECT)
    wait_no_sidebar_item(app, FIRST_PROJECT_NAME)

    # A chat made with the header button, then deleted from the chat menu.
    app.click('push button', 'New Chat')
    sidebar_item(app, 'New Chat')
    open_menu(app, 'Chat Menu', 'Delete Chat')
    deleted_with_undo(app, 'Chat “New Chat” deleted')
    wait_no_sidebar_item(app, 'New Chat')
    app.find('label', 'No Chat Selected')

    # A chat made with Ctrl+N and renamed with F2.
    app.key('ctrl+n')
    sidebar_item(app, 'New Chat')
    app.find('label', 'No Messages Yet')
    app.key('F2')
    dialog = app.dialog('Rename Chat')
    app.type_into_dialog(dialog, CHAT)
    app.click('push button', 'Rename', root=dialog)
    sidebar_item(app, CHAT)
    wait_no_sidebar_item(app, 'New Chat')

    app.resize(WIDTH, HEIGHT)
    wait_for(lambda: app.window_size() == (WIDTH, HEIGHT),
             'the window to be %dx%d' % (WIDTH, HEIGHT))

    app.key('ctrl+q')
    status = app.wait_exit()
    if status != 0:
        raise TestFailure('the app exited with status %d' % status)
    app.check_log()


def check_files():
    db = sqlite3.connect('file:%s?mode=ro' % confabui.database_path(), uri=True)
    try:
        projects = {name for (name,) in db.execute('SELECT name FROM projects')}
        chats = db.execute('SELECT chats.title, projects.name FROM chats '
                           'JOIN projects ON projects.id = chats.project_id').fetchall()
    finally:
        db.close()
    log('projects: %r' % sorted(projects))
    log('chats: %r' % chats)
    if projects != {'Personal', PROJECT}:
        raise TestFailure('unexpected projects in the database: %r' % projects)
    if chats != [(CHAT, PROJECT)]:
        raise TestFailure('unexpected chats in the database: %r' % chats)

    keyfile = configparser.ConfigParser()
    keyfile.read(confabui.keyfile_path())
    settings = dict(keyfile['io/github/confab/Confab']) if keyfile.has_section(
        'io/github/confab/Confab') else {}
    log('settings: %r' % settings)
    saved = (settings.get('window-width'), settings.get('window-height'))
    if saved != (str(WIDTH), str(HEIGHT)):
        raise TestFailure('the window size was not saved: %r' % settings)


def second_run(apps):
    app = App('second-run')
    apps.append(app)
    app.find('frame', 'Confab')

    # The project and chat are back, still selected: the chat is open.
    sidebar_item(app, PROJECT)
    sidebar_item(app, CHAT)
    wait_for(lambda: len(app.find_all('label', CHAT)) >= 2,
             'the chat %r to be open (its title in the header)' % CHAT)
    if sidebar_items(app, DOOMED_PROJECT) or sidebar_items(app, 'New Chat'):
        raise TestFailure('deleted items came back')

    size = wait_for(lambda: app.window_size() if app.window_size() == (WIDTH, HEIGHT) else None,
                    'the window to come back at %dx%d' % (WIDTH, HEIGHT), timeout=10)
    log('restored size: %r' % (size,))

    app.key('ctrl+q')
    status = app.wait_exit()
    if status != 0:
        raise TestFailure('the app exited with status %d' % status)


def test_create_rename_delete_restart(apps):
    first_run(apps)
    check_files()
    second_run(apps)


if __name__ == '__main__':
    confabui.run([test_create_rename_delete_restart])
