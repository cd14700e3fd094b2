#!/usr/bin/env bash
# HTTP API throughput beside its floor, in the same run (issue 2 §5, issue 11 §5):
#   read:  authenticated GET /api/trips/{id}
#   write: POST /api/trips/{id}/bookings, a hotel booking with a unique Idempotency-Key per request
# against the published package (artifacts/Functions.Http.zip: the .NET isolated worker, self-contained, composite
# ReadyToRun) run under the local Functions host (src/Functions.LocalHost, Release), wrk calling the host's front
# door as clients call the Functions host; and pgbench running the same SQL the store runs, in the same
# transaction shape (app.begin_request sets app.user_id), through the same PgBouncer as travel_app (-n -M simple).
# Prints requests/s, p50/p99 and app ÷ pgbench. Bar: zero non-2xx, read ratio >= 0.6, write ratio >= 0.5.
# After a warm-up of each app path (the JIT keeps re-compiling hot methods of the host and the worker for some 15 s
# under load on 2 cores), app and floor alternate in BENCH_ROUNDS rounds (all reads, then all writes), so a noisy
# neighbour on a shared machine weighs on both sides alike. Figures: mean rate over the rounds; app p50 = median of
# the rounds' p50s and p99 = the worst round's; pgbench p50/p99 over every transaction of its rounds.
#   bench/http.sh                      BENCH_SECONDS=10 (per round) BENCH_ROUNDS=3 BENCH_CONNECTIONS=16 BENCH_WARMUP=20
#   BENCH_APP_ENV='K=V …'              extra app settings for an experiment (e.g. a log level)
# Uses a database of its own (travel_bench, recreated each run) on the local stack (scripts/stack.sh).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${BENCH_SECONDS:-10}"
rounds="${BENCH_ROUNDS:-3}"
warmup="${BENCH_WARMUP:-20}"
conns="${BENCH_CONNECTIONS:-16}"
threads=2
read_bar=0.6
write_bar=0.5
# shellcheck source=lib/localhost.sh
source "$repo/bench/lib/localhost.sh"
bench_source_stack_env
# shellcheck source=../scripts/lib/apt.sh
source "$repo/scripts/lib/apt.sh"
require_commands bench wrk pgbench=postgresql-contrib jq curl unzip python3
[ -f "$repo/artifacts/Functions.Http.zip" ] || "$repo/scripts/publish.sh" Functions.Http
localhost_build

work="$(mktemp -d)"
cleanup() { localhost_stop; rm -rf "$work"; }
trap cleanup EXIT

# Connection settings from the stack's Npgsql strings.
field() { sed -E "s/.*(^|;)$2=([^;]*).*/\2/" <<<"$1"; }
db=travel_bench
pooled="${TravelDb/Database=travel;/Database=$db;}"
direct="${TravelDbDirect/Database=travel;/Database=$db;}"
admin() { PGPASSWORD="$(field "$TRAVEL_TEST_ADMIN" Password)" psql -X -q -v ON_ERROR_STOP=1 -h "$(field "$TRAVEL_TEST_ADMIN" Host)" \
  -p "$(field "$TRAVEL_TEST_ADMIN" Port)" -U "$(field "$TRAVEL_TEST_ADMIN" Username)" -d postgres "$@"; }
owner() { PGPASSWORD="$(field "$direct" Password)" psql -X -q -v ON_ERROR_STOP=1 -h "$(field "$direct" Host)" \
  -p "$(field "$direct" Port)" -U "$(field "$direct" Username)" -d "$db" "$@"; }

