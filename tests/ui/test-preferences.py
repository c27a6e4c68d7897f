#!/usr/bin/python3
# Preferences and the model picker end to end, against the fake provider and
# a real (throw-away, unlocked) gnome-keyring in the test's D-Bus session:
# the first-run state on a fresh profile; an OpenAI key and base URL entered
# in Preferences land in the keyring and the settings, and the key nowhere
# else; the picker lists, searches and picks the fake provider's models by
# keyboard; removing the key brings the first-run state back; a local
# Ollama is detected. Screenshots (light, dark, picker) are kept.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import os
import subprocess
import uuid

import confabui
from confabui import (FakeProvider, TestFailure, brightness_screenshot, focus_prefs, log,
                      prefs_keys, prefs_window, prefs_window_id, set_text, wait_for)

KEY = 'sk-confab-test-%s' % uuid.uuid4().hex
# Nothing listens there: no Ollama unless a test points OLLAMA_HOST at the fake.
NO_OLLAMA = '127.0.0.1:9'
ADD_KEY_TEXT = 'Add an API key in Preferences'


def clean_environment():
    """Only what the test sets decides which providers are configured."""
    for var in ('OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GEMINI_API_KEY', 'OPENROUTER_API_KEY',
                'OPENAI_BASE_URL', 'ANTHROPIC_BASE_URL', 'GEMINI_BASE_URL',
                'OPENROUTER_BASE_URL', 'ADW_DEBUG_COLOR_SCHEME'):
        os.environ.pop(var, None)
    os.environ['OLLAMA_HOST'] = NO_OLLAMA


def stored_key(provider):
    out = subprocess.run(['secret-tool', 'lookup', 'provider', provider],
                         capture_output=True, text=True)
    return out.stdout if out.returncode == 0 else None


def keyfile_text():
    try:
        with open(confabui.keyfile_path(), encoding='utf-8') as f:
            return f.read()
    except FileNotFoundError:
        return ''


def check_key_nowhere_else():
    """The key is in the keyring only: not in the database (and its WAL),
    not in the settings."""
    places = [confabui.keyfile_path()]
    for root, _, files in os.walk(confabui.data_dir()):
        places += [os.path.join(root, name) for name in files]
    for path in places:
        with open(path, 'rb') as f:
            if KEY.encode() in f.read():
                raise TestFailure('the API key was written to %s' % path)
    log('the key is in none of %d files' % len(places))


# ---- The Preferences window, driven through X11 where AT-SPI cannot
# (more helpers in confabui).

