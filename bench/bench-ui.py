#!/usr/bin/python3
# bench-ui.py: the app's speed against a bare libadwaita window in the same
# X server (issue #7). Run by `bench/run ui`, inside xvfb-run and
# dbus-run-session; prints a table of medians with min–max, the floor, the
# ratio and the target.
#
# The app reports its frames itself (src/ui/confab-bench-probe.c, only
# under CONFAB_BENCH_PROBE): "confab-bench EVENT USEC" on stdout, USEC on
# CLOCK_MONOTONIC, the clock time.monotonic() reads here, so "from process
# start" is from just before the fork.
#
# SPDX-License-Identifier: GPL-3.0-or-later

import argparse
import os
import re
import resource
import shutil
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

TICKS = os.sysconf('SC_CLK_TCK')


def now_us():
    return time.monotonic_ns() // 1000


def log(text):
    print('# ' + text, file=sys.stderr, flush=True)


class Run:
    """One process with fresh XDG dirs, its probe lines read as they come."""

    def __init__(self, argv, data_dir=None, env=None, probe='1'):
        self.home = tempfile.mkdtemp(prefix='confab-bench-')
        e = dict(os.environ)
        for name in ('data', 'config', 'cache'):
            os.makedirs(os.path.join(self.home, name))
        e.update({
            'HOME': self.home,
            'XDG_DATA_HOME': os.path.join(self.home, 'data'),
            'XDG_CONFIG_HOME': os.path.join(self.home, 'config'),
            'XDG_CACHE_HOME': os.path.join(self.home, 'cache'),
            # keyfile: the chat to open is written there, as the app left it.
            'GSETTINGS_BACKEND': 'keyfile',
            'GDK_BACKEND': 'x11',
            # No accessibility bus: both processes as most users run them.
            'GTK_A11Y': 'none',
            'NO_AT_BRIDGE': '1',
            'CONFAB_BENCH_PROBE': probe,
        })
        e.update(env or {})
        if data_dir is not None:
            target = os.path.join(self.home, 'data', 'confab')
            os.makedirs(target)
            for name in os.listdir(data_dir):
                source = os.path.join(data_dir, name)
                # Hard links: a 1M-message store is not copied for each run.
                # A small one is: the app writes to what it opens, and its
                # WAL, recreated on close, would no longer match a linked
                # database (the next run then finds it malformed).
                if os.path.getsize(source) > 64 * 1024 * 1024:
                    os.link(source, os.path.join(target, name))
                else:
                    shutil.copy2(source, os.path.join(target, name))
            self.remember_chat(os.path.join(target, 'confab.db'))
        self.start = now_us()
        self.proc = subprocess.Popen(argv, env=e, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, text=True)
        self.events = {}

    def remember_chat(self, db):
        """The pinned (else the latest) chat, open at start as if the user
        had left it open."""
        with sqlite3.connect('file:%s?mode=ro' % db, uri=True) as conn:
            chat, project = conn.execute('SELECT id, project_id FROM chats '
                                         'ORDER BY pinned DESC, updated DESC LIMIT 1').fetchone()
        settings = os.path.join(self.home, 'config', 'glib-2.0', 'settings')
        os.makedirs(settings)
        with open(os.path.join(settings, 'keyfile'), 'w') as f:
            f.write('[io/github/confab/Confab]\nlast-project=int64 %d\nlast-chat=int64 %d\n'
                    % (project, chat))

    def wait(self, event, timeout=120):
        deadline = time.monotonic() + timeout
        while event not in self.events:
            if time.monotonic() > deadline:
                raise RuntimeError('no "%s" from %s' % (event, self.proc.args[0]))
            line = self.proc.stdout.readline()
            if not line:
                raise RuntimeError('%s ended before "%s"' % (self.proc.args[0], event))
            m = re.match(r'confab-bench (\S+) (\d+)', line)
            if m:
                self.events[m.group(1)] = int(m.group(2))
        return self.events[event] - self.start

    def status(self, field):
        with open('/proc/%d/status' % self.proc.pid) as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
        raise RuntimeError('no %s' % field)

    def cpu_ticks(self):
        with open('/proc/%d/stat' % self.proc.pid) as f:
            fields = f.read().rsplit(')', 1)[1].split()
        return int(fields[11]) + int(fields[12])   # utime + stime

    def wakeups(self):
        """Context switches per thread (each is a wake-up or a preemption)."""
        counts = {}
        task_dir = '/proc/%d/task' % self.proc.pid
        for task in os.listdir(task_dir):
            try:
                with open(os.path.join(task_dir, task, 'status')) as f:
                    counts[task] = sum(int(line.split()[1]) for line in f
                                       if line.startswith(('voluntary_ctxt_switches',
                                                           'nonvoluntary_ctxt_switches')))
            except FileNotFoundError:
                pass
        return counts

    @staticmethod
    def wakeups_between(before, after):
        """Threads that ended since are not counted against the rest."""
        return sum(max(0, n - before.get(t, 0)) for t, n in after.items())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        shutil.rmtree(self.home, ignore_errors=True)


