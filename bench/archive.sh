#!/usr/bin/env bash
# Archive benchmark (issue 3 §5, issue 12): user_events partitions of 2 M and 8 M rows archived to Azurite by the real
# archiver (tests/ArchiveCrashHost, its own process: export, upload, verify, manifest, detach, drop), beside the floor
# measured in the same run, on a twin partition with the same rows, right before and right after the archiver:
#   psql -c "\copy (select … order by …) to stdout with csv header" | gzip -1 > /dev/null
# Prints rows/s for both, the ratio (archiver / mean floor), the time of each archive step, and the archiver's peak RSS.
# Bar: ratio >= 0.8 for the whole archive; peak RSS < 200 MB and within 10% between the sizes.
#   SIZES="2000000 8000000" bench/archive.sh     (defaults shown; needs the local stack: source .local/stack/env)
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$repo"
: "${TravelDbDirect:?source the stack env first (TravelDbDirect, TRAVEL_TEST_ADMIN, ArchiveStorage)}"
: "${TRAVEL_TEST_ADMIN:?}" "${ArchiveStorage:?}"
SIZES="${SIZES:-2000000 8000000}"
db="bench_archive"
container="bench-archive"

kv() { sed -n "s/.*\(^\|;\)$1=\([^;]*\).*/\2/p" <<<"$2"; }
pg_host="$(kv Host "$TravelDbDirect")"; pg_port="$(kv Port "$TravelDbDirect")"
admin_user="$(kv Username "$TRAVEL_TEST_ADMIN")"; admin_pw="$(kv Password "$TRAVEL_TEST_ADMIN")"
owner_user="$(kv Username "$TravelDbDirect")"; owner_pw="$(kv Password "$TravelDbDirect")"
admin() { PGPASSWORD="$admin_pw" psql -h "$pg_host" -p "$pg_port" -U "$admin_user" -d postgres -qAtX -v ON_ERROR_STOP=1 "$@"; }
owner() { PGPASSWORD="$owner_pw" psql -h "$pg_host" -p "$pg_port" -U "$owner_user" -d "$db" -qAtX -v ON_ERROR_STOP=1 "$@"; }
direct="$(sed "s/\(^\|;\)Database=[^;]*/\1Database=$db/" <<<"$TravelDbDirect")"

# The archiver is measured compiled ReadyToRun, as the timers package ships (scripts/publish.sh), so what a single
# run JIT-compiles is what production would. Not composite: the shared framework is precompiled already.
echo "== build (ArchiveCrashHost published ReadyToRun)"
case "$(uname -m)" in aarch64|arm64) rid=linux-arm64 ;; *) rid=linux-x64 ;; esac
host_dir="$(mktemp -d)"
trap 'rm -rf "$host_dir"' EXIT
dotnet publish tests/ArchiveCrashHost -c Release -r "$rid" --self-contained false -p:PublishReadyToRun=true \
  -o "$host_dir" -v q -nologo >/dev/null
dotnet build src/Functions.Timers -v q -nologo >/dev/null
host_dll="$host_dir/ArchiveCrashHost.dll"

echo "== database $db (fresh, migrated)"
admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db OWNER travel_owner"
TravelDbDirect="$direct" dotnet src/Functions.Timers/bin/Debug/net10.0/Functions.Timers.dll migrate >/dev/null
owner -c "UPDATE maintenance.table_settings SET enabled = false" \
      -c "INSERT INTO users (email, password_hash, first_name, last_name) VALUES ('bench@example.test', 'x', 'Bench', 'User')"

# The floor, timed on a twin partition (the same rows six months later), right before and right after the archiver;
# the ratio uses their mean, so load that comes and goes on a shared machine weighs on both sides alike.
floor_seconds() { # partition
  local t0
  t0=$(date +%s.%N)
  PGPASSWORD="$owner_pw" psql -h "$pg_host" -p "$pg_port" -U "$owner_user" -d "$db" -qX \
    -c "\\copy (SELECT $cols FROM $1 ORDER BY occurred_at, id) to stdout with csv header" | gzip -1 > /dev/null
  echo "$(date +%s.%N) - $t0" | bc
}
load() { cut -d' ' -f1 /proc/loadavg; }

