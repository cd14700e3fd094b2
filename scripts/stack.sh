#!/usr/bin/env bash
# The local stack: PostgreSQL 15 (direct endpoint), PgBouncer in transaction mode (pooled endpoint,
# like Neon's) and Azurite (Blob), all on loopback. Idempotent: what already runs is reused.
#
#   scripts/stack.sh up      install what is missing, start what is not running, print the endpoints
#   scripts/stack.sh down [svc..]  stop services of this stack directory (all three by default)
#   scripts/stack.sh env     print the environment (connection strings) for the running stack
#   scripts/stack.sh dir     print the stack directory
#
# State lives in $TRAVEL_STACK_DIR (default: .local/stack in the repo, git-ignored; see resolve_stack_dir).
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run_user="${TRAVEL_STACK_USER:-travelstack}"
resolve_stack_dir() {
  # Default: .local/stack in the repo. When we are root and the repo sits under a directory the
  # unprivileged database user cannot enter (e.g. /root), use a per-repo folder under /var/tmp.
  if [ -n "${TRAVEL_STACK_DIR:-}" ]; then echo "$TRAVEL_STACK_DIR"; return; fi
  if [ "$(id -u)" = 0 ] && id "$run_user" >/dev/null 2>&1 && ! runuser -u "$run_user" -- test -x "$repo" 2>/dev/null; then
    echo "/var/tmp/travelfunctions-$(echo "$repo" | sha256sum | cut -c1-12)/stack"; return
  fi
  echo "$repo/.local/stack"
}
tools="${TRAVEL_TOOLS_DIR:-$repo/.local/tools}"
pg_port="${TRAVEL_PG_PORT:-55432}"
bouncer_port="${TRAVEL_PGBOUNCER_PORT:-56432}"
blob_port="${TRAVEL_BLOB_PORT:-10000}"
pg_bin="/usr/lib/postgresql/15/bin"

# Local-only credentials for a throwaway cluster on loopback; never used anywhere else.
pg_super_pw="postgres_local"
owner_pw="travel_owner_local"
app_pw="travel_app_local"
maint_pw="travel_maintenance_local"
# Azurite's well-known development account key (public, documented by Microsoft, not a secret).
azurite_key="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="

log() { echo "[stack] $*" >&2; }