class Table:
    def __init__(self):
        self.rows = []

    def add(self, scenario, values, unit, floor=None, target=None, check=None):
        self.rows.append((scenario, values, unit, floor, target, check))
        self.print_row(self.rows[-1])

    @staticmethod
    def fmt(value, unit):
        if value is None:
            return '-'
        if unit == 'ms':
            return '%.0f ms' % value if value >= 100 else '%.1f ms' % value
        if unit == 'MB':
            return '%.1f MB' % value
        if unit == 's':
            return '%.2f s' % value
        return '%g %s' % (value, unit)

    def cell(self, values, unit):
        if values is None:
            return '-'
        if not isinstance(values, list):
            values = [values]
        med = statistics.median(values)
        if len(values) == 1:
            return self.fmt(med, unit)
        return '%s (%s–%s)' % (self.fmt(med, unit), self.fmt(min(values), unit).split()[0],
                               self.fmt(max(values), unit).split()[0])

    def header(self):
        print('%-46s | %-24s | %-22s | %6s | %-18s | %s' %
              ('scenario', 'Confab: median (min–max)', 'floor', 'ratio', 'target', 'met'))
        print('-' * 47 + '+' + '-' * 26 + '+' + '-' * 24 + '+' + '-' * 8 + '+' + '-' * 20 + '+' + '-' * 5,
              flush=True)

    def print_row(self, row):
        scenario, values, unit, floor, target, check = row
        ratio = '-'
        if floor is not None and values is not None:
            f = statistics.median(floor if isinstance(floor, list) else [floor])
            v = statistics.median(values if isinstance(values, list) else [values])
            ratio = '%.2f×' % (v / f) if f else '-'
        met = '-' if check is None else ('yes' if check else 'NO')
        print('%-46s | %-24s | %-22s | %6s | %-18s | %s' %
              (scenario, self.cell(values, unit), self.cell(floor, unit), ratio, target or '', met),
              flush=True)


def seed(args, name, chats, messages, open_chat):
    """A seeded store in the build tree, made once and reused."""
    directory = os.path.join(args.cache, name)
    db = os.path.join(directory, 'confab.db')
    if not os.path.exists(db):
        os.makedirs(directory, exist_ok=True)
        log('filling %s (%d chats, %d messages): once, it takes a while' % (name, chats, messages))
        subprocess.run([args.seed, '--db', db + '.part', '--chats', str(chats),
                        '--messages', str(messages), '--open-chat', str(open_chat)],
                       check=True, stdout=subprocess.DEVNULL)
        os.rename(db + '.part', db)
    return directory


def median(values):
    return statistics.median(values)


def start_runs(args, argv, data_dir, events):
    """Cold starts: the probe's events in ms from the fork, per run."""
    out = {e: [] for e in events}
    for _ in range(args.runs):
        run = Run(argv, data_dir)
        try:
            for e in events:
                out[e].append(run.wait(e) / 1000)
        finally:
            run.stop()
    return out


