#!/bin/sh
# run-with-services.sh [NAME=VALUE…] CMD…: runs CMD with a private PostgreSQL
# and Redis, torn down afterwards (even when CMD fails); exits with CMD's
# status. Leading NAME=VALUE words are exported to CMD, as env(1) does.
#
# Exports for CMD:
#   CONFAB_TEST_PG          postgresql://USER@127.0.0.1:PORT/postgres (an admin conninfo)
#   CONFAB_TEST_PG_DIR      the cluster's data (and socket) directory
#   CONFAB_TEST_PG_BIN      the folder of initdb, pg_ctl, postgres
#   CONFAB_TEST_PG_USER     the system user the server runs as ("" when it is us)
#   CONFAB_TEST_REDIS       redis://127.0.0.1:PORT
#   CONFAB_TEST_REDIS_PORT
# so that tests can stop and start PostgreSQL themselves (confabd-test-daemon.h).
#
# Without PostgreSQL or Redis installed, it prints a TAP skip and exits 0.
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -u

if [ $# -eq 0 ]; then
  echo "usage: $0 CMD…" >&2
  exit 2
fi

skip () {
  echo "1..0 # SKIP $*"
  exit 0
}

pg_bin=${CONFAB_TEST_PG_BIN:-}
if [ -z "$pg_bin" ]; then
  for dir in /usr/lib/postgresql/*/bin /usr/pgsql-*/bin; do
    [ -x "$dir/initdb" ] && pg_bin=$dir
  done
  if [ -z "$pg_bin" ] && command -v initdb >/dev/null 2>&1; then
    pg_bin=$(dirname "$(command -v initdb)")
  fi
fi
[ -n "$pg_bin" ] && [ -x "$pg_bin/pg_ctl" ] || skip "PostgreSQL (initdb, pg_ctl) is not installed"
command -v psql >/dev/null 2>&1 || [ -x "$pg_bin/psql" ] || skip "psql is not installed"
command -v redis-server >/dev/null 2>&1 || skip "redis-server is not installed"
command -v redis-cli >/dev/null 2>&1 || skip "redis-cli is not installed"

# PostgreSQL refuses to run as root: then it runs as an unprivileged user.
pg_user=
if [ "$(id -u)" = 0 ]; then
  for candidate in postgres nobody; do
    if id -u "$candidate" >/dev/null 2>&1; then
      pg_user=$candidate
      break
    fi
  done
  [ -n "$pg_user" ] || skip "running as root and no unprivileged user to run PostgreSQL"
fi

as_pg () {
  if [ -n "$pg_user" ]; then
    runuser -u "$pg_user" -- "$@"
  else
    "$@"
  fi
}

free_port () {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

pg_dir=$(mktemp -d "${TMPDIR:-/tmp}/confab-test-pg-XXXXXX") || exit 1
redis_pid=
pg_started=

cleanup () {
  if [ -n "$pg_started" ]; then
    as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -m immediate -w stop >/dev/null 2>&1
  fi
  if [ -n "$redis_pid" ]; then
    kill "$redis_pid" 2>/dev/null
    wait "$redis_pid" 2>/dev/null
  fi
  rm -rf "$pg_dir"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

if [ -n "$pg_user" ]; then
  chown "$pg_user" "$pg_dir" || exit 1
fi
chmod 700 "$pg_dir"

# --no-sync only for initdb's own final flush; the server keeps fsync on.
if ! as_pg "$pg_bin/initdb" -D "$pg_dir/data" --auth=trust --no-sync -U postgres \
     -E UTF8 --locale=C >"$pg_dir/initdb.log" 2>&1; then
  cat "$pg_dir/initdb.log" >&2
  echo "run-with-services.sh: initdb failed" >&2
  exit 1
fi

# The settings go into postgresql.conf (the last line of a setting wins), so
# a test's plain "pg_ctl -D DIR start" brings the same server back. A port
# taken between the pick and the start: try another.
for attempt in 1 2 3 4 5; do
  pg_port=$(free_port)
  cat >>"$pg_dir/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$pg_dir'
shared_buffers = 16MB
max_connections = 200
EOF
  if as_pg "$pg_bin/pg_ctl" -D "$pg_dir/data" -l "$pg_dir/postgres.log" -w -t 60 \
       start >/dev/null 2>&1; then
    pg_started=1
    break
  fi
done
if [ -z "$pg_started" ]; then
  cat "$pg_dir/postgres.log" >&2
  echo "run-with-services.sh: PostgreSQL did not start" >&2
  exit 1
fi

for attempt in 1 2 3 4 5; do
  redis_port=$(free_port)
  redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize no >"$pg_dir/redis.log" 2>&1 &
  redis_pid=$!
  for i in $(seq 1 100); do
    if redis-cli -p "$redis_port" ping 2>/dev/null | grep -q PONG; then
      break 2
    fi
    kill -0 "$redis_pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$redis_pid" 2>/dev/null
  wait "$redis_pid" 2>/dev/null
  redis_pid=
done
if [ -z "$redis_pid" ]; then
  cat "$pg_dir/redis.log" >&2
  echo "run-with-services.sh: redis-server did not start" >&2
  exit 1
fi

export CONFAB_TEST_PG="postgresql://postgres@127.0.0.1:$pg_port/postgres"
export CONFAB_TEST_PG_DIR="$pg_dir/data"
export CONFAB_TEST_PG_BIN="$pg_bin"
export CONFAB_TEST_PG_USER="$pg_user"
export CONFAB_TEST_REDIS="redis://127.0.0.1:$redis_port"
export CONFAB_TEST_REDIS_PORT="$redis_port"

while [ $# -gt 0 ]; do
  case $1 in
    [A-Za-z_]*=*) export "$1"; shift ;;
    *) break ;;
  esac
done
[ $# -gt 0 ] || { echo "run-with-services.sh: no command" >&2; exit 2; }

"$@"
status=$?
exit $status
