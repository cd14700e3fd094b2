# shellcheck shell=bash
# Sourced by the bench scripts (after setting $repo): the running stack's environment, and a published
# isolated-worker app run under the local Functions host (src/Functions.LocalHost, docs/local-host.md) the way
# the Functions host runs it in Azure, with clients calling the host's front door.

# bench_source_stack_env: the stack's connection strings ($TravelDb, $TravelDbDirect, $TRAVEL_TEST_ADMIN …) from
# the directory scripts/stack.sh uses ($TRAVEL_STACK_DIR, else its default), whichever machine this is.
bench_source_stack_env() {
  local dir
  dir="$("$repo/scripts/stack.sh" dir)"
  [ -f "$dir/env" ] || { echo "[bench] no running stack in $dir: run scripts/stack.sh up (or set TRAVEL_STACK_DIR)" >&2; exit 1; }
  # shellcheck disable=SC1091
  source "$dir/env"
}

# bench_free_port: a free loopback port (never the 7071/7072 that scripts/run.sh uses).
bench_free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# localhost_build: the local host in Release (its forwarding path is on every measured request); sets $localhost_exe.
localhost_build() {
  dotnet build "$repo/src/Functions.LocalHost" -c Release -v q -nologo >/dev/null
  localhost_exe="$repo/src/Functions.LocalHost/bin/Release/net10.0/Functions.LocalHost"
  [ -x "$localhost_exe" ] || { echo "[bench] $localhost_exe was not built" >&2; exit 1; }
}

# localhost_settings FILE NAME=VALUE...: a local.settings.json whose Values are exactly these app settings.
localhost_settings() {
  local file="$1"; shift
  python3 - "$file" "$@" <<'PY'
import json, sys
values = dict(arg.split("=", 1) for arg in sys.argv[2:])  # a later NAME=VALUE wins
json.dump({"IsEncrypted": False, "Values": values}, open(sys.argv[1], "w"), indent=2)
PY
}

# http_app_settings FILE NAME=VALUE...: localhost_settings for Functions.Http with the secrets it needs to start, fresh
# and bench-only (a JWT signing key, a provider-key KEK), and bench defaults for the token settings; arguments win.
http_app_settings() {
  local file="$1"; shift
  localhost_settings "$file" Jwt__Issuer=http://127.0.0.1 Jwt__Audience=bench \
    Jwt__SigningKey="$(head -c 48 /dev/urandom | base64 | tr -d '\n')" \
    ProviderKeys__CurrentKey="$(head -c 32 /dev/urandom | base64)" "$@"
}

# localhost_launch APP_DIR PORT SETTINGS LOG: starts the host on APP_DIR (timer schedules off) and returns at once;
# sets $localhost_pid. The environment is emptied but for what dotnet needs to run, so the worker sees the settings
# file's values and the host's own variables, as in Azure (where app settings are the whole environment).
localhost_launch() {
  local app="$1" port="$2" settings="$3" log="$4"
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" ${DOTNET_ROOT:+DOTNET_ROOT="$DOTNET_ROOT"} \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 \
    "$localhost_exe" --app "$app" --port "$port" --settings "$settings" --no-schedules >"$log" 2>&1 &
  localhost_pid=$!
}

# localhost_start APP_DIR PORT SETTINGS LOG: localhost_launch, then waits (up to 120 s) until every function is
# loaded and the front door answers.
localhost_start() {
  localhost_launch "$@"
  local port="$2" log="$4"
  for _ in $(seq 1 1200); do
    curl -fs -o /dev/null "http://127.0.0.1:$port/admin/host/status" && return 0
    kill -0 "$localhost_pid" 2>/dev/null || { echo "[bench] the local host exited:" >&2; tail -50 "$log" >&2; exit 1; }
    sleep 0.1
  done
  echo "[bench] the local host did not answer on port $port within 120 s:" >&2; tail -50 "$log" >&2; exit 1
}

# localhost_stop: SIGTERM (the host sends WorkerTerminate, then ends the worker) and wait.
localhost_stop() {
  [ -n "${localhost_pid:-}" ] || return 0
  kill "$localhost_pid" 2>/dev/null || true
  wait "$localhost_pid" 2>/dev/null || true
  localhost_pid=""
}

# bench_sign_in API PREFIX: registers a fresh user (email PREFIX+<nanoseconds>@example.test) through the API and signs
# in; sets $user_id and $token.
bench_sign_in() {
  local api="$1" email="$2+$(date +%s%N)@example.test" password="bench-password-0123"
  user_id=$(curl -fsS -H 'Content-Type: application/json' \
    -d "{\"email\":\"$email\",\"password\":\"$password\",\"firstName\":\"Bench\",\"lastName\":\"User\"}" "$api/users" | jq -er .id)
  token=$(curl -fsS -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$api/auth/token" \
    | jq -er .accessToken)
}

# bench_new_trip API TOKEN: prints the id of a new trip (June 2027, Lisbon, a budget no bench spends).
bench_new_trip() {
  curl -fsS -H 'Content-Type: application/json' -H "Authorization: Bearer $2" -d '{
    "title":"Bench trip","tripType":"leisure","startDate":"2027-06-01","endDate":"2027-06-30",
    "destinations":[{"city":"Lisbon","country":"PT"}],"budget":{"amount":100000000,"currency":"EUR"},"travelerCount":2}' "$1/trips" | jq -er .id
}

# http_package_start WORK TRAVELDB [NAME=VALUE...]: artifacts/Functions.Http.zip unzipped into WORK/app and started
# under the local host on a spare port with http_app_settings (the pooled connection string TRAVELDB, long-lived
# tokens, no login throttle, then the arguments); sets $port and $api. localhost_build first.
http_package_start() {
  local work="$1" traveldb="$2"; shift 2
  mkdir -p "$work/app" && unzip -q -o "$repo/artifacts/Functions.Http.zip" -d "$work/app"
  port="$(bench_free_port)"
  http_app_settings "$work/local.settings.json" TravelDb="$traveldb" Jwt__AccessTokenMinutes=240 Auth__PermitsPerMinute=1000000 "$@"
  localhost_start "$work/app" "$port" "$work/local.settings.json" "$work/host.log"
  api="http://127.0.0.1:$port/api"
}