def rss_after_start(args, argv, data_dir, event, probe='1', settle=2.0):
    values = []
    for _ in range(max(1, args.runs // 2)):
        run = Run(argv, data_dir, probe=probe)
        try:
            run.wait(event, timeout=300)
            time.sleep(settle)
            values.append(run.status('VmRSS') / 1024)
        finally:
            run.stop()
    return values


def idle(args, argv, data_dir, event):
    run = Run(argv, data_dir)
    try:
        run.wait(event)
        # Idle is what follows the work of opening: once the CPU time has
        # not moved for 5 s. About 3 s after the chat's first frame the main
        # thread has one more burst (some 100 X round trips in a second,
        # seen with strace; its cause is not pinned down): a 2 s wait
        # could settle before it and count it as idle wake-ups.
        settle_start = time.monotonic()
        last, still = run.cpu_ticks(), 0
        while still < 5 and time.monotonic() - settle_start < 60:
            time.sleep(1)
            now = run.cpu_ticks()
            still = still + 1 if now == last else 0
            last = now
        log('settled %.0f s after "%s"' % (time.monotonic() - settle_start - 5, event))
        ticks, wakes = run.cpu_ticks(), run.wakeups()
        time.sleep(args.idle)
        return run.cpu_ticks() - ticks, Run.wakeups_between(wakes, run.wakeups())
    finally:
        run.stop()


def make_reply(path, tokens):
    """A Markdown reply of about @tokens words: prose, lists and code."""
    words = 'the model streams text with lists and code blocks to render as it comes'.split()
    parts = []
    n = 0
    i = 0
    while n < tokens:
        para = ' '.join(words[(i + k) % len(words)] for k in range(40))
        parts.append('## Part %d\n\n%s **bold** and `code`.\n\n- one %s\n- two\n- three\n\n'
                     '```python\ndef f%d(x):\n    return x * %d\n```\n\n' % (i, para, words[i % 14], i, i))
        n += 40 + 20
        i += 1
    with open(path, 'w') as f:
        f.write(''.join(parts))
    with open(path) as f:
        return len(f.read().split())


def start_fake(args, reply, delay_ms):
    proc = subprocess.Popen([args.fake, '--delay', str(delay_ms), '--model', 'bench-model',
                             '--reply-file', reply],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    m = re.search(r'listening on (http://\S+)', proc.stdout.readline())
    if not m:
        raise RuntimeError('the fake provider did not start')
    return proc, m.group(1)


def streaming(args, table):
    tmp = tempfile.mkdtemp(prefix='confab-bench-stream-')
    reply = os.path.join(tmp, 'reply.md')
    n_words = make_reply(reply, args.tokens)
    fake, url = start_fake(args, reply, 1000 // args.rate)
    env = {'OPENAI_BASE_URL': url, 'OPENAI_API_KEY': 'bench'}
    app_cpu, cli_cpu, seconds, frames = [], [], [], []
    try:
        # The chat to send in: made by the CLI, so its model is set.
        data = os.path.join(tmp, 'data')
        subprocess.run([args.cli, '--data-dir', data, '--base-url', url, 'chat', '-m',
                        'openai:bench-model', 'Hello'], check=True, stdout=subprocess.DEVNULL,
                       env=dict(os.environ, **env))
        for _ in range(args.stream_runs):
            run = Run([args.confab], data, env=env, probe='send=Write it all again')
            try:
                run.wait('send', timeout=120)
                before = run.cpu_ticks()
                perf = None
                if args.perf:
                    # Only the streaming, not the start: perf attaches after Send.
                    perf = subprocess.Popen(['perf', 'record', '-F', '499', '--call-graph',
                                             'dwarf,16384', '-o', args.perf,
                                             '-p', str(run.proc.pid)],
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                run.wait('reply-done', timeout=n_words / args.rate * 3 + 60)
                app_cpu.append((run.cpu_ticks() - before) / TICKS)
                if perf:
                    perf.send_signal(signal.SIGINT)
                    perf.wait()
                seconds.append((run.events['reply-done'] - run.events['send']) / 1e6)
                frames.append(run.events.get('reply-frames', 0))
            finally:
                run.stop()

            cli_data = tempfile.mkdtemp(prefix='confab-bench-cli-')
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            subprocess.run([args.cli, '--data-dir', cli_data, '--base-url', url, 'chat', '-m',
                            'openai:bench-model', 'Write it all again'], check=True,
                           stdout=subprocess.DEVNULL, env=dict(os.environ, **env))
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cli_cpu.append(after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime)
            shutil.rmtree(cli_data, ignore_errors=True)
    finally:
        fake.terminate()
        fake.wait()
        shutil.rmtree(tmp, ignore_errors=True)

    table.add('stream %d words at %d/s: CPU (vs confab-cli)' % (n_words, args.rate),
              app_cpu, 's', cli_cpu, '≤ 2× parse-only',
              median(app_cpu) <= 2 * median(cli_cpu))
    log('stream wall time %.1f s, %d frames painted' % (median(seconds), median(frames)))


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    parser = argparse.ArgumentParser(description='Confab against a bare libadwaita window')
    parser.add_argument('--build', default=os.path.join(here, '..', '_build-bench-ui'))
    parser.add_argument('--runs', type=int, default=5, help='cold starts per case')
    parser.add_argument('--idle', type=float, default=30, help='seconds of idle to watch')
    parser.add_argument('--tokens', type=int, default=4000, help='words of the streamed reply')
    parser.add_argument('--rate', type=int, default=100, help='words per second streamed')
    parser.add_argument('--stream-runs', type=int, default=3)
    parser.add_argument('--perf', metavar='FILE',
                        help='perf record the app while it streams (perf report -i FILE)')
    parser.add_argument('--small', action='store_true',
                        help='100 chats / 20,000 messages instead of 10,000 / 1,000,000')
    parser.add_argument('--only', default='start,rss,idle,stream,open,search',
                        help='comma-separated scenarios')
    args = parser.parse_args()

    b = os.path.abspath(args.build)
    args.confab = os.path.join(b, 'src', 'ui', 'confab')
    args.bare = os.path.join(b, 'bench', 'bench-bare-window')
    args.seed = os.path.join(b, 'bench', 'bench-seed')
    args.search = os.path.join(b, 'bench', 'bench-search')
    args.cli = os.path.join(b, 'src', 'cli', 'confab-cli')
    args.fake = os.path.join(b, 'tests', 'fake-provider')
    args.cache = os.path.join(b, 'bench-stores')
    os.environ['GSETTINGS_SCHEMA_DIR'] = os.path.join(b, 'data')
    only = set(args.only.split(','))

    if args.small:
        big = seed(args, 'small', 100, 20000, 2000)
        huge = seed(args, 'open-20k', 1, 20000, 20000)
        big_label, huge_label, chat_label = '100 chats / 20k msgs', '20k-msg chat', '2k'
    else:
        big = seed(args, 'big', 10000, 1000000, 10000)
        huge = seed(args, 'open-100k', 1, 100000, 100000)
        big_label, huge_label, chat_label = '10k chats / 1M msgs', '100k-msg chat', '10k'
    empty = None

    table = Table()
    table.header()

    def scenario(name, func):
        if name not in only:
            return
        try:
            func()
        except Exception as e:  # a scenario that fails is reported, the others still run
            print('%-46s | FAILED: %s' % (name, e), flush=True)

    def do_start():
        bare = start_runs(args, [args.bare], None, ['first-frame'])['first-frame']
        e = start_runs(args, [args.confab], empty, ['first-frame'])['first-frame']
        table.add('start → first frame, empty store', e, 'ms', bare, '≤ 1.3× bare',
                  median(e) <= 1.3 * median(bare))
        s = start_runs(args, [args.confab], big, ['first-frame', 'chat-frame'])
        table.add('start → first frame, %s' % big_label, s['first-frame'], 'ms', bare,
                  '≤ 1.3× bare', median(s['first-frame']) <= 1.3 * median(bare))
        table.add('start → %s-msg chat shown' % chat_label, s['chat-frame'], 'ms', bare, '', None)

    def do_rss():
        bare_rss = rss_after_start(args, [args.bare], None, 'first-frame')
        e = rss_after_start(args, [args.confab], empty, 'first-frame')
        table.add('RSS after start, empty store', e, 'MB', bare_rss, '', None)
        c = rss_after_start(args, [args.confab], big, 'chat-frame')
        table.add('RSS, %s-msg chat open' % chat_label, c, 'MB', bare_rss, '≤ 1.5× bare',
                  median(c) <= 1.5 * median(bare_rss))
        sc = rss_after_start(args, [args.confab], big, 'scrolled', probe='scroll', settle=1.0)
        table.add('RSS, %s-msg chat scrolled end to end' % chat_label, sc, 'MB', bare_rss,
                  '≤ 1.5× bare', median(sc) <= 1.5 * median(bare_rss))

    def do_idle():
        bt, bw = idle(args, [args.bare], None, 'first-frame')
        ct, cw = idle(args, [args.confab], big, 'chat-frame')
        table.add('idle %gs, chat open: CPU ticks' % args.idle, ct, 'ticks', bt, '0 ticks', ct == 0)
        table.add('idle %gs, chat open: wake-ups' % args.idle, cw, 'wakeups', bw, '= bare',
                  cw <= bw)

    def do_stream():
        streaming(args, table)

    def do_open():
        e = start_runs(args, [args.confab], empty, ['first-frame'])['first-frame']
        h = start_runs(args, [args.confab], huge, ['first-frame', 'chat-frame'])
        extra = [c - median(e) for c in h['chat-frame']]
        table.add('start → %s shown' % huge_label, h['chat-frame'], 'ms', e, '', None)
        table.add('  opening it (over an empty start)', extra, 'ms', None, '≤ 150 ms',
                  median(extra) <= 150)

    def do_search():
        db = os.path.join(big, 'confab.db')
        out = subprocess.run([args.search, '--db', db, 'kan', 'lon', 'kan lon', 'zuzuzun'],
                             check=True, capture_output=True, text=True).stdout
        for line in out.splitlines():
            query, found, med, lo, hi = line.split('\t')
            table.add('FTS “%s” over %s (%s hits)' % (query, big_label.split(' / ')[-1], found),
                      [float(med) * 1000, float(lo) * 1000, float(hi) * 1000], 'ms', None,
                      '≤ 50 ms', float(med) * 1000 <= 50)

    for name in ('start', 'rss', 'idle', 'stream', 'open', 'search'):
        scenario(name, locals()['do_' + name])


if __name__ == '__main__':
    main()
