-- Event batches are binary-COPYed into a staging table and moved into user_events under RLS (travel_app
-- cannot COPY into an RLS table). The staging table is a session temp table with ON COMMIT DELETE ROWS that
-- each server connection creates once and reuses for every batch, instead of CREATE TEMP TABLE … ON COMMIT
-- DROP per batch: that wrote catalog rows (pg_class, pg_type, pg_attribute, pg_depend) and created and
-- unlinked a file for every batch. Rows still never outlive the transaction that copied them, so the table
-- is safe to share across PgBouncer transaction-mode clients; its name carries a version so that a changed
-- shape never meets an older table left on a pooled connection.
CREATE FUNCTION app.ensure_event_staging()
RETURNS void
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
BEGIN
  IF to_regclass('pg_temp.incoming_events_v1') IS NULL THEN
    CREATE TEMP TABLE incoming_events_v1 (
      ord int NOT NULL, event_type text NOT NULL, category text, data jsonb,
      session_id text, device_type text, occurred_at timestamptz
    ) ON COMMIT DELETE ROWS;
  END IF;
END
$fn$;
REVOKE ALL ON FUNCTION app.ensure_event_staging() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.ensure_event_staging() TO travel_app;