def click(app, acc):
    """A real click in the middle of a widget of the Preferences window."""
    wid = prefs_window_id(app)
    e = confabui.extents(acc)
    # Active first: activating it after the click would move the focus
    # inside it back to where it was.
    focus_prefs(app)
    confabui.xdotool('mousemove', '--sync', '--window', wid,
                     e.x + e.width // 3, e.y + e.height // 2, 'click', '1')


def enter_in_row(app, prefs, title, text):
    """Focuses an entry row (it offers Apply only for an edit made while
    focused), fills it and applies with Enter."""
    row = app.find('text', title, root=prefs)
    click(app, row)
    set_text(row, text)
    prefs_keys(app, 'Return')


def label(app, prefs, text, timeout=confabui.DEFAULT_TIMEOUT):
    return app.find('label', text, root=prefs, timeout=timeout)


# ---- The model picker (the Default Model row's).

def picker_button(app, prefs):
    return app.find('push button', contains='Model:', root=prefs)


def open_picker(app, prefs):
    app.click('push button', clean_picker_name(app, prefs), root=prefs)
    return wait_for(lambda: [acc for acc in app.find_all('list', 'Models')], 'the model list')[0]


def clean_picker_name(app, prefs):
    return confabui.clean_name(picker_button(app, prefs).name)


def listed_models(app):
    """The models shown in the picker's list, top to bottom."""
    found = []
    for lst in app.find_all('list', 'Models'):
        for i in range(lst.childCount):
            item = lst.getChildAtIndex(i)
            labels = app.find_all('label', root=item)
            if labels:
                found.append((confabui.extents(labels[0]).y, confabui.clean_name(labels[0].name)))
    return [name for _, name in sorted(found)]


def wait_listed(app, expected):
    wait_for(lambda: listed_models(app) == expected,
             'the picker to list %r (it lists %r)' % (expected, listed_models(app)))


def wait_picked(app, prefs, model, setting):
    wait_for(lambda: clean_picker_name(app, prefs) == 'Model: %s · OpenAI' % model,
             'the picker to show %s' % model)
    wait_for(lambda: "default-model='%s'" % setting in keyfile_text(),
             'default-model=%s in the settings' % setting)
    app.wait_gone('list', 'Models')


# ---- Tests

def test_first_run_state(apps):
    """A fresh profile with no provider: the empty state says how to start
    and opens Preferences."""
    app = confabui.start_app(apps, 'first-run')
    app.find('label', 'No Chat Selected')
    app.find('label', contains=ADD_KEY_TEXT)
    app.click('push button', 'Open Preferences')
    prefs = prefs_window(app)
    # Nothing is set up: every provider says so.
    label(app, prefs, 'Not running')
    if len(app.find_all('label', 'No API key', root=prefs)) != 4:
        raise TestFailure('not every cloud provider says "No API key"')
    app.find('push button', 'Model: No Models', root=prefs)
    prefs_keys(app, 'Escape')
    app.wait_gone('frame', 'Preferences')
    app.key('ctrl+q')
    if app.wait_exit() != 0:
        raise TestFailure('the app did not exit cleanly')


def test_key_url_and_picker(apps):
    fake = FakeProvider(extra_args=['--port', '0'])
    try:
        run_key_url_and_picker(apps, fake)
    finally:
        fake.stop()


def run_key_url_and_picker(apps, fake):
    app = confabui.start_app(apps, 'preferences')
    app.key('ctrl+comma')
    prefs = prefs_window(app)

    # OpenAI at the fake provider, then its key.
    click(app, app.find('list item', 'OpenAI', root=prefs))
    enter_in_row(app, prefs, 'Base URL', fake.url)
    wait_for(lambda: "base-urls={'openai': '%s'}" % fake.url in keyfile_text(),
             'the base URL in the settings')
    enter_in_row(app, prefs, 'API Key', KEY)
    label(app, prefs, 'Key stored in the keyring')
    label(app, prefs, '2 models found')
    if stored_key('openai') != KEY:
        raise TestFailure('the keyring holds %r for openai' % stored_key('openai'))
    check_key_nowhere_else()
    # The entry does not keep it either.
    key_row = app.find('text', 'API Key', root=prefs)
    text = key_row.queryText()
    if text.characterCount != 0:
        raise TestFailure('the key entry still holds %d characters' % text.characterCount)
    light = brightness_screenshot('preferences.png', prefs_window_id(app))

    # A provider turned off is saved as such, and back on.
    click(app, app.find('check box', 'Use Anthropic', root=prefs))
    wait_for(lambda: "disabled-providers=['anthropic']" in keyfile_text(),
             'anthropic in disabled-providers')
    label(app, prefs, 'Turned off')
    click(app, app.find('check box', 'Use Anthropic', root=prefs))
    wait_for(lambda: 'anthropic' not in keyfile_text(),
             'disabled-providers to be empty again')

    # The picker lists the fake's OpenAI models, with their context window.
    open_picker(app, prefs)
    wait_listed(app, ['gpt-4o', 'gpt-4o-mini'])
    app.find('label', contains='128K context', inside='list item')
    brightness_screenshot('model-picker.png')
    # Typing searches (the entry has the focus); Enter picks the match.
    search = app.find('entry', 'Search Models')
    set_text(search, 'MINI')
    wait_listed(app, ['gpt-4o-mini'])
    prefs_keys(app, 'Return')
    wait_picked(app, prefs, 'gpt-4o-mini', 'openai:gpt-4o-mini')
    # Arrows move through the matches; the current model is checked.
    open_picker(app, prefs)
    app.find('image', 'Current model', inside='list item')
    set_text(app.find('entry', 'Search Models'), 'openai gpt')
    wait_listed(app, ['gpt-4o', 'gpt-4o-mini'])
    prefs_keys(app, 'Down', 'Down', 'Up')
    prefs_keys(app, 'Return')
    wait_picked(app, prefs, 'gpt-4o', 'openai:gpt-4o')
    # A search that matches nothing says so; Escape closes.
    open_picker(app, prefs)
    set_text(app.find('entry', 'Search Models'), 'claude')
    app.find('label', 'No models match your search', root=None)
    prefs_keys(app, 'Escape')
    app.wait_gone('list', 'Models')

    # The dark style, chosen in Appearance and saved.
    app.click('page tab', 'Appearance', root=prefs)
    click(app, app.find('check box', 'Dark', root=prefs))
    wait_for(lambda: "color-scheme='dark'" in keyfile_text(), 'color-scheme=dark')
    app.click('page tab', 'Providers', root=prefs)
    label(app, prefs, 'Key stored in the keyring')
    dark = brightness_screenshot('preferences-dark-setting.png', prefs_window_id(app))
    if not dark < light:
        raise TestFailure('the dark style (%.2f) is not darker than the light one (%.2f)'
                          % (dark, light))
    app.click('page tab', 'Appearance', root=prefs)
    click(app, app.find('check box', 'Follow System', root=prefs))
    wait_for(lambda: "color-scheme='system'" in keyfile_text(), 'color-scheme=system')
    app.click('page tab', 'Providers', root=prefs)

    # Removing the key: out of the keyring, and nothing to chat with again.
    app.click('push button', 'Remove Key', root=prefs)
    label(app, prefs, 'No key stored')
    wait_for(lambda: stored_key('openai') is None, 'the key to leave the keyring')
    app.find('push button', 'Model: gpt-4o · OpenAI', root=prefs)
    label(app, prefs, 'Add a key to list its models')
    # Escape would first dismiss the toast: the close button instead.
    app.click('push button', 'Close', root=prefs)
    app.wait_gone('frame', 'Preferences')
    app.find('label', contains=ADD_KEY_TEXT)
    app.key('ctrl+q')
    if app.wait_exit() != 0:
        raise TestFailure('the app did not exit cleanly')

    # The system's dark style is followed (ADW_DEBUG_COLOR_SCHEME plays the
    # desktop), with the key stored again through the keyring's own tool.
    subprocess.run(['secret-tool', 'store', '--label', 'Confab test',
                    'xdg:schema', 'io.github.confab.Confab.ApiKey', 'provider', 'openai'],
                   input=KEY.encode(), check=True)
    os.environ['ADW_DEBUG_COLOR_SCHEME'] = 'prefer-dark'
    try:
        app = confabui.start_app(apps, 'preferences-dark')
        app.key('ctrl+comma')
        prefs = prefs_window(app)
        click(app, app.find('list item', 'OpenAI', root=prefs))
        label(app, prefs, '2 models found')
        label(app, prefs, 'Key stored in the keyring')
        system_dark = brightness_screenshot('preferences-dark.png', prefs_window_id(app))
    finally:
        del os.environ['ADW_DEBUG_COLOR_SCHEME']
    if not system_dark < light:
        raise TestFailure('the system dark style (%.2f) is not darker than light (%.2f)'
                          % (system_dark, light))
    app.key('ctrl+q')
    if app.wait_exit() != 0:
        raise TestFailure('the app did not exit cleanly')
    check_key_nowhere_else()


def test_ollama_detected(apps):
    """Ollama answering on OLLAMA_HOST, no key anywhere: the empty state
    says so and Preferences shows where."""
    fake = FakeProvider(extra_args=['--port', '0'])
    subprocess.run(['secret-tool', 'clear', 'provider', 'openai'], check=False)
    os.environ['OLLAMA_HOST'] = fake.url
    try:
        app = confabui.start_app(apps, 'ollama')
        app.find('label', contains='Ollama found on this computer')
        app.find('push button', 'New Chat')
        app.key('ctrl+comma')
        prefs = prefs_window(app)
        address = fake.url.split('://', 1)[1]
        label(app, prefs, 'Detected at %s' % address)
        prefs_keys(app, 'Escape')
        app.key('ctrl+q')
        if app.wait_exit() != 0:
            raise TestFailure('the app did not exit cleanly')
    finally:
        os.environ['OLLAMA_HOST'] = NO_OLLAMA
        fake.stop()


if __name__ == '__main__':
    clean_environment()
    confabui.start_keyring()
    confabui.run([test_first_run_state, test_key_url_and_picker, test_ollama_detected])
