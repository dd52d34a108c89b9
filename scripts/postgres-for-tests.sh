#!/usr/bin/env bash
# A throwaway PostgreSQL server for the test suite, without systemd.
#
#   scripts/postgres-for-tests.sh start   # init (once) and start; prints DATABASE_URL
#   scripts/postgres-for-tests.sh url     # print DATABASE_URL
#   scripts/postgres-for-tests.sh stop    # stop the server (keeps the cluster)
#   scripts/postgres-for-tests.sh destroy # stop and delete the cluster
#
# The cluster lives in build/pgdata, listens on 127.0.0.1 only (port
# $MEDIR_PG_PORT, default 54329) and keeps its socket in build/pgsock, so it
# never collides with a system PostgreSQL. Every command is idempotent.
# Needs Debian's postgresql package (.ci/run installs it when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

root=$(pwd)
data="$root/build/pgdata"
socket="$root/build/pgsock"
port="${MEDIR_PG_PORT:-54329}"
# Test-only credentials; the server only listens on loopback.
role=medir_test
password=medir_test
database=medir_test
url="postgres://$role:$password@127.0.0.1:$port/$database"

find_bin() {
    if [[ -n "${MEDIR_PG_BIN:-}" ]]; then
        echo "$MEDIR_PG_BIN"
        return
    fi
    # Prefer 15 (what the project is tested against), else the newest.
    local dir
    for dir in /usr/lib/postgresql/15/bin \
        $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
        if [[ -x "$dir/initdb" ]]; then
            echo "$dir"
            return
        fi
    done
    echo "PostgreSQL server binaries not found under /usr/lib/postgresql;" \
        "install Debian's postgresql package or set MEDIR_PG_BIN." >&2
    exit 1
}

# initdb and postgres refuse to run as root: as root, run them as the
# `postgres` OS user (created by the Debian package); otherwise as ourselves.
as_owner() {
    if ((EUID == 0)); then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

running() {
    [[ -f "$data/PG_VERSION" ]] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1
}

psql_admin() {
    # Over the unix socket with peer authentication as the cluster owner.
    as_owner "$bin/psql" -h "$socket" -p "$port" -d postgres -v ON_ERROR_STOP=1 \
        -qAt "$@"
}

start() {
    mkdir -p "$socket"
    if [[ ! -f "$data/PG_VERSION" ]]; then
        rm -rf "$data"
        mkdir -p "$data"
        if ((EUID == 0)); then
            chown postgres: "$data" "$socket"
        fi
        chmod 700 "$data"
        as_owner "$bin/initdb" -D "$data" --encoding=UTF8 --locale=C.UTF-8 \
            --auth-local=peer --auth-host=scram-sha-256 >/dev/null
        # A test server: durability is worth nothing here, speed is.
        cat >>"$data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$socket'
fsync = off
synchronous_commit = off
full_page_writes = off
# Short-lived test databases: an autovacuum worker on one would hold off
# dropping it.
autovacuum = off
EOF
    fi
    if ((EUID == 0)); then
        chown postgres: "$socket"
    fi
    if ! running; then
        as_owner "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w -t 60 start \
            >/dev/null || {
            tail -n 20 "$data/server.log" >&2
            exit 1
        }
    fi
    # CREATEDB: pytest-django creates and drops its own test_ database.
    psql_admin <<EOF
SELECT 'CREATE ROLE $role LOGIN CREATEDB'
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role')\gexec
ALTER ROLE $role LOGIN CREATEDB PASSWORD '$password';
SELECT 'CREATE DATABASE $database OWNER $role'
WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = '$database')\gexec
EOF
    echo "DATABASE_URL=$url"
}

stop() {
    if running; then
        as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    fi
}

bin=$(find_bin)
case "${1:-}" in
start) start ;;
stop) stop ;;
url) echo "$url" ;;
destroy)
    stop
    rm -rf "$data" "$socket"
    ;;
*)
    echo "usage: $0 start|stop|url|destroy" >&2
    exit 2
    ;;
esac
