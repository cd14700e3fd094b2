#!/usr/bin/env bash
# Catalog reads beside their floor, in the same run (issue 15):
#   nearby: GET /api/places/attractions/nearby?lat&lon&radiusKm=5&open=now   (PostGIS, GiST)
#   search: GET /api/places/search?q=…                                       (full text + trigram, GIN)
# on a catalog of BENCH_ATTRACTIONS attractions (default 100 000) in 2 000 cities, against the published package
# (artifacts/Functions.Http.zip) under the local Functions host, as bench/http.sh does (bench/lib/localhost.sh);
# and pgbench running the same statement the store runs (src/Shared.Data/Places/PlaceReader.cs: one statement, one
# round trip, no transaction) through the same PgBouncer as travel_app (-n -M simple). Bar: zero non-2xx and
# app ÷ pgbench >= 0.5 for both. Warm-up, then app and floor alternate in BENCH_ROUNDS rounds.
#   bench/places.sh      BENCH_SECONDS=10 (per round) BENCH_ROUNDS=3 BENCH_CONNECTIONS=16 BENCH_WARMUP=10 BENCH_ATTRACTIONS=100000
# Uses a database of its own (travel_places_bench, recreated each run) on the local stack (scripts/stack.sh).
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
seconds="${BENCH_SECONDS:-10}"
rounds="${BENCH_ROUNDS:-3}"
warmup="${BENCH_WARMUP:-10}"
conns="${BENCH_CONNECTIONS:-16}"
attractions="${BENCH_ATTRACTIONS:-100000}"
threads=2
bar=0.5
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

field() { sed -E "s/.*(^|;)$2=([^;]*).*/\2/" <<<"$1"; }
db=travel_places_bench
pooled="${TravelDb/Database=travel;/Database=$db;}"
direct="${TravelDbDirect/Database=travel;/Database=$db;}"
admin() { PGPASSWORD="$(field "$TRAVEL_TEST_ADMIN" Password)" psql -X -q -v ON_ERROR_STOP=1 -h "$(field "$TRAVEL_TEST_ADMIN" Host)" \
  -p "$(field "$TRAVEL_TEST_ADMIN" Port)" -U "$(field "$TRAVEL_TEST_ADMIN" Username)" "$@"; }
owner() { PGPASSWORD="$(field "$direct" Password)" psql -X -q -v ON_ERROR_STOP=1 -h "$(field "$direct" Host)" \
  -p "$(field "$direct" Port)" -U "$(field "$direct" Username)" -d "$db" "$@"; }

