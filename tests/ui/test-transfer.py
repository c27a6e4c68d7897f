#!/usr/bin/python3
# Import and export in the app: a ChatGPT conversations.json imported from
# the main menu through the file chooser (two chats, one with an edited
# branch, only the line the user saw coming in), the open chat exported as
# Markdown and as JSON from the chat menu, the JSON export imported back,
# and a broken file refused with a message and nothing created.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import json
import os
import shutil
import subprocess
import tempfile

import confabui
from confabui import App, TestFailure, log, query, wait_for

LISBON = 'Lisbon weekend'
BREAD = 'Sourdough starter'

# The line of each chat the user last saw, oldest first: (role, text, model).
LISBON_LINE = [
    ('user', 'Plan a weekend in Lisbon for us.', None),
    ('assistant', 'Day one: Alfama, then tram 28 up to the castle.', 'gpt-4o'),
    ('user', 'Where should we eat pastéis de nata?', None),
    ('assistant', 'Pastéis de Belém, early, before the queue.', 'gpt-4o'),
]
# The branch that was edited away: in the file, never imported.
LISBON_OLD_BRANCH = [
    ('user', 'What about a day trip to Porto?', None),
    ('assistant', 'Porto is three hours north by train.', 'gpt-4o'),
]
BREAD_LINE = [
    ('user', 'How often do I feed a sourdough starter?', None),
    ('assistant', 'Once a day at room temperature, weekly in the fridge.', 'gpt-4'),
]


def node(node_id, parent, children, role=None, text=None, model=None, time=None):
    """A node of a ChatGPT "mapping" tree; no role makes the empty root."""
    message = None
    if role is not None:
        message = {
            'id': node_id,
            'author': {'role': role, 'name': None, 'metadata': {}},
            'create_time': time,
            'update_time': None,
            'content': {'content_type': 'text', 'parts': [text]},
            'status': 'finished_successfully',
            'end_turn': True if role == 'assistant' else None,
            'weight': 1.0,
            'metadata': {'model_slug': model} if model else {},
            'recipient': 'all',
        }
    return {'id': node_id, 'message': message, 'parent': parent, 'children': children}


def conversation(title, start, line, branch_at=None, old_branch=()):
    """A conversation whose current line is `line`; `old_branch` hangs off
    the message at index branch_at, before the line's next message (so it
    is the older sibling, as ChatGPT lists edits)."""
    mapping = {'root': node('root', None, [])}
    parent = 'root'
    ids = []
    for i, (role, text, model) in enumerate(line):
        node_id = 'n%d' % i
        mapping[node_id] = node(node_id, parent, [], role, text, model, start + 10 * i)
        mapping[parent]['children'].append(node_id)
        ids.append(node_id)
        if branch_at is not None and i == branch_at:
            old_parent = node_id
            for j, (orole, otext, omodel) in enumerate(old_branch):
                old_id = 'old%d' % j
                mapping[old_id] = node(old_id, old_parent, [], orole, otext, omodel,
                                       start + 10 * i + 1 + j)
                mapping[old_parent]['children'].append(old_id)
                old_parent = old_id
        parent = node_id
    return {
        'title': title,
        'create_time': float(start),
        'update_time': float(start + 10 * len(line)),
        'mapping': mapping,
        'current_node': ids[-1],
        'id': 'conv-' + title.replace(' ', '-'),
    }


def write_files(folder):
    export = [
        conversation(LISBON, 1700000000, LISBON_LINE, branch_at=1,
                     old_branch=LISBON_OLD_BRANCH),
        conversation(BREAD, 1700100000, BREAD_LINE),
    ]
    good = os.path.join(folder, 'conversations.json')
    with open(good, 'w', encoding='utf-8') as f:
        json.dump(export, f, ensure_ascii=False, indent=1)
    broken = os.path.join(folder, 'broken.json')
    with open(broken, 'w', encoding='utf-8') as f:
        f.write('[{"title": "Half a file", "mapping": {')
    return good, broken


# ---- The file chooser (GtkFileChooserNative shows an in-process
# GtkFileChooserDialog on GTK 4.8 outside a sandbox)

def chooser(app, title):
    """The chooser window; AT-SPI gives it the role "filler"."""
    def find():
        root = app.accessible()
        for i in range(root.childCount):
            window = root.getChildAtIndex(i)
            if window is not None and window.name == title and \
                    app.find_all('push button', 'Cancel', root=window):
                return window
        return None
    return wait_for(find, 'the file chooser %r' % title)


