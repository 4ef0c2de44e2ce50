#!/usr/bin/env bash
# Local PostgreSQL and Redis for development and tests, kept under .local/ in the checkout.
# Usage: scripts/services.sh start|stop|status. Starting or stopping twice is harmless.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
LOCAL="$ROOT/.local"
PG_PORT=${PG_PORT:-55432}
REDIS_PORT=${REDIS_PORT:-56379}
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
PG_DATA="$LOCAL/pg"
REDIS_DIR="$LOCAL/redis"

# initdb and postgres refuse to run as root: as root we run them as the "postgres" user that
# Debian's package creates; otherwise as ourselves.
as_pg() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

apt_install() {
  local sudo=""
  [ "$(id -u)" = 0 ] || sudo="sudo"
  echo "Installing Debian packages: $*"
  $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  # RUNLEVEL=1: a package's own service (nginx on port 80) is not started; we start ours.
  $sudo env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq "$@" >/dev/null
}

ensure_packages() {
  local missing=()
  [ -n "$PG_BIN" ] && [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v msgfmt >/dev/null || missing+=(gettext)
  # The production-mode test puts Debian's nginx in front (TLS, the client's address).
  [ -x /usr/sbin/nginx ] || missing+=(nginx)
  command -v openssl >/dev/null || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    apt_install "${missing[@]}"
    PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  fi
}

pg_running() { as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" status >/dev/null 2>&1; }

start_pg() {
  mkdir -p "$LOCAL"
  if [ ! -f "$PG_DATA/PG_VERSION" ]; then
    mkdir -p "$PG_DATA"
    [ "$(id -u)" = 0 ] && chown postgres:postgres "$PG_DATA"
    chmod 700 "$PG_DATA"
    # Trust on loopback only: this cluster is for one developer's machine and CI.
    as_pg "$PG_BIN/initdb" -D "$PG_DATA" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  fi
  if ! pg_running; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$PG_DATA/server.log" -w -t 30 \
      -o "-p $PG_PORT -h 127.0.0.1 -k '' -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
      start >/dev/null
  fi
  local psql=("$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -qAt)
  if [ "$("${psql[@]}" -c "select 1 from pg_roles where rolname='mentorship'")" != 1 ]; then
    # CREATEDB so that the test runner can create and drop its test database.
    "${psql[@]}" -c "create role mentorship login createdb"
  fi
  if [ "$("${psql[@]}" -c "select 1 from pg_database where datname='mentorship'")" != 1 ]; then
    "${psql[@]}" -c "create database mentorship owner mentorship"
  fi
}

redis_running() { redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; }

start_redis() {
  mkdir -p "$REDIS_DIR"
  if ! redis_running; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --dir "$REDIS_DIR" \
      --daemonize yes --pidfile "$REDIS_DIR/redis.pid" --logfile "$REDIS_DIR/redis.log" \
      --save "" --appendonly no
    for _ in $(seq 50); do redis_running && break; sleep 0.1; done
    redis_running || { echo "Redis did not start; see $REDIS_DIR/redis.log" >&2; exit 1; }
  fi
}

stop_all() {
  if [ -n "$PG_BIN" ] && [ -f "$PG_DATA/PG_VERSION" ] && pg_running; then
    as_pg "$PG_BIN/pg_ctl" -D "$PG_DATA" -m fast -w stop >/dev/null
  fi
  if command -v redis-cli >/dev/null && redis_running; then
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
  fi
  echo "PostgreSQL and Redis stopped."
}

case "${1:-start}" in
  start)
    ensure_packages
    start_pg
    start_redis
    ;;
  stop) stop_all ;;
  status)
    pg_running && echo "PostgreSQL: running on 127.0.0.1:$PG_PORT" || echo "PostgreSQL: stopped"
    redis_running && echo "Redis: running on 127.0.0.1:$REDIS_PORT" || echo "Redis: stopped"
    ;;
  *) echo "usage: $0 start|stop|status" >&2; exit 2 ;;
esac