summary=()
rss_list=()
month=1
for rows in $SIZES; do
  m="$(printf '%02d' "$month")"; t="$(printf '%02d' $((month + 6)))"; month=$((month + 1))
  part="user_events_p2010$m"
  twin="user_events_p2010$t"
  echo "== $part: $rows rows (floor on $twin)"
  t0=$(date +%s.%N)
  owner -c "SELECT maintenance.ensure_monthly_partitions('public.user_events', '2010-$m-01', 1)" \
        -c "SELECT maintenance.ensure_monthly_partitions('public.user_events', '2010-$t-01', 1)" >/dev/null
  owner -c "
    INSERT INTO user_events (user_id, event_type, category, data, session_id, device_type, occurred_at, received_at)
    SELECT u.id, (ARRAY['page.view','search.flight','search.hotel','booking.start','chat.open'])[1 + g % 5], 'cat' || (g % 20),
           jsonb_build_object('path', '/trips/' || g, 'ms', g % 1000, 'q', 'rome, \"italy\"', 'price', (g % 100000) / 100.0),
           's' || (g / 50), (ARRAY['desktop','mobile','tablet','other'])[1 + g % 4],
           timestamptz '2010-$m-01 00:00:00Z' + (g * (2400000.0 / $rows)) * interval '1 second',
           timestamptz '2010-$m-01 00:00:00Z' + (g * (2400000.0 / $rows)) * interval '1 second' + interval '2 seconds'
      FROM generate_series(1, $rows) g, (SELECT id FROM users LIMIT 1) u"
  owner -c "
    INSERT INTO user_events (id, user_id, event_type, category, data, session_id, device_type, occurred_at, received_at)
    SELECT id, user_id, event_type, category, data, session_id, device_type, occurred_at + interval '6 months', received_at + interval '6 months'
      FROM $part"
  owner -c "VACUUM (ANALYZE) $part" -c "VACUUM (ANALYZE) $twin"
  echo "   loaded in $(echo "$(date +%s.%N) - $t0" | bc) s; $(owner -c "SELECT pg_size_pretty(pg_total_relation_size('$part'))") each"

  cols="$(owner -c "SELECT string_agg(quote_ident(attname), ', ' ORDER BY attnum) FROM pg_attribute WHERE attrelid = 'user_events'::regclass AND attnum > 0 AND NOT attisdropped")"
  load_before="$(load)"
  floor_before="$(floor_seconds "$twin")"
  out="$(mktemp)"
  load_during="$(load)"
  TravelDbDirect="$direct" ArchiveContainer="$container" /usr/bin/time -v dotnet "$host_dll" "$part" >"$out" 2>&1 || { cat "$out"; exit 1; }
  load_after="$(load)"
  floor_after="$(floor_seconds "$twin")"
  owner -c "DROP TABLE $twin"
  floor_s="$(echo "scale=3; ($floor_before + $floor_after) / 2" | bc)"
  floor_rps="$(echo "$rows / $floor_s" | bc)"
  echo "   floor (psql \\copy | gzip -1): ${floor_before} s before, ${floor_after} s after; mean ${floor_s} s, ${floor_rps} rows/s"
  echo "   load average (1 min) before / at start of / after the archiver: $load_before / $load_during / $load_after"
  result="$(grep '^RESULT' "$out")"
  arch_s="$(sed -n 's/.* seconds=\([0-9.]*\).*/\1/p' <<<"$result")"
  export_s="$(sed -n 's/.* export_seconds=\([0-9.]*\).*/\1/p' <<<"$result")"
  rss_kb="$(sed -n 's/.*Maximum resident set size (kbytes): *\([0-9]*\).*/\1/p' "$out")"
  arch_rps="$(echo "$rows / $arch_s" | bc)"
  export_rps="$(echo "$rows / $export_s" | bc)"
  ratio="$(echo "scale=2; $arch_rps / $floor_rps" | bc)"
  export_ratio="$(echo "scale=2; $export_rps / $floor_rps" | bc)"
  echo "   archiver (export+upload+verify+manifest+detach+drop): ${arch_s} s, ${arch_rps} rows/s, ratio ${ratio}"
  echo "   archiver export+upload only: ${export_s} s, ${export_rps} rows/s, ratio ${export_ratio}"
  # Step durations (each STEP line is the time since the start at the end of that step).
  awk '/^STEP/ { split($3, a, "="); printf "   step %-15s %6.2f s\n", $2, a[2] - prev; prev = a[2] }' "$out"
  echo "   archiver peak RSS: $((rss_kb / 1024)) MB ($rss_kb kB)"
  owner -c "SELECT 'ledger: ' || state || ', ' || row_count || ' rows, ' || compressed_bytes || ' bytes gzip' FROM maintenance.partition_archives WHERE partition_name = '$part'"
  summary+=("$rows rows: floor ${floor_rps} rows/s (mean of ${floor_before} s and ${floor_after} s); archiver ${arch_rps} rows/s (ratio ${ratio}; export-only ${export_rps} rows/s, ratio ${export_ratio}); peak RSS $((rss_kb / 1024)) MB")
  rss_list+=("$rss_kb")
  rm -f "$out"
done

echo "== summary ($(nproc) cores, $(uname -m))"
printf '   %s\n' "${summary[@]}"
if [ "${#rss_list[@]}" -ge 2 ]; then
  a="${rss_list[0]}"; b="${rss_list[-1]}"
  echo "   peak RSS growth smallest -> largest: $(echo "scale=1; ($b - $a) * 100 / $a" | bc)%"
fi
admin -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"
