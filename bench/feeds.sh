#!/usr/bin/env bash
# Feeds benchmark (not a test): ingest and append rates through the real API beside the database floor.
#   1. user events through POST /api/events (batches of 500, wrk) vs raw binary COPY of the same rows
#      through the same PgBouncer (as travel_owner: travel_app cannot COPY into user_events, it has RLS);
#      bar: API/COPY >= 0.65
#   2. chat-message appends through POST /api/conversations/{id}/messages (wrk) vs pgbench running the
#      equivalent SQL (begin; set_config; insert message; update conversation; commit) as travel_app
#      through the same PgBouncer; bar: API/pgbench >= 0.5
# Each comparison runs in 3 alternating rounds (API, then its floor) of BENCH_SECONDS/2 each, after a
# warm-up of BENCH_WARMUP seconds per endpoint (the JIT keeps recompiling hot methods for some 15 s under
# this load on 2 cores), so a noisy neighbour on a shared machine weighs on both sides alike.
# The app is the published package (artifacts/Functions.Http.zip; scripts/publish.sh builds it if missing) run under
# the local Functions host (src/Functions.LocalHost, Release) on a spare port: wrk calls the host's front door, which
# forwards each request to the worker with its invocation, as the Functions host does.
# Starts the stack if needed (stops only what it started, unless KEEP_STACK=1), migrates a scratch database, prints
# the figures, and removes everything it created (database included).
#   bench/feeds.sh            env: BENCH_SECONDS (20), BENCH_WARMUP (20), BENCH_CONNECTIONS (8), BENCH_THREADS (2),
#                             TRAVEL_STACK_DIR / TRAVEL_TOOLS_DIR as for scripts/stack.sh
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
stack="$("$repo/scripts/stack.sh" dir)"
seconds="${BENCH_SECONDS:-20}"
warmup="${BENCH_WARMUP:-20}"
conns="${BENCH_CONNECTIONS:-8}"
threads="${BENCH_THREADS:-2}"
batch=500
conversations=50
work="$(mktemp -d)"
db="bench_feeds_$(date +%s)"
log() { echo "[feeds-bench] $*" >&2; }
# shellcheck source=lib/localhost.sh
source "$repo/bench/lib/localhost.sh"
port="$(bench_free_port)"
# shellcheck source=../scripts/lib/apt.sh
source "$repo/scripts/lib/apt.sh"
require_commands feeds-bench wrk pgbench=postgresql-contrib jq curl unzip python3

