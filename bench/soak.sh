#!/usr/bin/env bash
# Soak (issue 13 §12): SOAK_SECONDS (default 600) of mixed load against the published HTTP package under the local
# host, on a fresh database of the running stack: trip reads (GET /api/trips/{id}), bookings (POST with an
# Idempotency-Key), chat appends (POST /api/conversations/{id}/messages) and event batches (POST /api/events, 20
# events), in turn, at a fixed RATE requests/s from 4 keep-alive connections. Every 10 s it samples the app's
# resident memory (host + worker processes) and the server connections PostgreSQL holds for the database.
# Bars: zero errors (every answer 2xx), the RSS flat after warm-up (the last minute's mean within 10 % of the
# first minute's after WARMUP_SECONDS), server connections never above PgBouncer's pool size for the database.
#   bench/soak.sh          SOAK_SECONDS=… RATE=… WARMUP_SECONDS=… to change it
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# shellcheck source=lib/localhost.sh
source "$repo/bench/lib/localhost.sh"
bench_source_stack_env
seconds="${SOAK_SECONDS:-600}"; rate="${RATE:-40}"; warmup="${WARMUP_SECONDS:-60}"
work="$(mktemp -d)"
db="tf_soak_$$"
loader_pid=""
field() { sed -E "s/.*(^|;)$2=([^;]*).*/\2/" <<<"$1"; }
admin() { PGPASSWORD="$(field "$TRAVEL_TEST_ADMIN" Password)" psql -X -qAt -v ON_ERROR_STOP=1 -h 127.0.0.1 \
  -p "$(field "$TRAVEL_TEST_ADMIN" Port)" -U postgres -d postgres "$@"; }
