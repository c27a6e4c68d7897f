#!/bin/bash
# confab.sh: set up, build, run and test Confab on Debian 12.
#
#   ./confab.sh run [ARGS…]      install what is missing, build, launch the app
#   ./confab.sh server [ARGS…]   install what is missing, build, run confabd
#   ./confab.sh test             install, build and run every test (normal + ASan)
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -euo pipefail

cd "$(dirname "$(readlink -f "$0")")"

BUILD_DIR=_build
ASAN_DIR=_build-asan
FUZZ_DIR=_build-fuzz

# Build and test dependencies (see /work/shared/HEADLESS.md), plus what later
# features need (Markdown, password hashing, source view, debugging tools).
PACKAGES=(
  build-essential meson ninja-build pkg-config
  libgtk-4-dev libepoxy-dev libadwaita-1-dev libsoup-3.0-dev libjson-glib-dev libsecret-1-dev
  libsqlite3-dev libgtksourceview-5-dev libmd4c-dev libmd4c-html0-dev libargon2-dev
  glib-networking openssl sqlite3
  xvfb xauth dbus-x11 gnome-keyring libsecret-tools at-spi2-core
  python3-pyatspi python3-dogtail x11-utils xdotool imagemagick
  desktop-file-utils appstream gettext
  valgrind clang
  libpq-dev postgresql redis-server libhiredis-dev haproxy
)

say () { printf '==> %s\n' "$*" >&2; }
die () { printf 'confab.sh: error: %s\n' "$*" >&2; exit 1; }

usage () {
  cat <<EOF
Usage: ./confab.sh COMMAND [ARGS…]

Commands:
  run [ARGS…]      set up, build in $BUILD_DIR and launch the app from the build tree
  server [ARGS…]   set up, build and run confabd (e.g. server --listen 127.0.0.1:0)
  test             set up, build and run every test: $BUILD_DIR (full build), then
                   $ASAN_DIR (-Dui=false, AddressSanitizer + UBSan), then the
                   fuzzers in $FUZZ_DIR (clang, libFuzzer); the last line reads
                   "N passed, M failed"
  help             show this text
EOF
}

