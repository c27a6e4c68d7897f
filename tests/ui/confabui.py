# confabui.py: helpers for driving the Confab app through AT-SPI and xdotool.
#
# Every wait polls with a deadline instead of sleeping a fixed time, and every
# failure says what was expected and shows the app's log.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import hashlib
import os
import re
import subprocess
import sys
import tempfile
import time
import traceback

import pyatspi

DEFAULT_TIMEOUT = 20


class TestFailure(Exception):
    pass


def xdotool(*args, check=True):
    """Runs xdotool with a time limit. "--sync" waits for an X event that
    may never come (a pointer already where it is sent, a window that is
    not mapped); a clear failure beats a test hanging until meson kills it."""
    try:
        return subprocess.run(['xdotool'] + [str(a) for a in args], check=check,
                              timeout=DEFAULT_TIMEOUT, capture_output=True, text=True)
    except subprocess.TimeoutExpired:
        raise TestFailure('xdotool %s did not return within %ds'
                          % (' '.join(str(a) for a in args), DEFAULT_TIMEOUT))


class DisplayLost(TestFailure):
    """The X server went away under us: not the app's fault, run again."""


# run-ui-test.sh runs the whole test again on another display.
EXIT_DISPLAY_LOST = 99


def log(message):
    for line in str(message).splitlines() or ['']:
        print('# ' + line, flush=True)


def wait_for(predicate, what, timeout=DEFAULT_TIMEOUT, interval=0.1):
    """Polls predicate until it returns something true; returns that."""
    deadline = time.monotonic() + timeout
    last_error = None
    while True:
        try:
            result = predicate()
            if result:
                return result
        except TestFailure:  # a real failure, like the app crashing: stop now
            raise
        except Exception as e:  # objects vanish while the UI changes
            last_error = e
        if time.monotonic() > deadline:
            detail = ' (last error: %r)' % last_error if last_error else ''
            raise TestFailure('timed out after %ds waiting for %s%s' % (timeout, what, detail))
        time.sleep(interval)