TRAVEL_STACK_DIR="$stack" "$repo/scripts/stack.sh" up >/dev/null
started="$(cat "$stack/started-now" 2>/dev/null | tr '\n' ' ')"
# shellcheck disable=SC1091
source "$stack/env"
pw() { sed -n 's/.*Password=\([^;]*\).*/\1/p' <<<"$1"; }
app_pw="$(pw "$TravelDb")"; owner_pw="$(pw "$TravelDbDirect")"; admin_pw="$(pw "$TRAVEL_TEST_ADMIN")"
bouncer_port="${TRAVEL_TEST_PGBOUNCER_PORT:-56432}"
pg_port="$(sed -n 's/.*Port=\([0-9]*\).*/\1/p' <<<"$TravelDbDirect")"
as_admin() { PGPASSWORD="$admin_pw" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres "$@"; }
as_owner_direct() { PGPASSWORD="$owner_pw" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U travel_owner -d "$db" "$@"; }
as_owner_pooled() { PGPASSWORD="$owner_pw" psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$bouncer_port" -U travel_owner -d "$db" "$@"; }

cleanup() {
  localhost_stop
  as_admin -d postgres -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
  [ -n "$started" ] && [ -z "${KEEP_STACK:-}" ] && TRAVEL_STACK_DIR="$stack" "$repo/scripts/stack.sh" down $started || true
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "scratch database $db, migrations 0001..$(ls sql/migrations | tail -1 | cut -c1-4)"
as_admin -d postgres -c "CREATE DATABASE \"$db\" OWNER travel_owner" >/dev/null
for f in sql/migrations/*.sql; do as_owner_direct --single-transaction -f "$f" >/dev/null; done

log "the HTTP package (artifacts/Functions.Http.zip) under the local host (Release) on port $port"
[ -f artifacts/Functions.Http.zip ] || scripts/publish.sh Functions.Http
localhost_build
mkdir -p "$work/app" && unzip -q artifacts/Functions.Http.zip -d "$work/app"
# Only what the app needs; Auth__PasswordHashIterations stays at its production default.
http_app_settings "$work/local.settings.json" \
  TravelDb="Host=127.0.0.1;Port=$bouncer_port;Database=$db;Username=travel_app;Password=$app_pw" \
  Jwt__Issuer="http://127.0.0.1:$port" Jwt__Audience="travelfunctions-bench" Auth__PermitsPerMinute=1000000
localhost_start "$work/app" "$port" "$work/local.settings.json" "$work/host.log"
base="http://127.0.0.1:$port/api"

bench_sign_in "$base" bench

# ---------------------------------------------------------------------------------------------
# 1. Events. The same 500 rows for both paths.
python3 - "$work/events.json" <<'PY'
import json, sys, datetime
now = datetime.datetime.now(datetime.timezone.utc)
events = [{"eventType": "page_view", "category": "search", "data": {"page": "/flights", "n": i},
           "sessionId": "s-1", "deviceType": "mobile",
           "occurredAt": (now - datetime.timedelta(seconds=i)).isoformat()} for i in range(500)]
json.dump({"events": events}, open(sys.argv[1], "w"))
PY
as_owner_direct -c "\\copy (SELECT '$user_id'::uuid, 'page_view', 'search', jsonb_build_object('page', '/flights', 'n', g), 's-1', 'mobile', now() - g * interval '1 second' FROM generate_series(0, $((batch - 1))) g) TO '$work/events.bin' (FORMAT binary)"

cat >"$work/post_file.lua" <<LUA
local f = io.open("$work/events.json", "rb"); local body = f:read("*a"); f:close()
wrk.method = "POST"; wrk.body = body
wrk.headers["Content-Type"] = "application/json"; wrk.headers["Authorization"] = "Bearer $token"
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d non2xx=%d errors=%d seconds=%.3f p50ms=%.1f p99ms=%.1f\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
# Warm-up (JIT tiers, pools, caches), then rounds that alternate the two paths so a noisy neighbour
# (the machine is shared) weighs on both alike. The COPY side writes as many rows as the API round did.
wrk -t"$threads" -c"$conns" -d"${warmup}s" -s "$work/post_file.lua" "$base/events" >/dev/null
rounds=3
api_rows=0; api_secs=0; api_req=0; api_non2xx=0; api_err=0; copy_rows=0; copy_secs=0; api_p50=""; api_p99=""
for round in $(seq 1 "$rounds"); do
  log "events round $round/$rounds: wrk $((seconds / 2))s, $conns connections, batches of $batch"
  out="$(wrk -t"$threads" -c"$conns" -d"$((seconds / 2))s" -s "$work/post_file.lua" "$base/events" | grep '^RESULT')"
  read -r req non2xx err secs p50 p99 < <(sed -E 's/[a-z0-9]+=//g; s/RESULT //' <<<"$out")
  api_req=$((api_req + req)); api_non2xx=$((api_non2xx + non2xx)); api_err=$((api_err + err))
  api_rows=$((api_rows + (req - non2xx) * batch)); api_secs="$(python3 -c "print($api_secs + $secs)")"
  api_p50="$api_p50 $p50"; api_p99="$api_p99 $p99"

  log "events round $round/$rounds: raw binary COPY as travel_owner through PgBouncer, $conns clients"
  copies_per_client=$(( (req + conns - 1) / conns ))
  for _ in $(seq 1 "$copies_per_client"); do
    echo "\\copy user_events (user_id, event_type, category, data, session_id, device_type, occurred_at) FROM '$work/events.bin' (FORMAT binary)"
  done >"$work/copy.sql"
  t0="$(date +%s.%N)"
  copy_pids=()
  for _ in $(seq 1 "$conns"); do as_owner_pooled -f "$work/copy.sql" >/dev/null & copy_pids+=($!); done
  wait "${copy_pids[@]}"
  t1="$(date +%s.%N)"
  copy_rows=$(( copy_rows + copies_per_client * conns * batch )); copy_secs="$(python3 -c "print($copy_secs + $t1 - $t0)")"
done
stored="$(as_owner_direct -Atc "SELECT count(*) FROM user_events")"
api_eps="$(python3 -c "print(round($api_rows / $api_secs))")"
copy_eps="$(python3 -c "print(round($copy_rows / $copy_secs))")"
in_default="$(as_owner_direct -Atc "SELECT count(*) FROM user_events_default")"

# ---------------------------------------------------------------------------------------------
# 2. Chat messages: $conversations conversations, appends spread over them at random.
ids=()
for _ in $(seq 1 "$conversations"); do
  ids+=("$(curl -fsS -H "Authorization: Bearer $token" -H 'Content-Type: application/json' -d '{"agentType":"trip_planning"}' "$base/conversations" | jq -r .id)")
done
lua_ids="$(printf '"%s",' "${ids[@]}")"
sql_ids="$(printf "'%s'," "${ids[@]}")"
content="Where should we eat tonight in Lisbon? Somewhere near Alfama, not too touristy, for two."
cat >"$work/messages.lua" <<LUA
local ids = { ${lua_ids%,} }
local body = '{"role":"user","content":"$content"}'
local headers = { ["Content-Type"] = "application/json", ["Authorization"] = "Bearer $token" }
request = function()
  return wrk.format("POST", "/api/conversations/" .. ids[math.random(#ids)] .. "/messages", headers, body)
end
done = function(summary, latency, requests)
  io.write(string.format("RESULT requests=%d non2xx=%d errors=%d seconds=%.3f p50ms=%.1f p99ms=%.1f\n",
    summary.requests, summary.errors.status, summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.duration / 1e6, latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
LUA
cat >"$work/messages.pgbench" <<SQL
\\set n random(1, $conversations)
BEGIN;
SELECT set_config('app.user_id', '$user_id', true);
INSERT INTO chat_messages (conversation_id, user_id, role, content) VALUES ((ARRAY[${sql_ids%,}]::uuid[])[:n], '$user_id', 'user', '$content');
UPDATE conversations SET last_message_at = greatest(last_message_at, now()) WHERE id = (ARRAY[${sql_ids%,}]::uuid[])[:n] AND user_id = app.current_user_id() AND status = 'active';
END;
SQL
wrk -t"$threads" -c"$conns" -d"${warmup}s" -s "$work/messages.lua" "$base/conversations" >/dev/null # warm-up
msg_ok=0; msg_secs=0; msg_non2xx=0; msg_err=0; msg_p50=""; msg_p99=""; pg_tx=0; pg_secs=0
for round in $(seq 1 "$rounds"); do
  log "messages round $round/$rounds: wrk $((seconds / 2))s, $conns connections"
  out="$(wrk -t"$threads" -c"$conns" -d"$((seconds / 2))s" -s "$work/messages.lua" "$base/conversations" | grep '^RESULT')"
  read -r req non2xx err secs p50 p99 < <(sed -E 's/[a-z0-9]+=//g; s/RESULT //' <<<"$out")
  msg_ok=$((msg_ok + req - non2xx)); msg_non2xx=$((msg_non2xx + non2xx)); msg_err=$((msg_err + err))
  msg_secs="$(python3 -c "print($msg_secs + $secs)")"; msg_p50="$msg_p50 $p50"; msg_p99="$msg_p99 $p99"
  log "messages round $round/$rounds: pgbench $((seconds / 2))s, $conns clients as travel_app through PgBouncer"
  # A failed floor run (a client aborted: e.g. the shared PgBouncer refused a connection) says why and stops the bench.
  PGPASSWORD="$app_pw" pgbench -n -h 127.0.0.1 -p "$bouncer_port" -U travel_app -c "$conns" -j "$threads" -T "$((seconds / 2))" \
    -f "$work/messages.pgbench" "$db" >"$work/pgbench.out" 2>&1 || { tail -20 "$work/pgbench.out" >&2; exit 1; }
  tps="$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$work/pgbench.out" | head -1)"
  pg_tx="$(python3 -c "print($pg_tx + $tps * $((seconds / 2)))")"; pg_secs=$((pg_secs + seconds / 2))
done
api_mps="$(python3 -c "print(round($msg_ok / $msg_secs))")"
pg_tps="$(python3 -c "print(round($pg_tx / $pg_secs))")"

# ---------------------------------------------------------------------------------------------
ratio() { python3 -c "print(f'{$1 / $2:.2f}')"; }
verdict() { python3 -c "print('PASS' if round($1 / $2, 2) >= $3 and $4 == 0 else 'FAIL')"; } # API floor bar bad-count
cat <<OUT

Feeds benchmark ($(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg), $(date -u +%Y-%m-%dT%H:%MZ), commit $(git rev-parse --short HEAD); $rounds alternating rounds of $((seconds / 2))s per path; $conns connections)
events  API  POST /api/events  : $api_eps events/s  ($((api_req - api_non2xx)) batches of $batch, non-2xx $api_non2xx, errors $api_err, p50 per round${api_p50} ms, p99${api_p99} ms; $stored rows stored incl. warm-up and COPY)
events  raw  binary COPY       : $copy_eps events/s  ($copy_rows rows as travel_owner via PgBouncer; rows in DEFAULT partition: $in_default)
events  ratio API/COPY         : $(ratio "$api_eps" "$copy_eps")   (bar >= 0.65, no non-2xx: $(verdict "$api_eps" "$copy_eps" 0.65 $((api_non2xx + api_err))))
messages API POST …/messages   : $api_mps messages/s  (non-2xx $msg_non2xx, errors $msg_err, p50 per round${msg_p50} ms, p99${msg_p99} ms)
messages pgbench equivalent    : $pg_tps tx/s
messages ratio API/pgbench     : $(ratio "$api_mps" "$pg_tps")   (bar >= 0.5, no non-2xx: $(verdict "$api_mps" "$pg_tps" 0.5 $((msg_non2xx + msg_err))))
OUT
[ "$(verdict "$api_eps" "$copy_eps" 0.65 $((api_non2xx + api_err)))" = PASS ] && [ "$(verdict "$api_mps" "$pg_tps" 0.5 $((msg_non2xx + msg_err)))" = PASS ]
