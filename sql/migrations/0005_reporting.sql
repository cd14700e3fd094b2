-- Reporting: cross-user aggregates, refreshed by the RefreshReporting timer.
-- Not granted to travel_app: a materialized view has no row-level security, and these numbers span
-- every user's bookings. Only travel_maintenance (and the owner) read it.

CREATE SCHEMA IF NOT EXISTS reporting;
GRANT USAGE ON SCHEMA reporting TO travel_maintenance;

-- One row per UTC day (of booking creation), booking type and currency. Amounts are never summed
-- across currencies.
CREATE MATERIALIZED VIEW reporting.daily_booking_metrics AS
SELECT (b.created_at AT TIME ZONE 'UTC')::date                              AS day,
       b.booking_type,
       b.currency,
       count(*)                                                             AS bookings,
       count(*) FILTER (WHERE b.status = 'pending')                         AS pending,
       count(*) FILTER (WHERE b.status = 'confirmed')                       AS confirmed,
       count(*) FILTER (WHERE b.status = 'cancelled')                       AS cancelled,
       sum(b.total_amount)                                                  AS total_amount,
       coalesce(sum(b.total_amount) FILTER (WHERE b.status = 'confirmed'), 0) AS confirmed_amount,
       coalesce(sum(b.total_amount) FILTER (WHERE b.status <> 'cancelled'), 0) AS active_amount,
       coalesce(sum(b.cancellation_fee_charged), 0)                         AS cancellation_fees_charged,
       count(DISTINCT b.trip_id)                                            AS trips,
       count(DISTINCT b.created_by)                                         AS bookers
  FROM public.bookings b
 GROUP BY 1, 2, 3
WITH DATA;
-- REFRESH ... CONCURRENTLY needs a unique index on plain columns covering every row.
CREATE UNIQUE INDEX daily_booking_metrics_key ON reporting.daily_booking_metrics (day, booking_type, currency);

-- In PostgreSQL 15 only the owner may REFRESH a materialized view (the MAINTAIN privilege is 17+),
-- so the timer (travel_maintenance, through the pooler) refreshes through this owner-run function.
-- CONCURRENTLY keeps the view readable during the refresh; it is allowed inside a transaction.
-- The query runs as the owner, which RLS on bookings does not restrict (ENABLE, not FORCE).
CREATE FUNCTION reporting.refresh_daily_booking_metrics() RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$
BEGIN
  REFRESH MATERIALIZED VIEW CONCURRENTLY reporting.daily_booking_metrics;
END
$fn$;
REVOKE ALL ON FUNCTION reporting.refresh_daily_booking_metrics() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION reporting.refresh_daily_booking_metrics() TO travel_maintenance;
GRANT SELECT ON reporting.daily_booking_metrics TO travel_maintenance;
