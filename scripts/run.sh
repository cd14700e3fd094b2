#!/usr/bin/env bash
# Runs the system locally: starts the stack (idempotently), applies migrations, and serves the
# HTTP app at http://127.0.0.1:7071/api and the timers app under a Functions host at http://127.0.0.1:7072 (it fires
# the maintenance jobs on their {Job}Schedule settings) until Ctrl-C. Installs what is missing.
#   scripts/run.sh [--seed-demo]
# Ctrl-C stops the app and the services this run started (nothing that was already running).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
http_port="${TRAVEL_HTTP_PORT:-7071}"
timers_port="${TRAVEL_TIMERS_PORT:-7072}"
seed=0
for arg in "$@"; do
  case "$arg" in
    --seed-demo) seed=1 ;;
    -h|--help) sed -n '2,6p' "$0"; exit 0 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

"$repo/scripts/stack.sh" up
stack="$("$repo/scripts/stack.sh" dir)"
started="$(cat "$stack/started-now" 2>/dev/null | tr '\n' ' ')"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "$started" ] && "$repo/scripts/stack.sh" down $started
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# shellcheck disable=SC1091
source "$stack/env"
# A local-only signing key, made once per stack directory; production's lives in Key Vault.
[ -f "$stack/jwt-key" ] || { head -c 48 /dev/urandom | base64 | tr -d '\n' > "$stack/jwt-key"; chmod 600 "$stack/jwt-key"; }
export Jwt__Issuer="http://127.0.0.1:$http_port"
export Jwt__Audience="travelfunctions-local"
export Jwt__SigningKey="$(cat "$stack/jwt-key")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "[run] building"
dotnet build TravelFunctions.sln -v q -nologo >/dev/null
echo "[run] applying migrations (direct endpoint)"
dotnet run --no-build --project src/Functions.Timers -- migrate

ASPNETCORE_ENVIRONMENT=Development dotnet run --no-build --project src/Functions.Http --urls "http://127.0.0.1:$http_port" &
pids+=($!)
for _ in $(seq 1 100); do curl -fsS "http://127.0.0.1:$http_port/api/health" >/dev/null 2>&1 && break; sleep 0.2; done

# The timers worker under the local Functions host (docs/local-host.md), which fires its schedules. It connects as
# travel_maintenance through the pooler (TravelDb) and as the owner on the direct endpoint (TravelDbDirect), as in
# Azure; the schedules and the rest come from local.settings.sample.json (the environment wins, as with func start).
TravelDb="$TravelDbMaintenance" dotnet run --no-build --project src/Functions.LocalHost -- \
  --app src/Functions.Timers/bin/Debug/net10.0 --port "$timers_port" --settings local.settings.sample.json &
pids+=($!)
for _ in $(seq 1 150); do curl -fsS "http://127.0.0.1:$timers_port/admin/host/status" >/dev/null 2>&1 && break; sleep 0.2; done

[ "$seed" = 1 ] && "$repo/scripts/seed-demo.sh" "http://127.0.0.1:$http_port"

cat <<INFO

TravelFunctions is running.
  HTTP API      http://127.0.0.1:$http_port/api        (health: /api/health)
  API docs      http://127.0.0.1:$http_port/api/docs   (OpenAPI: /api/openapi/v1.json)
  Timers        http://127.0.0.1:$timers_port           (schedules on; run one job now: POST /admin/functions/CacheExpiry with {},
                or: dotnet run --project src/Functions.Timers -- run CacheExpiry [--dry-run])
  PostgreSQL    127.0.0.1:55432 direct, 127.0.0.1:56432 pooled (PgBouncer, transaction mode)
  Azurite blob  http://127.0.0.1:10000/devstoreaccount1
  Connection strings and settings: source $stack/env
Ctrl-C to stop.
INFO
wait "${pids[0]}"