def chooser_keys(app, title, keys):
    """Keys to the chooser's own X window. (xdotool ORs --pid and --name
    unless told --all, which would pick the main window.)"""
    pid = str(app.accessible().get_process_id())

    def search():
        out = subprocess.run(['xdotool', 'search', '--all', '--onlyvisible', '--pid', pid,
                              '--name', '^%s$' % title], capture_output=True, text=True)
        ids = out.stdout.split()
        return ids[0] if ids else None

    wid = wait_for(search, 'the window %r on X11' % title)
    confabui.xdotool('windowfocus', '--sync', wid)
    subprocess.run(['xdotool', 'key', '--clearmodifiers', keys], check=True)


def entry_text(entry):
    text = entry.queryText()
    return text.getText(0, text.characterCount)


def choose(app, title, path, accept, typed_name=None):
    """Picks `path` in the chooser titled `title` by typing it, then
    `accept`. An open dialog shows the location entry on "/" (like Ctrl+L,
    but no toggle, so sending it again is safe); a save dialog has its name
    entry, which takes a whole path and should hold `typed_name`."""
    window = chooser(app, title)
    if typed_name is None:
        entry = None
        for _ in range(4):
            chooser_keys(app, title, 'slash')
            try:
                entry = wait_for(lambda: app.find_all('text', root=window),
                                 'the location entry in %r' % title, timeout=8)[0]
                break
            except TestFailure as e:
                log('%s; typing "/" again' % e)
        if entry is None:
            log(confabui.dump(window))
            raise TestFailure('no location entry in %r' % title)
    else:
        entry = app.find('text', root=window)
        wait_for(lambda: entry_text(entry) == typed_name,
                 'the suggested name %r (it is %r)' % (typed_name, entry_text(entry)))
    entry.queryEditableText().setTextContents(path)
    wait_for(lambda: entry_text(entry) == path, 'the entry to hold %r' % path)
    app.click('push button', accept, root=window)
    wait_for(lambda: not any(app.accessible().getChildAtIndex(i) is not None and
                             app.accessible().getChildAtIndex(i).name == title
                             for i in range(app.accessible().childCount)),
             'the file chooser %r to close' % title)


def import_file(app, path):
    app.click('push button', 'Main Menu')
    app.click('menu item', 'Import Chats…')
    choose(app, 'Import Chats', path, 'Import')


def export_chat(app, item, path, suggested):
    app.click('push button', 'Chat Menu')
    app.click('menu item', item)
    choose(app, 'Export Chat', path, 'Export', typed_name=suggested)


# ---- Checks

def chats(app):
    return confabui.list_labels(app, 'Chats')


def chat_open(app, title):
    """Selected in the list and shown: its title in the chat's header too."""
    return len(app.find_all('label', title)) >= 2


def shows_line(app, line):
    return all(app.find_all('label', contains=text, inside='list item') for _, text, _ in line)


def stored_line(title):
    """Each chat with this title: its main line as (role, text, model)."""
    lines = []
    for (chat_id,) in query('SELECT id FROM chats WHERE title = ? ORDER BY id', (title,)):
        lines.append(query('SELECT role, content, model FROM messages'
                           ' WHERE chat_id = ? AND parent_id IS NULL ORDER BY created, id',
                           (chat_id,)))
    return lines


def check_stored(title, line, copies=1):
    expected = [list(m) for m in line]
    got = [[list(row) for row in rows] for rows in stored_line(title)]
    if got != [expected] * copies:
        raise TestFailure('the database holds for %r:\n%r\nexpected %d of:\n%r'
                          % (title, got, copies, expected))


def wait_file(path):
    wait_for(lambda: os.path.exists(path), 'the export %s to be written' % path)
    with open(path, encoding='utf-8') as f:
        return f.read()


