#!/usr/bin/env bash
# Runs the system locally: starts the stack (idempotently), applies the migrations, and runs both function apps
# (.NET isolated workers) until Ctrl-C: the HTTP app at http://127.0.0.1:7071/api and the timers app (its timers
# fire on their {Job}Schedule settings; its host answers on 7072). Installs what is missing.
#   scripts/run.sh [--seed-demo]
# With Azure Functions Core Tools on PATH (`func`), each app runs under `func start`; otherwise under the local host
# in src/Functions.LocalHost (docs/local-host.md), which speaks the same host-worker contract.
# Each app gets a local.settings.json generated from local.settings.sample.json and the running stack.
# Ctrl-C stops the apps and the services this run started (nothing that was already running).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
http_port="${TRAVEL_HTTP_PORT:-7071}"
timers_port="${TRAVEL_TIMERS_PORT:-7072}"
seed=0
for arg in "$@"; do
  case "$arg" in
    --seed-demo) seed=1 ;;
    -h|--help) sed -n '2,9p' "$0"; exit 0 ;;
    *) echo "unknown option $arg" >&2; exit 2 ;;
  esac
done

# Each app's settings come from its local.settings.json; connection strings exported in this shell (e.g. after
# `source .local/stack/env`) would override them, as the environment wins over the file.
unset TravelDb TravelDbDirect TravelDbMaintenance ArchiveStorage ArchiveContainer

# shellcheck source=lib/apt.sh
source "$repo/scripts/lib/apt.sh"
require_commands run jq curl

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

# The stack's connection strings, read without exporting them: each app gets its own in its local.settings.json
# (an exported TravelDb would override the timers app's maintenance login, as the environment wins over the file).
stack_value() { (set +u; source "$stack/env"; printf '%s' "${!1}"); }
# A local-only signing key, made once per stack directory; production's lives in Key Vault.
[ -f "$stack/jwt-key" ] || { head -c 48 /dev/urandom | base64 | tr -d '\n' > "$stack/jwt-key"; chmod 600 "$stack/jwt-key"; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

echo "[run] building"
dotnet build TravelFunctions.sln -v q -nologo >/dev/null
echo "[run] applying migrations (direct endpoint)"
TravelDbDirect="$(stack_value TravelDbDirect)" dotnet run --no-build --project src/Functions.Timers -- migrate

# local_settings <app> <TravelDb>: the app's build output gets a local.settings.json like func start reads:
# the sample's values, the stack's connection strings and this stack's signing key.
local_settings() {
  local out="src/$1/bin/Debug/net10.0"
  jq --arg pooled "$2" --arg direct "$(stack_value TravelDbDirect)" --arg key "$(cat "$stack/jwt-key")" \
     --arg issuer "http://127.0.0.1:$http_port" --arg archive "$(stack_value ArchiveStorage)" '
      .Values.TravelDb = $pooled | .Values.TravelDbDirect = $direct | .Values.ArchiveStorage = $archive
    | .Values.Jwt__SigningKey = $key | .Values.Jwt__Issuer = $issuer
    | .Values.AZURE_FUNCTIONS_ENVIRONMENT = "Development" | .Values.Telemetry__Console = "true"' \
    local.settings.sample.json > "$out/local.settings.json"
  echo "$out"
}

# start_app <app> <port> <TravelDb>
start_app() {
  local out
  out="$(local_settings "$1" "$3")"
  if command -v func >/dev/null; then
    (cd "$out" && exec func start --port "$2") &
  else
    dotnet run --no-build --project src/Functions.LocalHost -- --app "$out" --port "$2" &
  fi
  pids+=($!)
  for _ in $(seq 1 150); do curl -fsS "http://127.0.0.1:$2/admin/host/status" >/dev/null 2>&1 && return; sleep 0.2; done
  echo "[run] $1 did not come up on port $2" >&2; exit 1
}

# The HTTP app connects as travel_app through the pooler; the timers app as travel_maintenance through the pooler
# and as the owner on the direct endpoint, as in Azure.
start_app Functions.Http "$http_port" "$(stack_value TravelDb)"
start_app Functions.Timers "$timers_port" "$(stack_value TravelDbMaintenance)"

[ "$seed" = 1 ] && "$repo/scripts/seed-demo.sh" "http://127.0.0.1:$http_port"

cat <<INFO

TravelFunctions is running ($(command -v func >/dev/null && echo "func start" || echo "local host, docs/local-host.md")).
  HTTP API      http://127.0.0.1:$http_port/api        (health: /api/health)
  API docs      http://127.0.0.1:$http_port/api/docs   (OpenAPI: /api/openapi/v1.json)
  Timers        on their schedules; run one now: curl -X POST -d '{}' http://127.0.0.1:$timers_port/admin/functions/CacheExpiry
                or: dotnet run --project src/Functions.Timers -- run CacheExpiry [--dry-run]
  PostgreSQL    127.0.0.1:55432 direct, 127.0.0.1:56432 pooled (PgBouncer, transaction mode)
  Azurite blob  http://127.0.0.1:10000/devstoreaccount1
  Connection strings and settings: source $stack/env
Ctrl-C to stop.
INFO
wait "${pids[0]}"
