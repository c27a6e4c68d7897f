#!/usr/bin/python3
# @mentions, usage and prices end to end against the fake provider: two
# aliases and a price set in Preferences (Models), "@" in the composer
# completes an alias from the keyboard (Escape only closes the list),
# "@one @two hello" gets two replies in order, the usage popover shows
# both models with their tokens and the priced one's cost, and a reply
# shows its token count.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import subprocess

import confabui
from confabui import (FakeProvider, TestFailure, log, prefs_keys, prefs_window, query, set_text,
                      wait_for)

MODELS = ['fake-one', 'fake-two', 'fake-three']
INPUT_PRICE = 1000.0
OUTPUT_PRICE = 2000.0


# ---- Preferences, driven like test-preferences.py (helpers in confabui).

def pick_model(app, prefs, picker, model):
    """Opens a model picker of the Preferences window and picks @model."""
    picker.queryAction().doAction(0)
    search = app.find('entry', 'Search Models')
    set_text(search, model)

    def listed():
        names = []
        for lst in app.find_all('list', 'Models'):
            for i in range(lst.childCount):
                labels = app.find_all('label', root=lst.getChildAtIndex(i))
                if labels:
                    names.append(confabui.clean_name(labels[0].name))
        return names == [model]

    wait_for(listed, 'the picker to list only %s' % model)
    prefs_keys(app, 'Return')
    app.wait_gone('list', 'Models')


def empty_pickers(app, prefs):
    """The add rows' model pickers (nothing chosen yet), top to bottom."""
    pickers = [p for p in app.find_all('push button', 'Model: Choose a Model', root=prefs)
               if confabui.has_action(p)]
    pickers.sort(key=lambda p: confabui.extents(p).y)
    return pickers


def aliases():
    return dict(query('SELECT alias, model FROM model_aliases'))


def add_alias(app, prefs, alias, model):
    set_text(app.find('text', 'New Alias', root=prefs), alias)
    pick_model(app, prefs, wait_for(lambda: empty_pickers(app, prefs), 'the alias picker')[0],
               model)
    app.click('push button', 'Add Alias', root=prefs)
    wait_for(lambda: aliases().get(alias) == 'openai:' + model,
             '@%s -> %s in the store (aliases: %r)' % (alias, model, aliases()))
    app.find('label', '@' + alias, root=prefs)


def set_spin(app, spin, value):
    """Through the Value interface; failing that, the text and Enter."""
    try:
        spin.queryValue().currentValue = value
    except Exception as e:
        log('no settable value (%r): typing it' % e)
    if abs(spin.queryValue().currentValue - value) < 1e-6:
        return
    text = app.find('text', root=spin) if spin.childCount else spin
    set_text(text, '%g' % value)
    prefs_keys(app, 'Return')


def prices():
    return {row[0]: (row[1], row[2]) for row in
            query('SELECT model, input_per_mtok, output_per_mtok FROM model_prices')}


def set_up_models_page(app):
    app.key('ctrl+comma')
    prefs = prefs_window(app)
    app.click('page tab', 'Models', root=prefs)
    app.find('label', 'Mention Aliases', root=prefs)
    # The defaults are listed.
    app.find('label', '@gpt', root=prefs)

    # A bad alias is refused with a message saying why.
    set_text(app.find('text', 'New Alias', root=prefs), 'two words')
    app.click('push button', 'Add Alias', root=prefs)
    app.find('label', contains='An alias is a word', root=prefs)
    if 'two words' in aliases():
        raise TestFailure('an invalid alias was stored')

    add_alias(app, prefs, 'one', 'fake-one')
    add_alias(app, prefs, 'two', 'fake-two')
    if app.find_all('label', contains='An alias is a word', root=prefs):
        raise TestFailure('the error stayed after a good alias')

    # A price for fake-one: a row with its two spin buttons.
    pick_model(app, prefs, wait_for(lambda: empty_pickers(app, prefs), 'the price picker')[-1],
               'fake-one')
    app.click('push button', 'Add Price', root=prefs)
    wait_for(lambda: 'openai:fake-one' in prices(), 'a price row for fake-one in the store')
    set_spin(app, app.find('spin button', contains='Input price of fake-one', root=prefs),
             INPUT_PRICE)
    set_spin(app, app.find('spin button', contains='Output price of fake-one', root=prefs),
             OUTPUT_PRICE)
    wait_for(lambda: prices().get('openai:fake-one') == (INPUT_PRICE, OUTPUT_PRICE),
             'the price of fake-one in the store (prices: %r)' % prices())
    confabui.screenshot('mentions', 'preferences')
    prefs_keys(app, 'Escape')
    app.wait_gone('frame', 'Preferences')


# ---- The composer and its completion

def composer(app):
    return app.find('text', 'Message')


def composer_text(app):
    entry = composer(app)
    return entry.queryText().getText(0, entry.queryText().characterCount)


def wait_composer(app, text):
    wait_for(lambda: composer_text(app) == text,
             'the composer to hold %r (it holds %r)' % (text, composer_text(app)))


def type_text(text):
    subprocess.run(['xdotool', 'type', '--delay', '40', text], check=True)


def main_keys(*combos):
    for combo in combos:
        subprocess.run(['xdotool', 'key', '--clearmodifiers', combo], check=True)


def mention_labels(app):
    """The aliases the completion list shows, top to bottom."""
    found = []
    for lst in app.find_all('list', 'Mentions'):
        for i in range(lst.childCount):
            labels = app.find_all('label', root=lst.getChildAtIndex(i))
            if labels:
                found.append((confabui.extents(labels[0]).y, confabui.clean_name(labels[0].name)))
    return [name for _, name in sorted(found)]