echo "== database $db: recreate and migrate"
admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db OWNER travel_owner"
for f in "$repo"/sql/migrations/*.sql; do owner -f "$f" >/dev/null; done

echo "== app: artifacts/Functions.Http.zip under the local host on a spare port"
mkdir -p "$work/app" && unzip -q "$repo/artifacts/Functions.Http.zip" -d "$work/app"
port="$(bench_free_port)"
# Only what the app needs; Auth__PasswordHashIterations stays at its production default.
# shellcheck disable=SC2086 # BENCH_APP_ENV is a list of NAME=VALUE words
http_app_settings "$work/local.settings.json" TravelDb="$pooled" \
  Jwt__AccessTokenMinutes=240 Jwt__RefreshTokenDays=30 Auth__PermitsPerMinute=1000000 ${BENCH_APP_ENV:-}
localhost_start "$work/app" "$port" "$work/local.settings.json" "$work/host.log"
api="http://127.0.0.1:$port/api"

email="bench+$(date +%s%N)@example.test"; password="bench-password-0123"
user_id=$(curl -fsS -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\",\"firstName\":\"Bench\",\"lastName\":\"User\"}" "$api/users" | jq -er .id)
token=$(curl -fsS -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$api/auth/token" | jq -er .accessToken)
trip_id=$(curl -fsS -H 'Content-Type: application/json' -H "Authorization: Bearer $token" -d '{
  "title":"Bench trip","tripType":"leisure","startDate":"2026-06-01","endDate":"2026-06-30",
  "destinations":[{"city":"Lisbon","country":"PT","arrivalDate":"2026-06-01","departureDate":"2026-06-10"},{"city":"Porto","country":"PT"}],
  "budget":{"amount":1000000,"currency":"EUR"},"travelerCount":2}' "$api/trips" | jq -er .id)
booking='{"bookingType":"hotel","details":{"hotelName":"Bench Hotel","checkIn":"2026-06-02","checkOut":"2026-06-05","guests":2},"totalAmount":12.50,"currency":"EUR","cancellable":true}'
echo "user $user_id, trip $trip_id"

# wrk: count every non-2xx and socket error; print rps and p50/p99 (ms) in one parsable line.
cat >"$work/bench.lua" <<'LUA'
local threads = {}
local counter = 0
function setup(thread) thread:set("tid", #threads + 1); table.insert(threads, thread) end
function init(args)
  bad = 0
  method, path, token, body, run = args[1], args[2], args[3], args[4], args[5]
end
function request()
  local headers = { ["Authorization"] = "Bearer " .. token }
  if method == "POST" then
    counter = counter + 1
    headers["Content-Type"] = "application/json"
    headers["Idempotency-Key"] = string.format("wrk-%s-%d-%d", run, tid, counter)
    return wrk.format("POST", path, headers, body)
  end
  return wrk.format("GET", path, headers)
end
function response(status, headers, resp)
  if status < 200 or status > 299 then
    bad = bad + 1
    if bad <= 3 then io.stderr:write("non-2xx " .. status .. ": " .. string.sub(resp or "", 1, 300) .. "\n") end
  end
end
function done(summary, latency, requests)
  local non2xx = 0
  for _, t in ipairs(threads) do non2xx = non2xx + t:get("bad") end
  local e = summary.errors
  io.write(string.format("RESULT %.1f %.2f %.2f %d %d\n", summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, non2xx, e.connect + e.read + e.write + e.timeout))
end
LUA

run_wrk() { # method path body -> "rps p50 p99 non2xx socketErrors"
  wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency -s "$work/bench.lua" "http://127.0.0.1:$port" \
    -- "$1" "$2" "$token" "${3:-}" "$(date +%s%N)" >"$work/wrk.out" 2>"$work/wrk.err" || { cat "$work/wrk.err" >&2; exit 1; }
  head -3 "$work/wrk.err" >&2 || true
  grep '^RESULT' "$work/wrk.out" | cut -d' ' -f2-
}

# The store's SQL, statement for statement and round trip for round trip
# (src/Shared.Data/Trips/TripStore.cs GetAsync: Db.ReadAsUserAsync sends begin_request and the SELECT as one
# batch, one implicit transaction — here one simple-protocol line, which is one round trip too;
# src/Shared.Data/Bookings/BookingStore.cs CreateAsync with an Idempotency-Key).
# The trip's columns exactly as TripStore.Columns has them (destinations and per-currency spending included).
columns="$(python3 - "$repo/src/Shared.Data/Trips/TripStore.cs" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
print(re.search(r'private const string Columns = """\n(.*?)\n\s*""";', text, re.S).group(1))
PY
)"
booking_columns="b.id, b.trip_id, b.booking_type, b.status, b.confirmation_code, b.supplier_name, b.supplier_reference,
  b.details::text AS details, b.total_amount, b.currency, b.cancellable, b.cancellation_deadline, b.cancellation_fee,
  b.cancellation_fee_charged, b.starts_at, b.ends_at, b.created_at, b.confirmed_at, b.cancelled_at"
# Two read floors. The issue's: the same SQL in a set_config transaction, one statement per round trip
# (BEGIN; begin_request; SELECT; COMMIT). And a stricter one with the app's own batching: pgbench reads
# one command per line, so one line = two statements, one implicit transaction, one round trip.
cat >"$work/read.sql" <<SQL
BEGIN;
SELECT app.begin_request('$user_id');
SELECT $(echo $columns) FROM trips t WHERE t.id = '$trip_id';
COMMIT;
SQL
cat >"$work/read-batched.sql" <<SQL
SELECT app.begin_request('$user_id'); SELECT $(echo $columns) FROM trips t WHERE t.id = '$trip_id';
SQL
cat >"$work/write.sql" <<SQL
\set k random(1, 1000000000000)
\set c random(0, 2821109907455)
BEGIN;
SELECT app.begin_request('$user_id');
DELETE FROM idempotency_keys WHERE user_id = app.current_user_id() AND key = 'pgb-:client_id-:k' AND expires_at <= now();
SELECT request_hash, booking_id FROM idempotency_keys WHERE user_id = app.current_user_id() AND key = 'pgb-:client_id-:k';
SELECT currency, app.can_write_trip(id) AS can_write FROM trips WHERE id = '$trip_id' AND app.can_read_trip(id);
SAVEPOINT new_booking;
INSERT INTO bookings AS b (trip_id, created_by, booking_type, confirmation_code, supplier_name, details, total_amount, currency, cancellable, cancellation_deadline, cancellation_fee, starts_at, ends_at) VALUES ('$trip_id', app.current_user_id(), 'hotel', (SELECT string_agg(substr('0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ', ((:c / (36::bigint ^ i)::bigint) % 36)::int + 1, 1), '') FROM generate_series(0, 7) i), NULL, '{"hotelName":"Bench Hotel","checkIn":"2026-06-02","checkOut":"2026-06-05","guests":2}'::jsonb, 12.50, 'EUR', true, NULL, NULL, '2026-06-02T00:00:00Z', '2026-06-05T00:00:00Z') RETURNING $booking_columns \gset
INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id) VALUES (app.current_user_id(), 'pgb-:client_id-:k', sha256('pgb-:client_id-:k'::bytea), ':id');
COMMIT;
SQL

run_pgbench() { # script -> "tps p50 p99 failed"
  rm -f "$work"/pgb.*
  PGPASSWORD="$(field "$pooled" Password)" pgbench -n -M simple -h "$(field "$pooled" Host)" -p "$(field "$pooled" Port)" \
    -U "$(field "$pooled" Username)" -c "$conns" -j "$threads" -T "$seconds" -l --log-prefix="$work/pgb" -f "$1" "$db" \
    >"$work/pgbench.out" 2>&1 || { cat "$work/pgbench.out" >&2; exit 1; }
  local tps failed
  tps=$(sed -nE 's/^tps = ([0-9.]+) .*/\1/p' "$work/pgbench.out")
  failed=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$work/pgbench.out"); failed="${failed:-0}"
  # Per-transaction log: the third field is the latency in microseconds.
  cat "$work"/pgb.* | awk '{print $3}' | sort -n | awk -v tps="$tps" -v failed="$failed" \
    '{a[NR]=$1} END {printf "%s %.2f %.2f %d\n", tps, a[int(NR*0.5)+1]/1000, a[int(NR*0.99)+1]/1000, failed}'
}