as_runner() {
  # PostgreSQL and PgBouncer refuse to run as root: use an unprivileged user when we are root.
  if [ "$(id -u)" = 0 ]; then runuser -u "$run_user" -- "$@"; else "$@"; fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# shellcheck source=lib/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/apt.sh"

install_postgres() {
  # Debian 12 (our machines) ships postgresql-15. Releases that do not (Ubuntu 24.04, as on
  # GitHub-hosted runners, has 16) get it from the PostgreSQL project's apt repository (PGDG),
  # added by the helper script postgresql-common ships for exactly this, with the signing key it
  # carries. Tests must run the major version Neon runs (15), not whatever the OS has.
  if ! apt_candidate postgresql-15; then
    log "postgresql-15 is not in this system's apt sources: adding the PostgreSQL apt repository (PGDG)"
    apt_install postgresql-common
    as_root /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y >/dev/null
  fi
  log "installing postgresql-15"
  apt_install postgresql-15
}

install_postgis() {
  # PostGIS for PostgreSQL 15 (the catalog's geography columns, 0013): from the same apt sources as
  # postgresql-15, so PGDG too where the system lacks it.
  if ! apt_candidate postgresql-15-postgis-3; then
    log "postgresql-15-postgis-3 is not in this system's apt sources: adding the PostgreSQL apt repository (PGDG)"
    apt_install postgresql-common
    as_root /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y >/dev/null
  fi
  log "installing postgresql-15-postgis-3"
  apt_install postgresql-15-postgis-3
}

install_missing() {
  [ -x "$pg_bin/initdb" ] || install_postgres
  # Checked on every `up`, so a stack started before PostGIS was needed gets it too.
  [ -f /usr/share/postgresql/15/extension/postgis.control ] || install_postgis
  command -v pgbouncer >/dev/null || [ -x /usr/sbin/pgbouncer ] || { log "installing pgbouncer"; apt_install pgbouncer; }
  if [ ! -x "$tools/node_modules/.bin/azurite-blob" ]; then
    command -v npm >/dev/null || { log "installing nodejs + npm"; apt_install nodejs npm; }
    log "installing azurite into $tools"
    mkdir -p "$tools"
    (cd "$tools" && { [ -f package.json ] || echo '{"private":true}' > package.json; } && npm install --no-audit --no-fund --silent azurite@3 >/dev/null)
  fi
  if [ "$(id -u)" = 0 ] && ! id "$run_user" >/dev/null 2>&1; then
    useradd --system --no-create-home --shell /usr/sbin/nologin "$run_user"
  fi
}

prepare_dirs() {
  mkdir -p "$stack"
  if [ "$(id -u)" = 0 ]; then chown "$run_user" "$stack"; chmod 755 "$stack"; fi
}

start_postgres() {
  local data="$stack/pgdata"
  if [ -f "$data/postmaster.pid" ] && as_runner "$pg_bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    log "postgres already running on $pg_port"; return
  fi
  if port_open "$pg_port"; then log "port $pg_port is taken by something this stack did not start"; exit 1; fi
  if [ ! -f "$data/PG_VERSION" ]; then
    local pwfile; pwfile="$(mktemp)"; echo "$pg_super_pw" > "$pwfile"; chmod 644 "$pwfile"
    as_runner "$pg_bin/initdb" -D "$data" -U postgres --pwfile="$pwfile" --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >/dev/null
    rm -f "$pwfile"
    as_runner tee -a "$data/postgresql.conf" >/dev/null <<EOF
# throwaway local cluster: fast, loopback only
listen_addresses = '127.0.0.1'
port = $pg_port
unix_socket_directories = '$stack'
max_connections = 400
shared_buffers = 256MB
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
EOF
  fi
  as_runner "$pg_bin/pg_ctl" -D "$data" -l "$stack/postgres.log" -w -t 30 start >/dev/null
  echo postgres >> "$stack/started-now"
  log "postgres started on 127.0.0.1:$pg_port"
}

bootstrap_roles() {
  # Roles are cluster-wide; migrations grant them what they need. In Neon they are created once by DevOps.
  PGPASSWORD="$pg_super_pw" "$pg_bin/psql" -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -v ON_ERROR_STOP=1 <<EOF
DO \$\$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'travel_owner') THEN
    CREATE ROLE travel_owner LOGIN PASSWORD '$owner_pw';
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'travel_app') THEN
    CREATE ROLE travel_app LOGIN PASSWORD '$app_pw' NOBYPASSRLS;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'travel_maintenance') THEN
    CREATE ROLE travel_maintenance LOGIN PASSWORD '$maint_pw';
  END IF;
END \$\$;
SELECT 'CREATE DATABASE travel OWNER travel_owner' WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = 'travel') \gexec
EOF
  # PostGIS is not a trusted extension: the migrations' owner cannot create it, so the superuser does, in
  # template1 (every database created afterwards, the tests' and benches' included, inherits it) and in
  # travel. On Neon the owner role may create it, and migration 0013 does.
  local db
  for db in template1 travel; do
    PGPASSWORD="$pg_super_pw" "$pg_bin/psql" -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d "$db" -v ON_ERROR_STOP=1 \
      -c "SET client_min_messages = warning" -c "CREATE EXTENSION IF NOT EXISTS postgis"
  done
}

start_pgbouncer() {
  if [ -f "$stack/pgbouncer.pid" ] && kill -0 "$(cat "$stack/pgbouncer.pid")" 2>/dev/null; then
    log "pgbouncer already running on $bouncer_port"; return
  fi
  if port_open "$bouncer_port"; then log "port $bouncer_port is taken by something this stack did not start"; exit 1; fi
  as_runner tee "$stack/userlist.txt" >/dev/null <<EOF
"postgres" "$pg_super_pw"
"travel_owner" "$owner_pw"
"travel_app" "$app_pw"
"travel_maintenance" "$maint_pw"
EOF
  as_runner tee "$stack/pgbouncer.ini" >/dev/null <<EOF
[databases]
; every database (tests create one per class) through the same server
* = host=127.0.0.1 port=$pg_port

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $bouncer_port
unix_socket_dir =
auth_type = scram-sha-256
auth_file = $stack/userlist.txt
pool_mode = transaction
max_client_conn = 2000
default_pool_size = 20
max_db_connections = 40
server_reset_query =
; After a failed server login (PostgreSQL down) PgBouncer waits this long before trying again (default 15 s), and
; every client waits with it: 2 s brings the pooled endpoint back within seconds of a restart (bench/outage.sh).
server_login_retry = 2
ignore_startup_parameters = extra_float_digits
logfile = $stack/pgbouncer.log
pidfile = $stack/pgbouncer.pid
admin_users = postgres
EOF
  as_runner pgbouncer -d -q "$stack/pgbouncer.ini"
  for _ in $(seq 1 50); do port_open "$bouncer_port" && break; sleep 0.1; done
  echo pgbouncer >> "$stack/started-now"
  log "pgbouncer (transaction mode) started on 127.0.0.1:$bouncer_port"
}

