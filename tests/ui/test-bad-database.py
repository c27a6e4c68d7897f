#!/usr/bin/python3
# A database the app cannot use is reported in a dialog and never touched.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import re
import sqlite3

import confabui
from confabui import App, TestFailure, log


def check_refused(apps, expected_words):
    """Starts the app on the database in place; the error dialog must say why
    (expected_words are regular expressions)."""
    path = confabui.database_path()
    before = confabui.sha256(path)
    files_before = sorted(os.listdir(confabui.data_dir()))

    app = App('bad-database')
    apps.append(app)

    dialog = app.dialog('Cannot Open Your Chats')
    labels = [confabui.clean_name(l.name) for l in app.find_all('label', root=dialog)]
    text = '\n'.join(labels)
    log('dialog says:\n' + text)
    for pattern in expected_words:
        if not re.search(pattern, text, re.IGNORECASE):
            raise TestFailure('the dialog does not say %r:\n%s' % (pattern, text))
    if path not in text:
        raise TestFailure('the dialog does not name the file %s' % path)

    # No main window was opened behind the dialog.
    if app.find_all('push button', 'New Chat'):
        raise TestFailure('the main window opened on a bad database')

    app.click('push button', 'Quit', root=dialog)
    status = app.wait_exit()
    if status != 0:
        raise TestFailure('the app exited with status %d' % status)

    if confabui.sha256(path) != before:
        raise TestFailure('the database file was changed')
    files_after = sorted(os.listdir(confabui.data_dir()))
    if files_after != files_before:
        raise TestFailure('files appeared next to the database: %s -> %s'
                          % (files_before, files_after))


def test_not_a_database(apps):
    os.makedirs(confabui.data_dir(), exist_ok=True)
    with open(confabui.database_path(), 'wb') as f:
        f.write(os.urandom(64 * 1024))

    check_refused(apps, [r'not an? (\w+ )?database'])


def test_newer_schema(apps):
    path = confabui.database_path()
    os.makedirs(confabui.data_dir(), exist_ok=True)
    if os.path.exists(path):
        os.unlink(path)
    db = sqlite3.connect(path)
    db.execute('CREATE TABLE projects (id INTEGER PRIMARY KEY, name TEXT)')
    db.execute("INSERT INTO projects (name) VALUES ('From the future')")
    db.execute('PRAGMA user_version = 999')
    db.commit()
    db.close()

    check_refused(apps, [r'newer', r'Update Confab'])


if __name__ == '__main__':
    confabui.run([test_not_a_database, test_newer_schema])