echo "== database $db: recreate, migrate, $attractions attractions"
admin -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db OWNER travel_owner"
for f in "$repo"/sql/migrations/*.sql; do owner -f "$f" >/dev/null; done
# Cities on a grid over Europe; attractions scattered around them, named from a few words so searches match some.
owner <<SQL
INSERT INTO countries (iso_code, name, timezone) VALUES ('FR', 'France', 'Europe/Paris');
INSERT INTO cities (country_id, name, location, google_places_id)
SELECT (SELECT id FROM countries), (ARRAY['Paris', 'Lyon', 'Nice', 'Lille', 'Nantes', 'Rennes', 'Dijon', 'Metz'])[1 + i % 8] || ' ' || i,
       ST_SetSRID(ST_MakePoint(-5 + (i % 50) * 0.4, 42 + (i / 50) * 0.2), 4326)::geography, 'gp-city-' || i
  FROM generate_series(0, 1999) i;
INSERT INTO attractions (city_id, name, attraction_type, categories, location, google_places_id, opening_hours, rating, review_count)
SELECT c.ids[1 + i % 2000],
       (ARRAY['Musée', 'Tour', 'Jardin', 'Église', 'Château', 'Sagrada', 'Galerie', 'Parc'])[1 + i % 8] || ' '
         || (ARRAY['du Louvre', 'Família', 'Royal', 'National', 'des Arts', 'Saint-Michel', 'de la Mer', 'Vieux'])[1 + (i / 8) % 8] || ' ' || i,
       (ARRAY['museum', 'landmark', 'park', 'religious_site'])[1 + i % 4], ARRAY[(ARRAY['art', 'history', 'views'])[1 + i % 3]],
       ST_SetSRID(ST_MakePoint(-5 + random() * 20, 42 + random() * 8), 4326)::geography, 'gp-' || i,
       '{"monday": [{"open": "00:00", "close": "24:00"}], "tuesday": [{"open": "00:00", "close": "24:00"}],
         "wednesday": [{"open": "00:00", "close": "24:00"}], "thursday": [{"open": "00:00", "close": "24:00"}],
         "friday": [{"open": "00:00", "close": "24:00"}], "saturday": [{"open": "09:00", "close": "18:00"}],
         "sunday": [{"open": "10:00", "close": "17:00"}]}', round((3 + random() * 2)::numeric, 1), (random() * 5000)::int
  FROM generate_series(1, $attractions) i, (SELECT array_agg(id ORDER BY id) AS ids FROM cities) c;
VACUUM ANALYZE countries; VACUUM ANALYZE cities; VACUUM ANALYZE attractions;
SQL

echo "== app: artifacts/Functions.Http.zip under the local host on a spare port"
mkdir -p "$work/app" && unzip -q "$repo/artifacts/Functions.Http.zip" -d "$work/app"
port="$(bench_free_port)"
http_app_settings "$work/local.settings.json" TravelDb="$pooled" \
  Jwt__AccessTokenMinutes=240 Jwt__RefreshTokenDays=30 Auth__PermitsPerMinute=1000000
localhost_start "$work/app" "$port" "$work/local.settings.json" "$work/host.log"
api="http://127.0.0.1:$port/api"
email="bench+$(date +%s%N)@example.test"; password="bench-password-0123"
curl -fsS -o /dev/null -H 'Content-Type: application/json' \
  -d "{\"email\":\"$email\",\"password\":\"$password\",\"firstName\":\"Bench\",\"lastName\":\"User\"}" "$api/users"
token=$(curl -fsS -H 'Content-Type: application/json' -d "{\"email\":\"$email\",\"password\":\"$password\"}" "$api/auth/token" | jq -er .accessToken)

# The queries: centre of the map (Lyon-ish), 5 km; a fuzzy, accented, two-word search.
lat=45.76; lon=4.84; radius=5; q='sagrada familia'
nearby_path="/api/places/attractions/nearby?lat=$lat&lon=$lon&radiusKm=$radius&open=now"
search_path="/api/places/search?q=sagrada%20familia"
echo "nearby: $(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port$nearby_path" | jq '.items | length') items; search: $(curl -fsS -H "Authorization: Bearer $token" "http://127.0.0.1:$port$search_path" | jq '.items | length') items"

cat >"$work/bench.lua" <<'LUA'
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; path, token = args[1], args[2] end
function request() return wrk.format("GET", path, { ["Authorization"] = "Bearer " .. token }) end
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
run_wrk() { # path -> "rps p50 p99 non2xx socketErrors"
  wrk -t"$threads" -c"$conns" -d"${seconds}s" --latency -s "$work/bench.lua" "http://127.0.0.1:$port" -- "$1" "$token" \
    >"$work/wrk.out" 2>"$work/wrk.err" || { cat "$work/wrk.err" >&2; exit 1; }
  head -3 "$work/wrk.err" >&2 || true
  grep '^RESULT' "$work/wrk.out" | cut -d' ' -f2-
}

# The store's statements with this run's values, as one line each (one statement, one round trip, as the app).
python3 - "$repo/src/Shared.Data/Places/PlaceReader.cs" "$work" "$lat" "$lon" "$radius" "$q" <<'PY'
import re, sys
src, work, lat, lon, radius, q = sys.argv[1:]
text = open(src).read()
def sql(name):
    m = re.search(r'public const string ' + name + r' = """\n(.*?)\n\s*""";', text, re.S)
    return " ".join(line.strip() for line in m.group(1).splitlines())
now = "now()"
nearby = (sql("NearbySql").replace("@lat", lat).replace("@lon", lon).replace("@radiusMeters", str(float(radius) * 1000))
          .replace("@type::text", "NULL::text").replace("@type", "NULL").replace("@category::text", "NULL::text").replace("ARRAY[NULL::text]", "ARRAY[NULL::text]")
          .replace("@category", "NULL").replace("@now", now).replace("@openNow", "true").replace("@limit", "20"))
search = sql("SearchSql").replace("@q", "'" + q.replace("'", "''") + "'").replace("@limit", "20")
assert not re.search(r"@[A-Za-z]", nearby + search), (nearby, search)
open(f"{work}/nearby.sql", "w").write(nearby + ";\n")
open(f"{work}/search.sql", "w").write(search + ";\n")
PY

run_pgbench() { # script -> "tps p50 p99 failed"
  rm -f "$work"/pgb.*
  PGPASSWORD="$(field "$pooled" Password)" pgbench -n -M simple -h "$(field "$pooled" Host)" -p "$(field "$pooled" Port)" \
    -U "$(field "$pooled" Username)" -c "$conns" -j "$threads" -T "$seconds" -l --log-prefix="$work/pgb" -f "$1" "$db" \
    >"$work/pgbench.out" 2>&1 || { cat "$work/pgbench.out" >&2; exit 1; }
  local tps failed
  tps=$(sed -nE 's/^tps = ([0-9.]+) .*/\1/p' "$work/pgbench.out")
  failed=$(sed -nE 's/^number of failed transactions: ([0-9]+).*/\1/p' "$work/pgbench.out"); failed="${failed:-0}"
  cat "$work"/pgb.* | awk '{print $3}' | sort -n | awk -v tps="$tps" -v failed="$failed" \
    '{a[NR]=$1} END {printf "%s %.2f %.2f %d\n", tps, a[int(NR*0.5)+1]/1000, a[int(NR*0.99)+1]/1000, failed}'
}

