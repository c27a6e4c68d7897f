#!/bin/sh
# run-with-keyring.sh COMMAND [ARGS…]: runs COMMAND with a real, unlocked
# gnome-keyring in a private D-Bus session and a throw-away HOME, so tests
# of the keyring never touch (or need) the developer's own.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu

if [ $# -eq 0 ]; then
  echo "usage: $0 COMMAND [ARGS…]" >&2
  exit 2
fi

for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    # TAP: the whole program is skipped, not failed, where the tools are missing.
    echo "1..0 # SKIP $tool is not installed"
    exit 0
  fi
done

home=$(mktemp -d "${TMPDIR:-/tmp}/confab-keyring-XXXXXX")
trap 'rm -rf "$home"' EXIT INT TERM

mkdir -p "$home/data" "$home/config" "$home/cache" "$home/runtime"
chmod 700 "$home/runtime"

# The test's debugging settings (G_DEBUG=fatal-warnings, MALLOC_CHECK_,
# sanitizer options) are for the test, not for dbus-daemon and the keyring
# daemon: a warning inside gnome-keyring would abort it mid-test. They are
# put back just before the test starts.
kept=""
for var in G_DEBUG G_SLICE MALLOC_CHECK_ MALLOC_PERTURB_ ASAN_OPTIONS LSAN_OPTIONS \
           UBSAN_OPTIONS; do
  if eval "[ -n \"\${$var+set}\" ]"; then
    eval "export CONFAB_KEPT_$var=\"\$$var\""
    kept="$kept $var"
    unset "$var"
  fi
done

# The keyring daemon keeps its files under $HOME/.local/share/keyrings (or
# XDG_DATA_HOME); --unlock with a password on stdin creates and unlocks the
# login keyring without any prompt.
set +e
env HOME="$home" XDG_DATA_HOME="$home/data" XDG_CONFIG_HOME="$home/config" \
    XDG_CACHE_HOME="$home/cache" XDG_RUNTIME_DIR="$home/runtime" \
    CONFAB_KEPT="$kept" \
    dbus-run-session -- sh -c '
      eval "$(printf pw | gnome-keyring-daemon --unlock --components=secrets)"
      export GNOME_KEYRING_CONTROL
      for var in $CONFAB_KEPT; do
        eval "export $var=\"\$CONFAB_KEPT_$var\""
        unset "CONFAB_KEPT_$var"
      done
      unset CONFAB_KEPT
      exec ${CONFAB_VALGRIND:-} "$@"' confab-keyring "$@"
status=$?
set -e

exit $status
