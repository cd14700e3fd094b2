#!/usr/bin/env bash
# Reliability bench (issue 13 §11): what clients see while the database, then the pooler, goes away under load.
# A private stack of its own (PostgreSQL 15 + PgBouncer in transaction mode on spare ports, in a temporary
# directory: stopping it disturbs nobody else's tests), the published HTTP package under the local host, and a
# loader sending a fixed rate of mixed requests from 4 keep-alive connections: GET /api/trips/{id} and
# POST /api/trips/{id}/bookings with an Idempotency-Key, a booking answered 503 (or not at all) retried with the same
# key until it is created, as a client should. Phases: steady; PostgreSQL stopped (OUTAGE_SECONDS) and started;
# steady; PgBouncer stopped and started; steady; every server connection of the database terminated each 0.5 s
# (what a suspending Neon compute does) during reads and writes; steady.
# Bars: during each outage every answer that is not 2xx is 503 with Retry-After (no 500, no other status, no
# request longer than HANG_SECONDS, default the app's 30 s command timeout + 5 s); service back within 5 s of the
# restart (first 2xx of each kind); zero non-2xx outside the outages, the terminations included (retried
# invisibly); every booking created exactly once per key.
#   bench/outage.sh        RATE=… OUTAGE_SECONDS=… STEADY_SECONDS=… HANG_SECONDS=… to change it
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
# shellcheck source=lib/localhost.sh
source "$repo/bench/lib/localhost.sh"
rate="${RATE:-40}"; outage="${OUTAGE_SECONDS:-10}"; steady="${STEADY_SECONDS:-10}"; hang="${HANG_SECONDS:-35}"
work="$(mktemp -d)"; chmod 755 "$work"   # the stack runs PostgreSQL as an unprivileged user
export TRAVEL_STACK_DIR="$work/stack"
export TRAVEL_PG_PORT="$(bench_free_port)" TRAVEL_PGBOUNCER_PORT="$(bench_free_port)" TRAVEL_BLOB_PORT="$(bench_free_port)"
stack() { "$repo/scripts/stack.sh" "$@" 2>&1 | sed 's/^/   /'; }
loader_pid=""
cleanup() {
  [ -n "$loader_pid" ] && kill "$loader_pid" 2>/dev/null || true
  localhost_stop
  "$repo/scripts/stack.sh" down >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
log() { echo "[outage] $*"; }
mark() { echo "$1 $(date +%s.%N)" >> "$work/marks"; }

[ -f artifacts/Functions.Http.zip ] || scripts/publish.sh Functions.Http
localhost_build
log "private stack in $work/stack: postgres :$TRAVEL_PG_PORT, pgbouncer :$TRAVEL_PGBOUNCER_PORT"
stack up
# shellcheck disable=SC1091
source "$work/stack/env"
field() { sed -E "s/.*(^|;)$2=([^;]*).*/\2/" <<<"$1"; }
db=travel_outage
pooled="${TravelDb/Database=travel;/Database=$db;}"
direct="${TravelDbDirect/Database=travel;/Database=$db;}"
admin() { PGPASSWORD="$(field "$TRAVEL_TEST_ADMIN" Password)" psql -X -qAt -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$TRAVEL_PG_PORT" -U postgres -d postgres "$@"; }
owner() { PGPASSWORD="$(field "$direct" Password)" psql -X -qAt -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$TRAVEL_PG_PORT" -U travel_owner -d "$db" "$@"; }
admin -c "CREATE DATABASE $db OWNER travel_owner"
for f in sql/migrations/*.sql; do owner -f "$f" >/dev/null; done

log "the HTTP package under the local host"
http_package_start "$work" "$pooled"
bench_sign_in "$api" outage
trip_id="$(bench_new_trip "$api" "$token")"

# The loader: one schedule of RATE requests/s shared by 4 connections, reads and writes alternating. A booking
# not answered 2xx keeps its Idempotency-Key and is sent again in that connection's next write slot.
# One line per request: scheduled start, latency (ms), kind, status (0 = no answer), Retry-After present, key.
cat >"$work/loader.py" <<'PY'
import http.client, json, os, sys, threading, time
host, port, token, trip, rate, out, stop, timeout = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], float(sys.argv[5]), sys.argv[6], sys.argv[7], float(sys.argv[8])
booking = json.dumps({"bookingType": "hotel", "details": {"hotelName": "Outage Hotel", "checkIn": "2027-06-02", "checkOut": "2027-06-05", "guests": 2},
                      "totalAmount": 1.0, "currency": "EUR", "cancellable": True})
auth = {"Authorization": "Bearer " + token}
lock, slot, t0, lines = threading.Lock(), [0], time.time(), []
def worker(n):
    conn, pending, made = None, None, 0
    while not os.path.exists(stop):
        with lock:
            i = slot[0]; slot[0] += 1
        due = t0 + i / rate
        if due > time.time(): time.sleep(due - time.time())
        write = i % 2 == 1
        if write and pending is None:
            made += 1; pending = f"outage-{n}-{made}"
        status, retry_after = 0, 0
        try:
            if conn is None: conn = http.client.HTTPConnection(host, port, timeout=timeout)
            if write:
                conn.request("POST", f"/api/trips/{trip}/bookings", booking, {**auth, "Content-Type": "application/json", "Idempotency-Key": pending})
            else:
                conn.request("GET", f"/api/trips/{trip}", headers=auth)
            r = conn.getresponse(); r.read(); status = r.status; retry_after = int(r.getheader("Retry-After") is not None)
        except Exception:
            if conn is not None: conn.close()
            conn = None
        key = pending if write else "-"
        if write and 200 <= status < 300: pending = None
        with lock:
            lines.append(f"{due:.6f} {(time.time() - due) * 1000:.1f} {'write' if write else 'read'} {status} {retry_after} {key}\n")
threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
for t in threads: t.start()
for t in threads: t.join()
open(out, "w").writelines(lines)
PY

terminate_loop() { # seconds: every server connection of the database terminated each 0.5 s
  local until=$(( $(date +%s) + $1 ))
  while [ "$(date +%s)" -lt "$until" ]; do
    admin -c "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '$db' AND pid <> pg_backend_pid()" >/dev/null
    sleep 0.5
  done
}
wait_port() { for _ in $(seq 1 200); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.05; done; return 1; }

log "load: $rate requests/s (reads and bookings alternating); phases of ${steady}s steady, ${outage}s outages"
python3 "$work/loader.py" 127.0.0.1 "$port" "$token" "$trip_id" "$rate" "$work/requests.log" "$work/stop" "$((hang + 15))" &
loader_pid=$!
sleep 5; mark steady1; sleep "$steady"
mark pg_down; stack down postgres; sleep "$outage"
stack up >/dev/null; wait_port "$TRAVEL_PG_PORT"; mark pg_up
sleep "$steady"; mark steady2; sleep "$steady"
mark bouncer_down; stack down pgbouncer; sleep "$outage"
stack up >/dev/null; wait_port "$TRAVEL_PGBOUNCER_PORT"; mark bouncer_up
sleep "$steady"; mark terminate; terminate_loop "$outage"; mark terminate_end
sleep "$steady"; mark end
touch "$work/stop"; wait "$loader_pid" || true; loader_pid=""

bookings="$(owner -c "SELECT count(*) FROM bookings")"
python3 - "$work/requests.log" "$work/marks" "$bookings" "$hang" "$(cut -d' ' -f1-3 /proc/loadavg)" <<'PY'
import sys
lines = [l.split() for l in open(sys.argv[1])]
marks = {k: float(v) for k, v in (l.split() for l in open(sys.argv[2]))}
bookings, hang, load = int(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
reqs = sorted((float(d), float(ms), kind, int(st), int(ra), key) for d, ms, kind, st, ra, key in lines)
ok = lambda s: 200 <= s < 300
failures = []
def window(name, lo, hi):
    return [r for r in reqs if lo <= r[0] < hi]
def report_outage(name, down, up):
    w = window(name, marks[down], marks[up] + 5)
    bad = [r for r in w if not ok(r[3])]
    wrong = [r for r in bad if not (r[3] == 503 and r[4] == 1)]
    slow = max((r[1] for r in w), default=0)
    back = {}
    for kind in ("read", "write"):
        first = next((r for r in reqs if r[2] == kind and r[0] >= marks[up] and ok(r[3])), None)
        back[kind] = (first[0] + first[1] / 1000 - marks[up]) if first else float("inf")
    statuses = sorted({r[3] for r in bad})
    print(f"{name:<22} {len(w):5d} requests, {len(bad):4d} not 2xx (statuses {statuses}), {len(wrong)} of them not 503+Retry-After; "
          f"slowest {slow/1000:.2f} s; back after the restart in {back['read']:.2f} s (read) / {back['write']:.2f} s (write)")
    if wrong: failures.append(f"{name}: {len(wrong)} answers other than 503 with Retry-After")
    if slow / 1000 > hang: failures.append(f"{name}: a request took {slow/1000:.1f} s (> {hang} s)")
    if max(back.values()) > 5: failures.append(f"{name}: service back only after {max(back.values()):.1f} s")
def report_steady(name, lo, hi):
    w = window(name, marks[lo], marks[hi])
    bad = [r for r in w if not ok(r[3])]
    lat = sorted(r[1] for r in w)
    p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))] if lat else 0
    print(f"{name:<22} {len(w):5d} requests, {len(bad):4d} not 2xx (statuses {sorted({r[3] for r in bad})}); p99 {p99:.1f} ms")
    if bad: failures.append(f"{name}: {len(bad)} requests not 2xx")
report_steady("steady", "steady1", "pg_down")
report_outage("postgres stopped", "pg_down", "pg_up")
report_steady("steady after", "steady2", "bouncer_down")
report_outage("pgbouncer stopped", "bouncer_down", "bouncer_up")
report_steady("backends terminated", "terminate", "terminate_end")
report_steady("steady at the end", "terminate_end", "end")
created = {r[5] for r in reqs if r[2] == "write" and ok(r[3])}
unresolved = {r[5] for r in reqs if r[2] == "write"} - created
print(f"bookings               {len(created)} keys answered 2xx, {bookings} rows in the table"
      f"{f', {len(unresolved)} keys still unanswered at the end' if unresolved else ''}; load average {load}")
if bookings != len(created): failures.append(f"bookings: {bookings} rows for {len(created)} created keys")
print("result                 " + ("PASS" if not failures else "FAIL: " + "; ".join(failures)))
sys.exit(0 if not failures else 1)
PY