def wait_mentions(app, check, what):
    return wait_for(lambda: check(mention_labels(app)) and mention_labels(app),
                    'the completion to list %s (it lists %r)' % (what, mention_labels(app)))


def messages():
    return query('SELECT id, role, author, model, content, status, output_tokens FROM messages '
                 'WHERE parent_id IS NULL ORDER BY id')


def complete_mentions(app):
    app.key('ctrl+n')
    entry = composer(app)
    app.mouse_click(entry)

    # "@o" offers @one only; Escape closes the list and keeps the text.
    type_text('@o')
    wait_mentions(app, lambda names: names == ['@one'], "['@one']")
    app.find('label', contains='fake-one', inside='list')
    confabui.screenshot('mentions', 'completion')
    main_keys('Escape')
    app.wait_gone('list', 'Mentions')
    wait_composer(app, '@o')
    # Closed for this mention: typing on does not bring it back.
    type_text('n')
    wait_composer(app, '@on')
    if mention_labels(app):
        raise TestFailure('the completion came back after Escape')
    main_keys('BackSpace', 'BackSpace', 'BackSpace')
    wait_composer(app, '')

    # "@" lists every alias; Down moves to @one and Enter inserts it.
    type_text('@')
    names = wait_mentions(app, lambda names: '@one' in names and '@two' in names,
                          '@one and @two')
    log('all aliases: %r' % names)
    main_keys(*(['Down'] * names.index('@one')))
    main_keys('Return')
    wait_composer(app, '@one ')
    app.wait_gone('list', 'Mentions')

    # Tab completes too, and Enter in the list does not send.
    type_text('@tw')
    wait_mentions(app, lambda names: names == ['@two'], "['@two']")
    main_keys('Tab')
    wait_composer(app, '@one @two ')
    if messages():
        raise TestFailure('completing sent the message: %r' % (messages(),))
    type_text('hello')
    wait_composer(app, '@one @two hello')
    main_keys('Return')


def check_replies(app):
    def replies():
        rows = [r for r in messages() if r[1] == 'assistant']
        if len(rows) == 2 and all(r[5] == 'complete' for r in rows):
            return rows
        return None

    try:
        first, second = wait_for(replies, 'two complete replies', 60)
    except TestFailure:
        log('messages: %r' % (messages(),))
        raise
    log('replies: %r' % ((first, second),))
    rows = messages()
    if [r[1] for r in rows] != ['user', 'assistant', 'assistant']:
        raise TestFailure('unexpected messages: %r' % (rows,))
    if rows[0][4] != '@one @two hello':
        raise TestFailure('the prompt was stored as %r' % rows[0][4])
    # In the order of the mentions, each from its model.
    if first[3] != 'fake-one' or second[3] != 'fake-two':
        raise TestFailure('the replies are not from fake-one then fake-two: %r'
                          % ((first, second),))
    if 'Echo from fake-one: @one @two hello' not in first[4]:
        raise TestFailure('the first reply did not answer the prompt: %r' % first[4])
    # The fake echoes the last user text: for the second that is the note
    # after the first answer, which its request therefore held.
    if 'Echo from fake-two' not in second[4] or 'other models' not in second[4]:
        raise TestFailure('the second request did not follow the first answer: %r' % second[4])
    for reply in (first, second):
        if reply[6] is None or reply[6] <= 0:
            raise TestFailure('a reply has no output tokens: %r' % (reply,))
    return first, second


def check_usage(app, first, second):
    # Each reply shows its tokens; the priced one its cost too.
    tokens = '%d tokens' % first[6]
    app.find('label', contains=tokens, inside='list item')
    app.find('label', contains='%d tokens' % second[6], inside='list item')
    priced = [label for label in app.find_all('label', contains=tokens, inside='list item')
              if '·' in confabui.clean_name(label.name)]
    if not priced:
        raise TestFailure('the priced reply shows no cost next to its %s' % tokens)

    app.click('push button', 'Usage')
    app.find('list', 'Usage by Model')
    row_one = app.find('label', contains='fake-one', inside='list')
    app.find('label', contains='fake-two', inside='list')
    input_one = query("SELECT input_tokens FROM messages WHERE id = ?", (first[0],))[0][0]
    cost = (input_one * INPUT_PRICE + first[6] * OUTPUT_PRICE) / 1e6
    expected = ('%.2f' if cost >= 1 else '%.4f' if cost >= 0.01 else '%.6f') % cost
    app.find('label', expected, inside='list')
    app.find('label', 'No price set', inside='list')
    app.find('label', contains='%d out' % first[6], inside='list')
    app.find('label', contains='Total:')
    log('usage row %r, cost %s' % (row_one.name, expected))
    confabui.screenshot('mentions', 'usage')

    # "Set Price…" of the unpriced model opens Preferences on the prices.
    app.click('push button', 'Set Price…')
    prefs = prefs_window(app)
    app.find('label', 'Prices', root=prefs)
    prefs_keys(app, 'Escape')
    app.wait_gone('frame', 'Preferences')


def test_mentions_usage_prices(apps):
    confabui.create_database(apps)
    fake = FakeProvider(MODELS, delay=40)
    try:
        confabui.use_fake_openai(fake, 'fake-three')

        app = confabui.start_app(apps, 'mentions')
        set_up_models_page(app)
        complete_mentions(app)
        first, second = check_replies(app)
        check_usage(app, first, second)
        app.key('ctrl+q')
        app.wait_exit()
    finally:
        fake.stop()


if __name__ == '__main__':
    confabui.run([test_mentions_usage_prices])
