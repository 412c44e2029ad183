#!/usr/bin/env bash
# Throwaway PostgreSQL 15 (+PostGIS) cluster for tests.
#
# Sourced by .ci/run for its functions, or run by hand:
#   bash .ci/pg-cluster.sh start /tmp/gup-dev-pg 55432   # init (if needed) + start
#   bash .ci/pg-cluster.sh stop  /tmp/gup-dev-pg         # stop (keeps the data)
#   bash .ci/pg-cluster.sh free-port                     # print a free local port
# Once started: DATABASE_URL=postgres://gup:gup@127.0.0.1:PORT/gup_ci
# (role gup is a superuser, so `CREATE EXTENSION postgis` works).
# Needs: apt-get install postgresql-15 postgresql-15-postgis-3

PG_BIN=/usr/lib/postgresql/15/bin

# Run a command as the `postgres` OS user when we are root (initdb and
# postgres refuse to run as root); as ourselves otherwise.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# Print the first port >= $1 (default 55432) that nothing listens on locally.
free_port() {
  python3 - "${1:-55432}" <<'EOF'
import socket, sys
port = int(sys.argv[1])
while True:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port)); break
        except OSError:
            port += 1
print(port)
EOF
}

# start_cluster DIR PORT: DIR is the data directory and also holds the unix
# socket and server.log. Only 127.0.0.1 listens; auth is trust (test use only).
start_cluster() {
  local dir=$1 port=$2 fresh=
  mkdir -p "$dir"
  if [ "$(id -u)" = 0 ]; then chown postgres: "$dir"; fi
  chmod 700 "$dir"
  if [ ! -f "$dir/PG_VERSION" ]; then
    as_pg "$PG_BIN/initdb" -D "$dir" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    # Durability is useless for a throwaway cluster: trade it for speed.
    cat >>"$dir/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
    fresh=1
  fi
  as_pg "$PG_BIN/pg_ctl" -D "$dir" -l "$dir/server.log" -o "-p $port" -w start >/dev/null
  if [ -n "$fresh" ]; then
    as_pg "$PG_BIN/psql" -h "$dir" -p "$port" -U postgres -d postgres -q -v ON_ERROR_STOP=1 \
      -c "CREATE ROLE gup LOGIN SUPERUSER PASSWORD 'gup'" \
      -c "CREATE DATABASE gup_ci OWNER gup"
  fi
  echo "PostgreSQL up: postgres://gup:gup@127.0.0.1:$port/gup_ci (data: $dir)"
}

# stop_cluster DIR: fast shutdown; quiet no-op if it is not running.
stop_cluster() {
  local dir=$1
  if [ -f "$dir/postmaster.pid" ]; then
    as_pg "$PG_BIN/pg_ctl" -D "$dir" -m fast -w stop >/dev/null || true
  fi
}

# Command-line use (does nothing when sourced).
if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  case "${1:-}" in
    start) start_cluster "${2:?data dir}" "${3:-$(free_port)}" ;;
    stop) stop_cluster "${2:?data dir}" ;;
    free-port) free_port "${2:-55432}" ;;
    *) echo "usage: $0 start DIR [PORT] | stop DIR | free-port [FROM]" >&2; exit 2 ;;
  esac
fi