# Installs only the packages that are missing, so a prepared machine never
# touches apt (or needs root).
ensure_packages () {
  local missing=() pkg status

  for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
    [[ $status == installed ]] || missing+=("$pkg")
  done
  [[ ${#missing[@]} -eq 0 ]] && return 0

  say "Installing missing packages: ${missing[*]}"
  local sudo=()
  if [[ $(id -u) -ne 0 ]]; then
    command -v sudo >/dev/null || die "not root and no sudo: install ${missing[*]}"
    sudo=(sudo)
  fi
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q "${missing[@]}"
}

# setup_build DIR [MESON OPTIONS…]: configure once; later runs just apply the
# options (meson reconfigures by itself when a meson.build changes).
setup_build () {
  local dir=$1; shift
  if [[ -f $dir/build.ninja ]]; then
    [[ $# -eq 0 ]] || meson configure "$dir" "$@" >/dev/null
  else
    say "Configuring $dir"
    meson setup "$dir" "$@"
  fi
}

# count_results DIR: prints "PASSED FAILED SKIPPED" from meson's test log,
# and names each failed test on stderr, so the last lines of a CI log say
# which test failed and not only how many.
count_results () {
  local log=$1/meson-logs/testlog.json
  if [[ ! -f $log ]]; then
    echo "0 1 0"
    return
  fi
  /usr/bin/python3 - "$log" <<'EOF'
import json, sys

passed = failed = skipped = 0
with open(sys.argv[1], encoding='utf-8') as log:
    for line in log:
        line = line.strip()
        if not line:
            continue
        test = json.loads(line)
        result = test.get('result', '')
        if result in ('OK', 'EXPECTEDFAIL'):
            passed += 1
        elif result == 'SKIP':
            skipped += 1
        else:  # FAIL, ERROR, TIMEOUT, UNEXPECTEDPASS, INTERRUPT
            failed += 1
            print('%s: %s after %.1f s' % (result, test.get('name', '?'),
                                            test.get('duration', 0)),
                  file=sys.stderr)
print(passed, failed, skipped)
EOF
}

# run_tests DIR [MESON TEST OPTIONS…]: runs the suite, keeping meson's
# summary for the end.
run_tests () {
  local dir=$1 out=$1/meson-logs/confab-summary.txt
  shift
  rm -f "$dir/meson-logs/testlog.json"
  say "Testing $dir"
  set +e
  meson test -C "$dir" --print-errorlogs "$@" 2>&1 | tee "$dir/meson-logs/confab-test.log"
  set -e
  # meson's own totals block: from "Ok:" to "Timeout:".
  sed -n '/^Ok:/,/^Timeout:/p' "$dir/meson-logs/confab-test.log" > "$out" || true
}

cmd_run () {
  ensure_packages
  setup_build "$BUILD_DIR" -Dui=true
  meson compile -C "$BUILD_DIR"
  say "Launching Confab from $BUILD_DIR"
  GSETTINGS_SCHEMA_DIR="$PWD/$BUILD_DIR/data" exec "$BUILD_DIR/src/ui/confab" "$@"
}

cmd_server () {
  # Set-up chatter goes to stderr: scripts read confabd's listening line on stdout.
  {
    ensure_packages
    setup_build "$BUILD_DIR"
    meson compile -C "$BUILD_DIR" confabd:executable
  } >&2
  exec "$BUILD_DIR/src/server/confabd" "$@"
}

cmd_test () {
  local total_passed=0 total_failed=0 total_skipped=0 dir passed failed skipped

  ensure_packages

  setup_build "$BUILD_DIR" -Dui=true
  meson compile -C "$BUILD_DIR" || die "the build in $BUILD_DIR failed"
  run_tests "$BUILD_DIR"

  # Core and server again under AddressSanitizer, LeakSanitizer and UBSan.
  # (The app's tests pass under them too, but take twice as long: see
  # docs/security.md, "Sanitizers", for that run.)
  setup_build "$ASAN_DIR" -Dui=false -Db_sanitize=address,undefined -Db_lundef=false
  meson compile -C "$ASAN_DIR" || die "the build in $ASAN_DIR failed"
  # - G_SLICE: GLib 2.74 still has its slice allocator, which hides heap errors.
  # - intercept_tls_get_addr=0: LeakSanitizer crashes on glibc's dynamic TLS
  #   otherwise (google/sanitizers#1322).
  # - fast_unwind_on_malloc=0: Debian's GLib has no frame pointers, so only slow
  #   unwinding sees the GLib frames the suppressions name; 16 frames reach
  #   g_socket_accept under GObject construction and keep it
  #   affordable. For a deeper stack, rerun one test with malloc_context_size=30.
  local asan=halt_on_error=1:abort_on_error=1:print_summary=1:detect_leaks=1
  asan+=:intercept_tls_get_addr=0:fast_unwind_on_malloc=0:malloc_context_size=16
  G_SLICE=always-malloc \
  ASAN_OPTIONS=$asan \
  LSAN_OPTIONS="suppressions=$PWD/tests/lsan.supp:print_suppressions=0" \
  UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_summary=1:print_stacktrace=1 \
    run_tests "$ASAN_DIR"

  # The libFuzzer harnesses (tests/fuzz), each for a short run on its seeds
  # and past findings: clang, ASan + UBSan, core only.
  if [[ ! -f $FUZZ_DIR/build.ninja ]]; then
    CC=clang setup_build "$FUZZ_DIR" -Dui=false -Dfuzzing=true \
      -Db_sanitize=address,undefined -Db_lundef=false
  fi
  meson compile -C "$FUZZ_DIR" || die "the build in $FUZZ_DIR failed"
  run_tests "$FUZZ_DIR"

  echo
  for dir in "$BUILD_DIR" "$ASAN_DIR" "$FUZZ_DIR"; do
    echo "== $dir =="
    cat "$dir/meson-logs/confab-summary.txt"
    read -r passed failed skipped < <(count_results "$dir")
    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    total_skipped=$((total_skipped + skipped))
    echo
  done

  [[ $total_skipped -eq 0 ]] || echo "($total_skipped skipped)"
  echo "$total_passed passed, $total_failed failed"
  [[ $total_failed -eq 0 ]]
}

case "${1:-}" in
  run)              shift; cmd_run "$@" ;;
  server)           shift; cmd_server "$@" ;;
  test)             shift; [[ $# -eq 0 ]] || die "test takes no arguments"; cmd_test ;;
  help|-h|--help)   usage ;;
  "")               usage >&2; exit 1 ;;
  *)                usage >&2; die "unknown command '$1'" ;;
esac