if [ "$warmup" -gt 0 ]; then
  echo "== warm-up: ${warmup}s per path"
  seconds="$warmup" run_wrk "$nearby_path" >/dev/null
  seconds="$warmup" run_wrk "$search_path" >/dev/null
fi
for round in $(seq 1 "$rounds"); do
  echo "== round $round/$rounds: nearby app, floor; search app, floor  (${seconds}s each, $conns connections)"
  run_wrk "$nearby_path" >>"$work/app-nearby"
  run_pgbench "$work/nearby.sql" >>"$work/pg-nearby"
  run_wrk "$search_path" >>"$work/app-search"
  run_pgbench "$work/search.sql" >>"$work/pg-search"
done

mean() { awk '{s += $1; if ($3 > p99) p99 = $3; bad += $4; if (NF > 4) bad += $5; p50 += $2} END {printf "%.1f %.2f %.2f %d\n", s / NR, p50 / NR, p99, bad}' "$1"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
verdict() { awk -v r="$1" -v bar="$bar" -v bad="$2" 'BEGIN {print (r >= bar && bad == 0) ? "PASS" : "FAIL"}'; }
echo
echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg); commit $(git -C "$repo" rev-parse --short HEAD); $attractions attractions"
printf '%-22s %10s %8s %8s %7s | %11s %8s %8s | %6s %s\n' "" "app req/s" "p50 ms" "p99 ms" "non2xx" "pgbench tps" "p50 ms" "p99 ms" "ratio" "bar"
ok=PASS
for path in nearby search; do
  read -r a_rps a_p50 a_p99 a_bad < <(mean "$work/app-$path")
  read -r p_tps p_p50 p_p99 p_bad < <(mean "$work/pg-$path")
  r=$(ratio "$a_rps" "$p_tps"); v=$(verdict "$r" "$((a_bad + p_bad))")
  [ "$v" = PASS ] || ok=FAIL
  printf '%-22s %10s %8s %8s %7s | %11s %8s %8s | %6s %s\n' "$path" "$a_rps" "$a_p50" "$a_p99" "$a_bad" "$p_tps" "$p_p50" "$p_p99" "$r" ">= $bar $v"
done
echo "per round, app req/s nearby: $(cut -d' ' -f1 "$work/app-nearby" | tr '\n' ' ')search: $(cut -d' ' -f1 "$work/app-search" | tr '\n' ' ')"
admin -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
[ "$ok" = PASS ]