direct="${TravelDbDirect/Database=travel;/Database=$db;}"
pooled="${TravelDb/Database=travel;/Database=$db;}"
owner() { PGPASSWORD="$(field "$direct" Password)" psql -X -qAt -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$(field "$direct" Port)" \
  -U travel_owner -d "$db" "$@"; }
cleanup() {
  [ -n "$loader_pid" ] && kill "$loader_pid" 2>/dev/null || true
  localhost_stop
  admin -c "DROP DATABASE IF EXISTS \"$db\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "[soak] $*"; }

[ -f artifacts/Functions.Http.zip ] || scripts/publish.sh Functions.Http
localhost_build
log "database $db"
admin -c "CREATE DATABASE \"$db\" OWNER travel_owner"
for f in sql/migrations/*.sql; do owner -f "$f" >/dev/null; done
pool_size="$(sed -n 's/^default_pool_size *= *//p' "$("$repo/scripts/stack.sh" dir)/pgbouncer.ini")"

log "the HTTP package under the local host"
http_package_start "$work" "$pooled"
bench_sign_in "$api" soak
trip_id="$(bench_new_trip "$api" "$token")"
auth=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')
conversation_id=$(curl -fsS "${auth[@]}" -d "{\"tripId\":\"$trip_id\",\"agentType\":\"trip_planning\",\"title\":\"Soak\"}" "$api/conversations" | jq -er .id)

# The loader: one schedule of RATE requests/s over 4 connections, the four kinds in turn. One line per request:
# scheduled start, latency (ms), kind, status (0 = no answer).
cat >"$work/loader.py" <<'PY'
import http.client, json, os, sys, threading, time
host, port, token, trip, conv, rate, out, stop = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], float(sys.argv[6]), sys.argv[7], sys.argv[8]
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
booking = json.dumps({"bookingType": "hotel", "details": {"hotelName": "Soak Hotel", "checkIn": "2027-06-02", "checkOut": "2027-06-05", "guests": 2},
                      "totalAmount": 1.0, "currency": "EUR", "cancellable": True})
message = json.dumps({"role": "user", "content": "What is there to see in Lisbon in June? " * 4})
events = json.dumps({"events": [{"eventType": "page_view", "category": "search", "data": {"page": "/trips", "n": i},
                                 "sessionId": "soak", "deviceType": "mobile"} for i in range(20)]})
kinds = [("read", "GET", f"/api/trips/{trip}", None), ("booking", "POST", f"/api/trips/{trip}/bookings", booking),
         ("chat", "POST", f"/api/conversations/{conv}/messages", message), ("events", "POST", "/api/events", events)]
lock, slot, t0, lines = threading.Lock(), [0], time.time(), []
def worker():
    conn = None
    while not os.path.exists(stop):
        with lock:
            i = slot[0]; slot[0] += 1
        due = t0 + i / rate
        if due > time.time(): time.sleep(due - time.time())
        name, method, path, body = kinds[i % len(kinds)]
        h = dict(headers, **({"Idempotency-Key": f"soak-{i}"} if name == "booking" else {}))
        status = 0
        try:
            if conn is None: conn = http.client.HTTPConnection(host, port, timeout=60)
            conn.request(method, path, body, h)
            r = conn.getresponse(); r.read(); status = r.status
        except Exception:
            if conn is not None: conn.close()
            conn = None
        with lock:
            lines.append(f"{due:.6f} {(time.time() - due) * 1000:.1f} {name} {status}\n")
threads = [threading.Thread(target=worker) for _ in range(4)]
for t in threads: t.start()
for t in threads: t.join()
open(out, "w").writelines(lines)
PY

rss_kb() { # the host and every process under it (the worker)
  local total=0 pid
  for pid in "$localhost_pid" $(pgrep -P "$localhost_pid" || true); do
    total=$((total + $(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)))
  done
  echo "$total"
}
log "load: $rate requests/s for ${seconds}s (reads, bookings, chat appends, event batches in turn); samples every 10 s"
python3 "$work/loader.py" 127.0.0.1 "$port" "$token" "$trip_id" "$conversation_id" "$rate" "$work/requests.log" "$work/stop" &
loader_pid=$!
start=$(date +%s)
while [ $(( $(date +%s) - start )) -lt "$seconds" ]; do
  sleep 10
  conns="$(admin -c "SELECT count(*) FROM pg_stat_activity WHERE datname = '$db' AND backend_type = 'client backend'")"
  echo "$(( $(date +%s) - start )) $(rss_kb) $conns" >> "$work/samples"
done
touch "$work/stop"; wait "$loader_pid" || true; loader_pid=""

python3 - "$work/requests.log" "$work/samples" "$warmup" "$pool_size" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import sys
reqs = [l.split() for l in open(sys.argv[1])]
samples = [tuple(map(int, l.split())) for l in open(sys.argv[2])]
warmup, pool, load = int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
failures = []
by_kind = {}
for due, ms, kind, status in reqs:
    by_kind.setdefault(kind, []).append((float(ms), int(status)))
for kind, rs in sorted(by_kind.items()):
    lat = sorted(r[0] for r in rs); bad = sum(1 for r in rs if not 200 <= r[1] < 300)
    print(f"{kind:<8} {len(rs):6d} requests, {bad} errors, p50 {lat[len(lat)//2]:.1f} ms, p99 {lat[min(len(lat)-1, int(.99*len(lat)))]:.1f} ms")
    if bad: failures.append(f"{bad} {kind} errors")
after = [s for s in samples if s[0] > warmup]
first = [s[1] for s in after if s[0] <= warmup + 60]
last = [s[1] for s in samples if s[0] > samples[-1][0] - 60]
if first and last:
    a, b = sum(first) / len(first) / 1024, sum(last) / len(last) / 1024
    growth = (b - a) / a * 100
    print(f"RSS      host + worker: {a:.0f} MB in the first minute after warm-up, {b:.0f} MB in the last ({growth:+.1f} %); "
          f"min {min(s[1] for s in after)/1024:.0f}, max {max(s[1] for s in after)/1024:.0f} MB")
    if abs(growth) > 10: failures.append(f"RSS moved {growth:+.1f} %")
else:
    failures.append("too short to compare the RSS")
peak = max(s[2] for s in samples)
print(f"server   connections to the database: max {peak} (PgBouncer pool size {pool}); load average {load}")
if peak > pool: failures.append(f"{peak} server connections > pool size {pool}")
print("result   " + ("PASS" if not failures else "FAIL: " + "; ".join(failures)))
sys.exit(0 if not failures else 1)
PY