def test_import_export(apps):
    folder = tempfile.mkdtemp(prefix='transfer-',
                              dir=os.environ.get('CONFAB_TEST_ARTIFACTS'))
    good, broken = write_files(folder)
    confabui.create_database(apps)
    app = App('transfer')
    apps.append(app)
    app.find('frame', 'Confab')
    app.find('label', 'No Chats')

    # Into the selected project; the first chat of the file opens.
    import_file(app, good)
    app.find('label', 'Imported 2 chats')
    wait_for(lambda: sorted(chats(app)) == sorted([LISBON, BREAD]),
             'both imported chats in the list (it is %r)' % chats(app))
    wait_for(lambda: chat_open(app, LISBON), '%r to be open' % LISBON)
    wait_for(lambda: shows_line(app, LISBON_LINE), 'the messages of %r' % LISBON)
    for _, text, _ in LISBON_OLD_BRANCH:
        if app.find_all('label', contains=text):
            raise TestFailure('a branch the user had left shows: %r' % text)

    projects = query('SELECT DISTINCT p.name FROM chats c JOIN projects p ON p.id = c.project_id')
    if projects != [('Personal',)]:
        raise TestFailure('imported into %r, not the selected project' % projects)
    check_stored(LISBON, LISBON_LINE)
    check_stored(BREAD, BREAD_LINE)
    if query("SELECT count(*) FROM messages WHERE content LIKE '%Porto%'") != [(0,)]:
        raise TestFailure('the old branch was imported')

    # The other chat opens with its own messages.
    app.mouse_click(app.find('label', BREAD, inside='list item'))
    wait_for(lambda: chat_open(app, BREAD) and shows_line(app, BREAD_LINE),
             '%r to open with its messages' % BREAD)

    # Back to Lisbon, exported as Markdown, then as JSON, from the chat menu.
    app.mouse_click(app.find('label', LISBON, inside='list item'))
    wait_for(lambda: chat_open(app, LISBON) and shows_line(app, LISBON_LINE),
             '%r to open again' % LISBON)
    markdown_path = os.path.join(folder, 'lisbon-export.md')
    export_chat(app, 'Export as Markdown…', markdown_path, LISBON + '.md')
    app.find('label', 'Exported “%s”' % LISBON)
    markdown = wait_file(markdown_path)
    log('Markdown export:\n' + markdown)
    if LISBON not in markdown.splitlines()[0]:
        raise TestFailure('the Markdown export does not start with the title')
    for _, text, _ in LISBON_LINE:
        if text not in markdown:
            raise TestFailure('the Markdown export lacks %r' % text)
    if 'Porto' in markdown:
        raise TestFailure('the Markdown export has the old branch')

    json_path = os.path.join(folder, 'lisbon-export.json')
    export_chat(app, 'Export as JSON…', json_path, LISBON + '.json')
    document = json.loads(wait_file(json_path))
    if document.get('format') != 'confab-chat' or len(document.get('chats', [])) != 1:
        raise TestFailure('not a one-chat Confab export: %r' % document)
    chat = document['chats'][0]
    got = [(m['role'], m['text'], m['model']) for m in chat['messages']]
    if chat['title'] != LISBON or got != LISBON_LINE:
        raise TestFailure('the JSON export holds %r: %r' % (chat['title'], got))

    # The JSON export reads back in: a second Lisbon chat, the same line.
    import_file(app, json_path)
    app.find('label', 'Imported 1 chat')
    wait_for(lambda: chats(app).count(LISBON) == 2, 'a second %r in the list' % LISBON)
    check_stored(LISBON, LISBON_LINE, copies=2)

    # A broken file: the error says what is wrong, and nothing is created.
    before = query('SELECT count(*) FROM chats'), query('SELECT count(*) FROM projects')
    listed = sorted(chats(app))
    import_file(app, broken)
    dialog = app.dialog('Import Failed')
    message = app.find('label', contains='is not valid JSON', root=dialog)
    log('error shown: %s' % message.name)
    if 'broken.json' not in message.name:
        raise TestFailure('the error does not name the file: %r' % message.name)
    app.click('push button', 'Close', root=dialog)
    app.wait_gone('label', 'Import Failed')
    after = query('SELECT count(*) FROM chats'), query('SELECT count(*) FROM projects')
    if after != before or sorted(chats(app)) != listed:
        raise TestFailure('a failed import changed something: %r -> %r' % (before, after))

    app.key('ctrl+q')
    if app.wait_exit() != 0:
        raise TestFailure('the app did not exit cleanly')
    app.check_log()
    # Kept for a look only when something failed.
    shutil.rmtree(folder)


if __name__ == '__main__':
    confabui.run([test_import_export])