def sha256(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def data_dir():
    return os.path.join(os.environ['XDG_DATA_HOME'], 'confab')


def database_path():
    return os.path.join(data_dir(), 'confab.db')


def keyfile_path():
    return os.path.join(os.environ['XDG_CONFIG_HOME'], 'glib-2.0', 'settings', 'keyfile')


def clean_name(name):
    return (name or '').replace('_', '')


def walk(acc, ancestors=(), max_depth=60):
    """Yields (accessible, roles of its ancestors) for acc and its descendants.

    Only ever walks down: asking GTK 4.8 for the parent of some objects (stack
    pages) can hit an assertion in its AT-SPI code."""
    if acc is None or len(ancestors) > max_depth:
        return
    yield acc, ancestors
    try:
        count = acc.childCount
        role = acc.getRoleName()
    except Exception:
        return
    for i in range(count):
        try:
            child = acc.getChildAtIndex(i)
        except Exception:
            continue
        yield from walk(child, ancestors + (role,), max_depth)


def is_showing(acc):
    """GTK 4.8 sets SHOWING on toplevels only; widgets that are not on screen
    (other stack pages, closed popovers) have an empty extent."""
    try:
        if acc.getState().contains(pyatspi.STATE_SHOWING):
            return True
        extents = acc.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        return extents.width > 0 and extents.height > 0
    except Exception:
        return False


def has_action(acc):
    try:
        return acc.queryAction().nActions > 0
    except Exception:
        return False


def name_matches(acc_name, wanted):
    """GTK 4.8 names a button with a mnemonic label "_Quit Quit"."""
    name = clean_name(acc_name)
    return name == wanted or name == wanted + ' ' + wanted


def is_sensitive(acc):
    try:
        return acc.getState().contains(pyatspi.STATE_SENSITIVE)
    except Exception:
        return False


def dump(acc, depth=0, max_depth=40):
    """The tree as text, for failure messages."""
    lines = []

    def visit(node, level):
        if node is None or level > max_depth:
            return
        try:
            lines.append('%s%s %r%s' % ('  ' * level, node.getRoleName(), node.name,
                                        '' if is_showing(node) else ' (hidden)'))
            for i in range(node.childCount):
                visit(node.getChildAtIndex(i), level + 1)
        except Exception as e:
            lines.append('%s<gone: %r>' % ('  ' * level, e))

    visit(acc, depth)
    return '\n'.join(lines)


class App:
    """One run of the confab binary with its output in a log file."""

    def __init__(self, label='app', extra_env=None, args=()):
        """extra_env: variables to set or override for this run (another HOME
        and XDG dirs run a second, independent app); args: extra arguments."""
        self.binary = os.environ['CONFAB_BINARY']
        self.log_file = tempfile.NamedTemporaryFile(prefix='confab-%s-' % label, suffix='.log',
                                                    delete=False)
        env = dict(os.environ)
        env.update(extra_env or {})
        self.env = env
        # A critical in the app is a bug: make it crash the run.
        env['G_DEBUG'] = 'fatal-criticals'
        env.setdefault('G_MESSAGES_DEBUG', '')
        # CONFAB_TEST_WRAPPER="gdb -batch -ex run -ex bt --args" and the like, for
        # debugging: the app is then found by its name, not the wrapper's pid.
        self.wrapper = os.environ.get('CONFAB_TEST_WRAPPER', '').split()
        log('starting %s' % ' '.join(self.wrapper + [self.binary]))
        self.proc = subprocess.Popen(self.wrapper + [self.binary] + list(args),
                                     stdout=self.log_file, stderr=subprocess.STDOUT, env=env)
        self._accessible = None
        self._window_id = None

    # ---- process

    def log_text(self):
        try:
            with open(self.log_file.name, encoding='utf-8', errors='replace') as f:
                return f.read()
        except OSError:
            return ''

    def running(self):
        return self.proc.poll() is None

    def wait_exit(self, timeout=DEFAULT_TIMEOUT):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            raise TestFailure('the app did not exit within %ds' % timeout)

    def kill(self):
        if self.running():
            self.proc.kill()
            self.proc.wait()

    def raise_exited(self):
        text = self.log_text()
        if 'cannot open display' in text:
            raise DisplayLost('the X server went away:\n' + text)
        raise TestFailure('the app exited early (status %s):\n%s'
                          % (self.proc.returncode, text))

    def check_log(self):
        """GTK or GLib warnings in the output are failures too."""
        bad = [line for line in self.log_text().splitlines()
               if ('-WARNING **' in line or '-CRITICAL **' in line)
               and 'Screen coordinates' not in line]
        if bad:
            raise TestFailure('the app printed warnings:\n' + '\n'.join(bad))

    # ---- accessibility

    def accessible(self, timeout=DEFAULT_TIMEOUT):
        def find():
            if not self.running():
                self.raise_exited()
            desktop = pyatspi.Registry.getDesktop(0)
            for i in range(desktop.childCount):
                app = desktop.getChildAtIndex(i)
                try:
                    if app is None:
                        continue
                    if app.get_process_id() == self.proc.pid:
                        return app
                    if self.wrapper and app.name == os.path.basename(self.binary):
                        return app
                except Exception:
                    continue
            return None

        if self._accessible is None:
            self._accessible = wait_for(find, 'the app on the accessibility bus', timeout)
        return self._accessible

    def find_all(self, role=None, name=None, contains=None, showing=True, root=None,
                 inside=None):
        """Matching descendants of root (the app); inside is the role of an
        ancestor they must have, like 'list item'."""
        root = root or self.accessible()
        found = []
        for acc, ancestors in walk(root):
            if inside is not None and inside not in ancestors:
                continue
            try:
                if role is not None and acc.getRoleName() != role:
                    continue
                acc_name = clean_name(acc.name)
                if name is not None and not name_matches(acc.name, name):
                    continue
                if contains is not None and contains.lower() not in acc_name.lower():
                    continue
                if showing and not is_showing(acc):
                    continue
            except Exception:
                continue
            found.append(acc)
        return found

    def find(self, role=None, name=None, contains=None, showing=True, root=None,
             inside=None, timeout=DEFAULT_TIMEOUT):
        what = 'a %s named %r' % (role or 'widget', name if name is not None else contains)

        def check():
            if not self.running():
                self.raise_exited()
            items = self.find_all(role, name, contains, showing, root, inside)
            return items[0] if items else None

        try:
            return wait_for(check, what, timeout)
        except TestFailure:
            if self.running():
                log(dump(root or self.accessible()))
            raise

    def wait_gone(self, role=None, name=None, contains=None, root=None, inside=None,
                  timeout=DEFAULT_TIMEOUT):
        what = 'no %s named %r' % (role or 'widget', name if name is not None else contains)
        wait_for(lambda: not self.find_all(role, name, contains, True, root, inside),
                 what, timeout)

    def _actionable(self, role, name, root=None):
        """The first sensitive match with an action, or None."""
        for acc in self.find_all(role, name, root=root):
            if has_action(acc) and is_sensitive(acc):
                return acc
        return None

    def click(self, role, name, root=None, timeout=DEFAULT_TIMEOUT):
        """Waits for a sensitive widget with an action and runs the first one
        (click). A GtkMenuButton shows up as a button around a button: the
        inner one has the action."""
        try:
            acc = wait_for(lambda: self._actionable(role, name, root),
                           'a sensitive %s named %r' % (role, name), timeout)
        except TestFailure:
            if self.running():
                log(dump(root or self.accessible()))
            raise
        acc.queryAction().doAction(0)
        return acc

    def dialog(self, heading, timeout=DEFAULT_TIMEOUT):
        """The dialog window showing a label with the heading."""
        def check():
            app = self.accessible()
            for i in range(app.childCount):
                window = app.getChildAtIndex(i)
                if window is None or window.getRoleName() not in ('dialog', 'alert'):
                    continue
                if self.find_all('label', heading, root=window):
                    return window
            return None

        try:
            return wait_for(check, 'a dialog titled %r' % heading, timeout)
        except TestFailure:
            if self.running():
                log(dump(self.accessible()))
            raise

    def type_into_dialog(self, dialog, text):
        entry = self.find('text', root=dialog)
        entry.queryEditableText().setTextContents(text)
        wait_for(lambda: entry.queryText().getText(0, entry.queryText().characterCount) == text,
                 'the entry to contain %r' % text)

    # ---- X11, through xdotool

    def x11_window_id(self, title, timeout=DEFAULT_TIMEOUT):
        """One of the app's windows (the main one, a dialog, Preferences),
        by title."""
        pid = str(self.accessible().get_process_id())

        def search():
            # --all: xdotool ORs the conditions otherwise (any "Confab").
            out = subprocess.run(['xdotool', 'search', '--all', '--onlyvisible', '--pid', pid,
                                  '--name', '^%s$' % title],
                                 capture_output=True, text=True)
            ids = out.stdout.split()
            return ids[0] if ids else None

        return wait_for(search, 'the window %r on X11' % title, timeout)

    def window_id(self, timeout=DEFAULT_TIMEOUT):
        """The main window."""
        if self._window_id is None:
            self._window_id = self.x11_window_id('Confab', timeout)
        return self._window_id

    def raise_window(self):
        """On top of the other apps' windows (there is no window manager):
        pointer input goes to the topmost window."""
        subprocess.run(['xdotool', 'windowraise', self.window_id()], check=True)

    def key(self, keys):
        """Sends a key combination to the main window, as a user would type it."""
        wid = self.window_id()
        self.raise_window()
        xdotool('windowfocus', '--sync', wid)
        subprocess.run(['xdotool', 'key', '--clearmodifiers', keys], check=True)

    def key_to(self, title, keys):
        """Sends keys to another of the app's windows (a dialog), by title."""
        wid = self.x11_window_id(title)
        xdotool('windowfocus', '--sync', wid)
        subprocess.run(['xdotool', 'key', '--clearmodifiers', keys], check=True)

    def _pointer_over(self, acc):
        """The pointer in the middle of a widget, the window on top.
        Extents are relative to the window."""
        extents = acc.queryComponent().getExtents(pyatspi.WINDOW_COORDS)
        x = extents.x + extents.width // 2
        y = extents.y + extents.height // 2
        self.raise_window()
        # "mousemove --sync" waits for the pointer to move: when it is already
        # there, step aside first.
        subprocess.run(['xdotool', 'mousemove', '--window', self.window_id(),
                        str(x + 1), str(y + 1)], check=True)
        xdotool('mousemove', '--sync', '--window', self.window_id(), x, y)

    def mouse_click(self, acc, button=1):
        """Clicks the middle of a widget with the pointer (for what AT-SPI
        cannot do, like a right-click)."""
        self._pointer_over(acc)
        subprocess.run(['xdotool', 'click', str(button)], check=True)

    def context_menu(self, target, item, click=True, attempts=3):
        """Right-clicks the widget target() returns (found anew each time:
        list rows are recycled) until its context menu shows a sensitive
        menu item named item; activates it, or only returns it if not
        click. A right-click that lands while the window is still busy (a
        dialog just closed, rows moving, a menu closing) can open no menu:
        like a user, this clicks again after Escape."""
        for attempt in range(attempts):
            self.mouse_click(target(), button=3)
            last = attempt == attempts - 1

            def check():
                if not self.running():
                    self.raise_exited()
                return self._actionable('menu item', item)

            try:
                acc = wait_for(check, 'a sensitive menu item named %r' % item,
                               DEFAULT_TIMEOUT if last else 5)
            except TestFailure:
                if last:
                    if self.running():
                        log(dump(self.accessible()))
                    raise
                log('no menu item %r after a right-click: clicking again' % item)
                self.key('Escape')
                continue
            if click:
                acc.queryAction().doAction(0)
            return acc

    def mouse_scroll(self, acc, clicks):
        """Turns the wheel over a widget: up for positive @clicks."""
        self._pointer_over(acc)
        subprocess.run(['xdotool', 'click', '--repeat', str(abs(clicks)), '--delay', '5',
                        '4' if clicks > 0 else '5'], check=True)

    def window_size(self):
        out = subprocess.run(['xdotool', 'getwindowgeometry', self.window_id()],
                             capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            line = line.strip()
            if line.startswith('Geometry:'):
                w, h = line.split(':', 1)[1].strip().split('x')
                return int(w), int(h)
        raise TestFailure('no geometry in %r' % out)

    def resize(self, width, height):
        xdotool('windowsize', '--sync', self.window_id(), width, height)


def start_app(apps, label='app', **kwargs):
    """The app started (on apps, so it is killed after the test) with its
    main window shown; kwargs as for App."""
    app = App(label, **kwargs)
    apps.append(app)
    app.find('frame', 'Confab')
    return app


# ---- Artifacts

def artifact(name):
    return os.path.join(os.environ.get('CONFAB_TEST_ARTIFACTS', '.'), name)


def screenshot(prefix, name, window='root'):
    """The whole screen (or one X window) kept as PREFIX-NAME.png among the
    artifacts, checked for not being one flat colour. Returns its path."""
    path = artifact('%s-%s.png' % (prefix, name))
    subprocess.run(['import', '-window', window, path], check=True)
    out = subprocess.run(['identify', '-format', '%[fx:standard_deviation]', path],
                         capture_output=True, text=True, check=True).stdout
    if float(out or 0) < 0.01:
        raise TestFailure('the screenshot %s is blank' % path)
    log('%s screenshot: %s' % (time.strftime('%H:%M:%S'), path))
    return path


def brightness_screenshot(name, window='root', min_colours=32):
    """The screen (or one X window) kept as NAME among the artifacts,
    checked to have min_colours colours at least (not blank); returns its
    mean brightness (0 to 1), to tell a dark style from a light one."""
    path = artifact(name)
    subprocess.run(['import', '-window', window, path], check=True)
    colours = int(subprocess.run(['identify', '-format', '%k', path], check=True,
                                 capture_output=True, text=True).stdout)
    mean = float(subprocess.run(['identify', '-format', '%[fx:mean]', path], check=True,
                                capture_output=True, text=True).stdout)
    log('screenshot %s: %d colours, mean brightness %.2f' % (path, colours, mean))
    if colours < min_colours:
        raise TestFailure('the screenshot %s is (nearly) blank: %d colours' % (path, colours))
    return mean


# ---- The fake provider (tests/fake-provider) and the settings that use it

class FakeProvider:
    """tests/fake-provider on a free port: models to list and answer (its
    defaults when empty), delay in ms between streamed words (its default
    when None), extra_args such as ['--fail-model', 'fake-three=404']."""

    def __init__(self, models=(), delay=None, extra_args=()):
        args = [os.environ['CONFAB_FAKE_PROVIDER']]
        if delay is not None:
            args += ['--delay', str(delay)]
        for model in models:
            args += ['--model', model]
        args += list(extra_args)
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True)
        line = self.proc.stdout.readline()
        match = re.search(r'listening on (http://\S+)', line)
        if not match:
            self.stop()
            raise TestFailure('the fake provider did not start: %r' % line)
        self.url = match.group(1)
        log('fake provider at %s' % self.url)

    def openai_env(self):
        """The variables that make the app take the fake for OpenAI."""
        return {'OPENAI_BASE_URL': self.url, 'OPENAI_API_KEY': 'fake'}

    def stop(self):
        self.proc.terminate()
        self.proc.wait()


def stop_process(proc, timeout=10):
    """SIGTERM, then SIGKILL if it is still there after @timeout seconds."""
    if proc is None or proc.poll() is not None:
        return
    proc.terminate()
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def set_default_model(model, env=None):
    """model as "provider:name"; env: another app's (its own settings)."""
    subprocess.run(['gsettings', 'set', 'io.github.confab.Confab', 'default-model',
                    "'%s'" % model], check=True, env=env)


def use_fake_openai(fake, model):
    """Apps started from now on talk to the fake as OpenAI and start with
    its model as the default."""
    os.environ.update(fake.openai_env())
    set_default_model('openai:' + model)


def start_keyring():
    """An unlocked login keyring in this session's (private) D-Bus."""
    if os.environ.get('GNOME_KEYRING_CONTROL'):
        return
    out = subprocess.run(['gnome-keyring-daemon', '--unlock', '--components=secrets'],
                         input=b'pw', capture_output=True, check=True).stdout.decode()
    for line in out.splitlines():
        name, sep, value = line.partition('=')
        if sep:
            os.environ[name] = value


# ---- The Preferences window. Typed X11 letters do not reach it under
# Xvfb (keys such as Return and Escape do): text goes in through AT-SPI.

def prefs_window(app):
    return app.find('frame', 'Preferences')


def prefs_window_id(app):
    return app.x11_window_id('Preferences')


def x11_focus():
    return subprocess.run(['xdotool', 'getwindowfocus'], capture_output=True,
                          text=True).stdout.strip()


def focus_prefs(app):
    """Without a window manager nobody hands the focus around: a closed
    popover leaves the X input focus on its unmapped surface, where keys
    go nowhere. So the focus is put back by hand when it strayed."""
    prefs = prefs_window(app)
    wid = prefs_window_id(app)
    if x11_focus() == wid and prefs.getState().contains(pyatspi.STATE_ACTIVE):
        return
    if x11_focus() == wid:
        # Focused but not active: only a real change makes GTK notice.
        xdotool('windowfocus', '--sync', app.window_id())
    xdotool('windowfocus', '--sync', wid)
    wait_for(lambda: prefs.getState().contains(pyatspi.STATE_ACTIVE),
             'the Preferences window to be active')


def prefs_keys(app, *combos):
    focus_prefs(app)
    for combo in combos:
        subprocess.run(['xdotool', 'key', '--clearmodifiers', combo], check=True)


def set_text(acc, text):
    """Through AT-SPI, and waits for the entry to hold it."""
    acc.queryEditableText().setTextContents(text)
    wait_for(lambda: acc.queryText().getText(0, acc.queryText().characterCount) == text,
             'the entry to hold %r' % text)


# ---- Seeding: the app creates and migrates the database on its first start;
# tests then add rows with sqlite3 while it is not running.

def create_database(apps):
    """Starts the app once and quits, leaving an empty, current database
    (with the default project) behind. What an earlier test of the same
    script left (database, settings) is removed first."""
    import shutil
    shutil.rmtree(data_dir(), ignore_errors=True)
    try:
        os.unlink(keyfile_path())
    except FileNotFoundError:
        pass
    app = App('create-database')
    apps.append(app)
    app.find('frame', 'Confab')
    app.key('ctrl+q')
    status = app.wait_exit()
    if status != 0:
        raise TestFailure('the app exited with status %d' % status)


def open_database():
    import sqlite3
    db = sqlite3.connect(database_path())
    db.execute('PRAGMA foreign_keys = ON')
    return db


def query(sql, params=()):
    """All rows of a query on the database, read while the app may run."""
    import sqlite3
    db = sqlite3.connect('file:%s?mode=ro' % database_path(), uri=True)
    try:
        return db.execute(sql, params).fetchall()
    finally:
        db.close()


def now_usec():
    return int(time.time() * 1000000)


def list_labels(app, list_name):
    """The first label of each row built in the list named list_name (its
    heading), in order. GtkListView only builds the rows near the view."""
    def find_list():
        for acc in app.find_all('list'):
            if clean_name(acc.name) == list_name:
                return acc
        return None

    lst = wait_for(find_list, 'the list %r' % list_name)
    labels = []
    for i in range(lst.childCount):
        item = lst.getChildAtIndex(i)
        found = app.find_all('label', root=item)
        if found:
            labels.append((found[0].queryComponent().getExtents(pyatspi.WINDOW_COORDS).y,
                           clean_name(found[0].name)))
    # Children are in no particular order once rows are recycled: sort by y.
    return [name for _, name in sorted(labels)]


def extents(acc):
    return acc.queryComponent().getExtents(pyatspi.WINDOW_COORDS)


def run(test_functions, late_plan=False):
    """Runs the tests as TAP; kills apps left running by a failed test.
    late_plan: the plan comes last, for tests meson parses as TAP: a run
    given up for a lost display then printed no plan, and the next
    attempt's is the only one."""
    if not late_plan:
        print('1..%d' % len(test_functions), flush=True)
    failed = 0
    for number, func in enumerate(test_functions, 1):
        apps = []
        try:
            func(apps)
            for app in apps:
                app.check_log()
            print('ok %d - %s' % (number, func.__name__), flush=True)
        except DisplayLost as e:
            log(str(e))
            for app in apps:
                app.kill()
            sys.exit(EXIT_DISPLAY_LOST)
        except Exception as e:
            failed += 1
            log(traceback.format_exc())
            for app in apps:
                log('--- log of pid %d ---' % app.proc.pid)
                log(app.log_text())
            print('not ok %d - %s: %s' % (number, func.__name__, str(e).splitlines()[0] if str(e) else type(e).__name__),
                  flush=True)
        finally:
            for app in apps:
                app.kill()
                try:
                    os.unlink(app.log_file.name)
                except OSError:
                    pass
    if late_plan:
        print('1..%d' % len(test_functions), flush=True)
    sys.exit(1 if failed else 0)