# Warm-up (JIT tiering, connection pools) of both app paths before anything is measured; pgbench needs none.
if [ "$warmup" -gt 0 ]; then
  echo "== warm-up: ${warmup}s per path"
  seconds="$warmup" run_wrk GET "/api/trips/$trip_id" >/dev/null
  seconds="$warmup" run_wrk POST "/api/trips/$trip_id/bookings" "$booking" >/dev/null
fi

# One line per round in each file; pgbench's per-transaction logs are kept per round for the percentiles.
keep_log() { for f in "$work"/pgb.*; do mv "$f" "$work/log-$1.$2.${f##*.}"; done; }
for round in $(seq 1 "$rounds"); do
  echo "== read round $round/$rounds: GET /api/trips/{id}, then its floors  (${seconds}s each, $conns connections, $threads threads)"
  run_wrk GET "/api/trips/$trip_id" >>"$work/app-read"
  run_pgbench "$work/read.sql" >>"$work/pg-read"; keep_log read "$round"
  run_pgbench "$work/read-batched.sql" >>"$work/pg-read-batched"; keep_log read-batched "$round"
done
for round in $(seq 1 "$rounds"); do
  echo "== write round $round/$rounds: POST /api/trips/{id}/bookings, then its floor"
  run_wrk POST "/api/trips/$trip_id/bookings" "$booking" >>"$work/app-write"
  run_pgbench "$work/write.sql" >>"$work/pg-write"; keep_log write "$round"
