#!/bin/sh
# container-postgres.sh: PostgreSQL 15 (Debian's package) in a container.
#
# On the first start (an empty $PGDATA) it creates the cluster, the role confabd
# with the password $CONFABD_DB_PASSWORD and the database confabd it owns, the same
# as docs/deploy.md does by hand; then, on every start, it runs the server. confabd
# creates its tables itself (migrations at start).
#
# SPDX-License-Identifier: GPL-3.0-or-later

set -eu

: "${PGDATA:=/var/lib/postgresql/data}"
export PGDATA

if [ ! -s "$PGDATA/PG_VERSION" ]; then
  : "${CONFABD_DB_PASSWORD:?set CONFABD_DB_PASSWORD, the password of the confabd role}"

  initdb --username=postgres --encoding=UTF8 --locale=C.UTF-8 \
         --auth-local=peer --auth-host=scram-sha-256 >/dev/null
  # confabd comes from other containers, over TCP, with its password.
  echo "host confabd confabd all scram-sha-256" >> "$PGDATA/pg_hba.conf"

  # Set up on the socket only: nobody can connect before the role and database exist.
  pg_ctl --wait --silent -o "-c listen_addresses=''" start
  psql --quiet --no-psqlrc --set=ON_ERROR_STOP=1 --set=password="$CONFABD_DB_PASSWORD" \
       --username=postgres --dbname=postgres <<'SQL'
CREATE ROLE confabd LOGIN PASSWORD :'password';
CREATE DATABASE confabd OWNER confabd;
SQL
  pg_ctl --wait --silent --mode=fast stop
  echo "container-postgres.sh: created the cluster, the role confabd and its database"
fi

exec postgres -c listen_addresses='*'