start_azurite() {
  if [ -f "$stack/azurite.pid" ] && kill -0 "$(cat "$stack/azurite.pid")" 2>/dev/null; then
    log "azurite already running on $blob_port"; return
  fi
  if port_open "$blob_port"; then log "port $blob_port is taken by something this stack did not start"; exit 1; fi
  mkdir -p "$stack/azurite"
  nohup "$tools/node_modules/.bin/azurite-blob" --blobHost 127.0.0.1 --blobPort "$blob_port" \
    --location "$stack/azurite" --skipApiVersionCheck --disableTelemetry --silent > "$stack/azurite.log" 2>&1 &
  echo $! > "$stack/azurite.pid"
  for _ in $(seq 1 100); do port_open "$blob_port" && break; sleep 0.1; done
  port_open "$blob_port" || { log "azurite did not start; see $stack/azurite.log"; exit 1; }
  echo azurite >> "$stack/started-now"
  log "azurite blob started on 127.0.0.1:$blob_port"
}

print_env() {
  cat <<EOF
export TravelDb='Host=127.0.0.1;Port=$bouncer_port;Database=travel;Username=travel_app;Password=$app_pw'
export TravelDbDirect='Host=127.0.0.1;Port=$pg_port;Database=travel;Username=travel_owner;Password=$owner_pw'
export TravelDbMaintenance='Host=127.0.0.1;Port=$bouncer_port;Database=travel;Username=travel_maintenance;Password=$maint_pw'
export TRAVEL_TEST_ADMIN='Host=127.0.0.1;Port=$pg_port;Database=postgres;Username=postgres;Password=$pg_super_pw'
export TRAVEL_TEST_PGBOUNCER_PORT='$bouncer_port'
export ArchiveStorage='DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$azurite_key;BlobEndpoint=http://127.0.0.1:$blob_port/devstoreaccount1;'
export ArchiveContainer='archive'
EOF
}

stop_services() {
  # Stops only the named services, and only via this stack directory's own pid files.
  local svc
  for svc in "$@"; do
    case "$svc" in
      azurite) [ -f "$stack/azurite.pid" ] && { kill "$(cat "$stack/azurite.pid")" 2>/dev/null || true; rm -f "$stack/azurite.pid"; log "azurite stopped"; } ;;
      pgbouncer) [ -f "$stack/pgbouncer.pid" ] && { kill "$(cat "$stack/pgbouncer.pid")" 2>/dev/null || true; log "pgbouncer stopped"; } ;;
      postgres) as_runner "$pg_bin/pg_ctl" -D "$stack/pgdata" -m fast stop >/dev/null 2>&1 && log "postgres stopped" || true ;;
    esac
  done
}

case "${1:-up}" in
  dir) resolve_stack_dir ;;
  up)
    install_missing
    stack="$(resolve_stack_dir)"
    prepare_dirs
    : > "$stack/started-now"   # what this call started: the caller stops only these
    start_postgres
    bootstrap_roles
    start_pgbouncer
    start_azurite
    print_env > "$stack/env"
    chmod 600 "$stack/env"
    ;;
  down) stack="$(resolve_stack_dir)"; shift; [ $# -gt 0 ] || set -- azurite pgbouncer postgres; stop_services "$@" ;;
  env) stack="$(resolve_stack_dir)"; print_env ;;
  *) echo "usage: $0 [up|down [svc..]|env|dir]" >&2; exit 2 ;;
esac