done
bookings=$(owner -Atc "SELECT count(*) FROM bookings")

# app_summary FILE -> "mean-rps median-p50 max-p99 non2xx errors"; pg_summary NAME -> "mean-tps p50 p99 failed"
app_summary() {
  local p50
  p50=$(cut -d' ' -f2 "$1" | sort -n | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}')
  awk -v p50="$p50" '{rps += $1; if ($3 > p99) p99 = $3; bad += $4; err += $5} END {printf "%.1f %.2f %.2f %d %d\n", rps / NR, p50, p99, bad, err}' "$1"
}
pg_summary() {
  local tps failed
  read -r tps failed < <(awk '{tps += $1; failed += $4} END {printf "%.1f %d\n", tps / NR, failed}' "$work/pg-$1")
  cat "$work"/log-"$1".* | awk '{print $3}' | sort -n | awk -v tps="$tps" -v failed="$failed" \
    '{a[NR]=$1} END {printf "%s %.2f %.2f %d\n", tps, a[int(NR*0.5)+1]/1000, a[int(NR*0.99)+1]/1000, failed}'
}
read -r app_r_rps app_r_p50 app_r_p99 app_r_bad app_r_err < <(app_summary "$work/app-read")
read -r pg_r_tps pg_r_p50 pg_r_p99 pg_r_failed < <(pg_summary read)
read -r pg_rb_tps pg_rb_p50 pg_rb_p99 pg_rb_failed < <(pg_summary read-batched)
read -r app_w_rps app_w_p50 app_w_p99 app_w_bad app_w_err < <(app_summary "$work/app-write")
read -r pg_w_tps pg_w_p50 pg_w_p99 pg_w_failed < <(pg_summary write)

ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
verdict() { awk -v r="$1" -v bar="$2" -v bad="$3" 'BEGIN {print (r >= bar && bad == 0) ? "PASS" : "FAIL"}'; }
echo
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(sed -nE 's/^model name\s*: //p' /proc/cpuinfo | head -1); load average $(cut -d' ' -f1-3 /proc/loadavg); commit $(git -C "$repo" rev-parse --short HEAD)$(git -C "$repo" diff --quiet HEAD -- src bench 2>/dev/null || echo '+changes')"
printf '%-34s %10s %8s %8s %7s | %11s %8s %8s | %6s %s\n' "" "app req/s" "p50 ms" "p99 ms" "non2xx" "pgbench tps" "p50 ms" "p99 ms" "ratio" "bar"
r_ratio=$(ratio "$app_r_rps" "$pg_r_tps")
r_ok=$(verdict "$r_ratio" "$read_bar" "$((app_r_bad + app_r_err + pg_r_failed))")
printf '%-34s %10s %8s %8s %7s | %11.1f %8s %8s | %6s %s\n' "read  GET /api/trips/{id}" "$app_r_rps" "$app_r_p50" "$app_r_p99" "$((app_r_bad + app_r_err))" "$pg_r_tps" "$pg_r_p50" "$pg_r_p99" "$r_ratio" ">= $read_bar $r_ok"
printf '%-34s %10s %8s %8s %7s | %11.1f %8s %8s | %6s %s\n' "  same, vs 1-round-trip floor" "" "" "" "" "$pg_rb_tps" "$pg_rb_p50" "$pg_rb_p99" "$(ratio "$app_r_rps" "$pg_rb_tps")" "(informational)"
w_ratio=$(ratio "$app_w_rps" "$pg_w_tps")
w_ok=$(verdict "$w_ratio" "$write_bar" "$((app_w_bad + app_w_err + pg_w_failed))")
printf '%-34s %10s %8s %8s %7s | %11.1f %8s %8s | %6s %s\n' "write POST /api/trips/{id}/bookings" "$app_w_rps" "$app_w_p50" "$app_w_p99" "$((app_w_bad + app_w_err))" "$pg_w_tps" "$pg_w_p50" "$pg_w_p99" "$w_ratio" ">= $write_bar $w_ok"
echo "bookings written: $bookings (app incl. warm-up + pgbench); per round, app read req/s: $(cut -d' ' -f1 "$work/app-read" | tr '\n' ' ')floor: $(cut -d' ' -f1 "$work/pg-read" | tr '\n' ' ')"
[ "$r_ok" = PASS ] && [ "$w_ok" = PASS ]
