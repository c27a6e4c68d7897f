#!/bin/sh
# Runs one UI test script under a private X server and D-Bus session, with a
# throw-away home so the developer's real chats and settings are never touched.
#
# Usage: run-ui-test.sh TEST.py|TEST-PROGRAM CONFAB_BINARY SCHEMA_DIR
#
# SPDX-License-Identifier: GPL-3.0-or-later
set -eu

script=$1
binary=$2
schema_dir=$3

tmp=$(mktemp -d "${TMPDIR:-/tmp}/confab-ui-test.XXXXXX")
trap 'rm -rf "$tmp"' EXIT INT TERM

export CONFAB_BINARY="$binary"
# keyfile, not memory: the tests restart the app and expect its state back.
export GSETTINGS_BACKEND=keyfile
export GSETTINGS_SCHEMA_DIR="$schema_dir"
export GDK_BACKEND=x11
export LC_ALL=C.UTF-8
export LANGUAGE=C
# No __pycache__ in the source tree.
export PYTHONDONTWRITEBYTECODE=1
# Under AddressSanitizer (confab.sh test runs these in _build-asan too):
# GTK, Pango and fontconfig keep caches alive to the end of the process,
# which LeakSanitizer would report by the thousand, so leaks are not checked
# here (the core and server tests check them, with ASan and valgrind).
# Memory errors and undefined behaviour stay fatal. Without leak checks the
# slow, deep unwinding on every malloc (confab.sh asks for it so that the
# leak suppressions see GLib's frames) only slows GTK down 4-5 times. The
# last flag wins.
if [ -n "${ASAN_OPTIONS:-}" ]; then
  export ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0:fast_unwind_on_malloc=1:malloc_context_size=8"
fi
# A private session inside a private X server (see HEADLESS.md for the order).
unset DISPLAY WAYLAND_DISPLAY DBUS_SESSION_BUS_ADDRESS GTK_A11Y NO_AT_BRIDGE

# xvfb-run -a can lose the race for a display number against an X server
# started at the same moment by another run, and end up talking to a server
# that goes away. So start the search at a random number far from :99, probe
# the display, and when it is (or becomes) unusable, the test exits with 99
# and runs again from scratch on another number.
display=$(( ($$ * 7919 + $(date +%N | sed 's/^0*//;s/^$/0/') / 1000) % 20000 + 1000 ))
attempt=1
while :; do
  home="$tmp/attempt-$attempt"
  mkdir -p "$home/home" "$home/data" "$home/config" "$home/cache" "$home/runtime"
  chmod 700 "$home/runtime"
  export HOME="$home/home"
  export XDG_DATA_HOME="$home/data"
  export XDG_CONFIG_HOME="$home/config"
  export XDG_CACHE_HOME="$home/cache"
  export XDG_RUNTIME_DIR="$home/runtime"

  # Not exec: the trap must still clean up after the session ends.
  status=0
  # -noreset: by default the X server resets when its last client leaves
  # (xdpyinfo below, the AT-SPI bus launcher); a client connecting during
  # that reset is refused ("cannot open display").
  xvfb-run -a -n "$display" -s "-screen 0 1280x1024x24 -noreset" \
    dbus-run-session -- \
    sh -c 'xdpyinfo >/dev/null 2>&1 || exit 99
           case "$0" in *.py) exec /usr/bin/python3 "$0" ;; *) exec "$0" ;; esac' "$script" \
    || status=$?
  if [ "$status" -ne 99 ] || [ "$attempt" -ge 3 ]; then
    break
  fi
  echo "# display :$display was not usable, running again on another one"
  attempt=$((attempt + 1))
  display=$((display + 97))
done
exit $status
