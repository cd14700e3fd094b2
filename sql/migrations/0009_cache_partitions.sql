-- Issue 17: maintenance that live traffic cannot feel.
--
-- (1) The search caches become range-partitioned by expires_at in 6-hour buckets (UTC). Expiry is then
-- DDL whose cost does not grow with the rows expired: a bucket whose upper bound has passed holds only
-- expired rows, so the CacheExpiry job detaches it CONCURRENTLY and drops it (docs/timer-jobs.md).
-- Readers are unchanged: `expires_at > now()` still hides the expired tail of the current bucket.
-- No DEFAULT partition on purpose: DETACH .. CONCURRENTLY refuses to run when one exists.
--
-- cache_key can no longer be unique on its own (a unique index on a partitioned table must contain the
-- partition key), so the PK is (cache_key, expires_at) and one row per key is kept by the only writer,
-- SearchCacheStore.PutAsync: a transaction-level advisory lock on (kind, key), then an UPDATE that moves
-- the row to its new bucket, or an INSERT when there is none.
--
-- (2) ensure_monthly_partitions gives each new month a CHECK constraint equal to its bounds before
-- ATTACH, so the ATTACH (SHARE UPDATE EXCLUSIVE on the parent: inserts do not wait) skips its
-- validation scan.

-- ---------------------------------------------------------------------------------------------
-- Tables partitioned by expiry, and their bucket width. PartitionMaintenance (monthly) leaves them
-- alone; CacheExpiry creates their buckets ahead and drops the expired ones.
CREATE TABLE maintenance.expiry_partitioned_tables (
    table_name  text PRIMARY KEY CHECK (table_name ~ '^[a-z_][a-z0-9_]{0,62}$'),
    bucket      interval NOT NULL CHECK (bucket >= interval '1 hour' AND bucket <= interval '1 day'),
    -- The longest TTL a row may have (also a CHECK on the table): how far ahead buckets must exist.
    max_ttl     interval NOT NULL CHECK (max_ttl > interval '0')
);
INSERT INTO maintenance.expiry_partitioned_tables VALUES
    ('flight_search_cache', interval '6 hours', interval '1 day'),
    ('hotel_search_cache',  interval '6 hours', interval '1 day');
GRANT SELECT ON maintenance.expiry_partitioned_tables TO travel_maintenance;

-- Creates the missing buckets of `parent` from the one holding from_at through the one holding
-- through_at; returns how many it created. Each bucket: CREATE TABLE (LIKE parent) with a CHECK equal
-- to its bounds, then ATTACH (which then skips its scan). Both in the caller's transaction, so a crash
-- leaves no half-made bucket. Names: <table>_e<YYYYMMDDHH of the lower bound, UTC>.
CREATE FUNCTION maintenance.ensure_expiry_partitions(parent regclass, from_at timestamptz, through_at timestamptz)
RETURNS int
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_nsp     oid;
  v_schema  text;
  v_table   text;
  v_bucket  interval;
  v_lo      timestamptz;
  v_hi      timestamptz;
  v_lo_txt  text;
  v_hi_txt  text;
  v_name    text;
  v_found   oid;
  v_owner   name;
  v_created int := 0;
BEGIN
  SELECT c.relnamespace, n.nspname, c.relname, pg_get_userbyid(c.relowner) INTO v_nsp, v_schema, v_table, v_owner
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.oid = parent;
  SELECT e.bucket INTO v_bucket FROM maintenance.expiry_partitioned_tables e
   WHERE v_schema = 'public' AND e.table_name = v_table;
  IF v_bucket IS NULL THEN
    RAISE EXCEPTION 'ensure_expiry_partitions: % is not listed in maintenance.expiry_partitioned_tables', parent
      USING ERRCODE = 'wrong_object_type';
  END IF;
  -- Bounded, so no caller can make thousands of tables: two days back (tests, benchmarks) to three ahead.
  IF from_at IS NULL OR through_at IS NULL OR through_at < from_at
     OR from_at < now() - interval '2 days' OR through_at > now() + interval '3 days' THEN
    RAISE EXCEPTION 'ensure_expiry_partitions(%, %, %): from_at <= through_at, within [now - 2 days, now + 3 days]',
      parent, from_at, through_at USING ERRCODE = 'invalid_parameter_value';
  END IF;

  -- Two callers at once (the job, an API put that found no bucket) take turns on this parent.
  PERFORM pg_advisory_xact_lock(hashtextextended('maintenance.ensure_expiry_partitions:' || parent::oid::text, 0));

  v_lo := date_bin(v_bucket, from_at, timestamptz '2000-01-01 00:00:00+00');
  WHILE v_lo <= through_at LOOP
    v_hi := v_lo + v_bucket;
    -- Literals with an explicit +00 offset: the same instant whatever TimeZone/DateStyle say.
    v_lo_txt := to_char(v_lo AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00';
    v_hi_txt := to_char(v_hi AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS') || '+00';
    v_name := v_table || '_e' || to_char(v_lo AT TIME ZONE 'UTC', 'YYYYMMDDHH24');

    v_found := NULL;
    SELECT c.oid INTO v_found FROM pg_class c WHERE c.relname = v_name AND c.relnamespace = v_nsp;
    IF v_found IS NULL THEN
      EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION, '
                     'CONSTRAINT %I CHECK (expires_at >= %L AND expires_at < %L))',
                     v_schema, v_name, parent, v_name || '_bounds', v_lo_txt, v_hi_txt);
      EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
                     parent, v_schema, v_name, v_lo_txt, v_hi_txt);
      -- Redundant once attached (the partition bound says the same); the new table is still ours alone.
      EXECUTE format('ALTER TABLE %I.%I DROP CONSTRAINT %I', v_schema, v_name, v_name || '_bounds');
      -- Owned like its parent whoever called (a superuser seeding tests), so CacheExpiry may detach and drop it.
      IF v_owner <> current_user THEN
        EXECUTE format('ALTER TABLE %I.%I OWNER TO %I', v_schema, v_name, v_owner);
      END IF;
      v_created := v_created + 1;
    ELSIF NOT EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = v_found AND i.inhparent = parent) THEN
      -- A bucket detached by CacheExpiry and not dropped yet (a crash between the two): it ended, so it is
      -- never needed again; the next CacheExpiry run drops it.
      IF v_hi > now() THEN
        RAISE EXCEPTION 'ensure_expiry_partitions: %.% exists but is not a partition of %', v_schema, v_name, parent
          USING ERRCODE = 'duplicate_table';
      END IF;
    END IF;
    v_lo := v_hi;
  END LOOP;
  RETURN v_created;
END
$fn$;
REVOKE ALL ON FUNCTION maintenance.ensure_expiry_partitions(regclass, timestamptz, timestamptz) FROM PUBLIC;

-- For the API: a put that found no bucket for its expires_at (CacheExpiry has not run for more than
-- a day) creates the buckets from now through now + max TTL + one bucket, then tries once more.
-- SECURITY DEFINER (runs as the owner, who may create tables); takes only a cache kind.
CREATE FUNCTION app.ensure_search_cache_partitions(kind text)
RETURNS int
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_parent regclass;
  v_ahead  interval;
BEGIN
  IF kind = 'flight' THEN v_parent := 'public.flight_search_cache'::regclass;
  ELSIF kind = 'hotel' THEN v_parent := 'public.hotel_search_cache'::regclass;
  ELSE RAISE EXCEPTION 'ensure_search_cache_partitions: kind is flight or hotel' USING ERRCODE = 'invalid_parameter_value';
  END IF;
  SELECT e.max_ttl + e.bucket INTO v_ahead FROM maintenance.expiry_partitioned_tables e WHERE e.table_name = kind || '_search_cache';
  PERFORM set_config('lock_timeout', '2s', true);
  RETURN maintenance.ensure_expiry_partitions(v_parent, now(), now() + v_ahead);
END
$fn$;
REVOKE ALL ON FUNCTION app.ensure_search_cache_partitions(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.ensure_search_cache_partitions(text) TO travel_app;

-- ---------------------------------------------------------------------------------------------
-- The caches, rebuilt partitioned. The old tables are renamed (with the index names that would
-- collide), their live rows copied, then dropped; expired rows are not copied (expiring them is
-- what this is for). The view depends on the tables, so it is made again, unchanged.
DROP VIEW search_cache_hit_totals;
ALTER TABLE flight_search_cache RENAME TO flight_search_cache_0004;
ALTER INDEX flight_search_cache_pkey RENAME TO flight_search_cache_0004_pkey;
ALTER INDEX flight_search_cache_expiry_idx RENAME TO flight_search_cache_0004_expiry_idx;
ALTER TABLE hotel_search_cache RENAME TO hotel_search_cache_0004;
ALTER INDEX hotel_search_cache_pkey RENAME TO hotel_search_cache_0004_pkey;
ALTER INDEX hotel_search_cache_expiry_idx RENAME TO hotel_search_cache_0004_expiry_idx;

CREATE TABLE flight_search_cache (
    cache_key    bytea NOT NULL CHECK (length(cache_key) = 32),
    -- Named as in 0004 (the renamed old table still holds those names, so a default name would get a suffix).
    params       jsonb NOT NULL CONSTRAINT flight_search_cache_params_check
                   CHECK (jsonb_typeof(params) = 'object' AND pg_column_size(params) <= 8192),
    results      jsonb NOT NULL CONSTRAINT flight_search_cache_results_check CHECK (pg_column_size(results) <= 4194304),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    -- Hits folded in from search_cache_hits; the exact count is search_cache_hit_totals (0004).
    hit_count    bigint NOT NULL DEFAULT 0 CHECK (hit_count >= 0),
    last_hit_at  timestamptz,
    CHECK (expires_at > created_at),
    -- The API's longest TTL (86 400 s): buckets made max_ttl ahead always have room for a new row.
    CHECK (expires_at <= created_at + interval '1 day'),
    -- Leading cache_key: each bucket's lookup index. One row per key: see the header.
    PRIMARY KEY (cache_key, expires_at)
) PARTITION BY RANGE (expires_at);

-- Same shape; written out (not LIKE) so constraint names say which table failed.
CREATE TABLE hotel_search_cache (
    cache_key    bytea NOT NULL CHECK (length(cache_key) = 32),
    -- Named as in 0004 (the renamed old table still holds those names, so a default name would get a suffix).
    params       jsonb NOT NULL CONSTRAINT hotel_search_cache_params_check
                   CHECK (jsonb_typeof(params) = 'object' AND pg_column_size(params) <= 8192),
    results      jsonb NOT NULL CONSTRAINT hotel_search_cache_results_check CHECK (pg_column_size(results) <= 4194304),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    hit_count    bigint NOT NULL DEFAULT 0 CHECK (hit_count >= 0),
    last_hit_at  timestamptz,
    CHECK (expires_at > created_at),
    CHECK (expires_at <= created_at + interval '1 day'),
    PRIMARY KEY (cache_key, expires_at)
) PARTITION BY RANGE (expires_at);

SELECT maintenance.ensure_expiry_partitions(t::regclass, now(),
         greatest(now() + interval '30 hours', (SELECT max(expires_at) FROM flight_search_cache_0004),
                  (SELECT max(expires_at) FROM hotel_search_cache_0004)))
  FROM unnest(ARRAY['public.flight_search_cache', 'public.hotel_search_cache']) AS t;

INSERT INTO flight_search_cache (cache_key, params, results, created_at, expires_at, hit_count, last_hit_at)
SELECT cache_key, params, results, created_at, expires_at, hit_count, last_hit_at
  FROM flight_search_cache_0004 WHERE expires_at > now();
INSERT INTO hotel_search_cache (cache_key, params, results, created_at, expires_at, hit_count, last_hit_at)
SELECT cache_key, params, results, created_at, expires_at, hit_count, last_hit_at
  FROM hotel_search_cache_0004 WHERE expires_at > now();
DROP TABLE flight_search_cache_0004, hotel_search_cache_0004;

-- Exact hit totals at any moment: folded count + hits not folded yet (as in 0004).
CREATE VIEW search_cache_hit_totals WITH (security_invoker = true) AS
SELECT k.cache_kind, k.cache_key,
       k.hit_count + coalesce(p.pending, 0) AS hit_count,
       greatest(k.last_hit_at, p.last_hit_at) AS last_hit_at
  FROM (SELECT 'flight'::text AS cache_kind, cache_key, hit_count, last_hit_at FROM flight_search_cache
        UNION ALL
        SELECT 'hotel'::text, cache_key, hit_count, last_hit_at FROM hotel_search_cache) k
  LEFT JOIN LATERAL (SELECT count(*) AS pending, max(h.hit_at) AS last_hit_at
                       FROM search_cache_hits h
                      WHERE h.cache_kind = k.cache_kind AND h.cache_key = k.cache_key) p ON true;

-- The API reads, puts (INSERT, or UPDATE that moves the row to its new bucket) and reads totals.
GRANT SELECT, INSERT, UPDATE ON flight_search_cache, hotel_search_cache TO travel_app;
GRANT SELECT ON search_cache_hit_totals TO travel_app;
-- travel_maintenance folds hits (0004's function); it deletes nothing here any more: expiry is
-- partition DDL, done by the owner on the direct connection (DDL needs ownership in PostgreSQL 15).
GRANT SELECT ON flight_search_cache, hotel_search_cache TO travel_maintenance;
GRANT UPDATE (hit_count, last_hit_at) ON flight_search_cache, hotel_search_cache TO travel_maintenance;
GRANT SELECT ON search_cache_hit_totals TO travel_maintenance;

-- ---------------------------------------------------------------------------------------------
-- (2) Monthly partitions: as in 0003, plus the CHECK before ATTACH (see the header).
CREATE OR REPLACE FUNCTION maintenance.ensure_monthly_partitions(parent regclass, from_month date, months int)
RETURNS int
LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp
AS $fn$
DECLARE
  v_nsp       oid;
  v_schema    text;
  v_table     text;
  v_key       text;
  v_keytype   regtype;
  v_default   oid;
  v_month     date;
  v_lo        text;
  v_hi        text;
  v_name      text;
  v_found     oid;
  v_attached  boolean;
  v_has_rows  boolean;
  v_created   int := 0;
BEGIN
  IF parent IS NULL OR from_month IS NULL OR months IS NULL OR months < 0 OR months > 120 THEN
    RAISE EXCEPTION 'ensure_monthly_partitions(%, %, %): parent and from_month are required, months must be 0..120',
      parent, from_month, months USING ERRCODE = 'invalid_parameter_value';
  END IF;

  SELECT c.relnamespace, n.nspname, c.relname INTO v_nsp, v_schema, v_table
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.oid = parent;

  SELECT a.attname, a.atttypid::regtype, p.partdefid INTO v_key, v_keytype, v_default
    FROM pg_partitioned_table p
    JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]
   WHERE p.partrelid = parent AND p.partstrat = 'r' AND p.partnatts = 1;
  IF v_key IS NULL OR v_keytype <> 'timestamptz'::regtype THEN
    RAISE EXCEPTION 'ensure_monthly_partitions: % is not range-partitioned on a single timestamptz column', parent
      USING ERRCODE = 'wrong_object_type';
  END IF;

  -- Two callers at once (two timer instances, a migration and a timer) take turns on this parent.
  PERFORM pg_advisory_xact_lock(hashtextextended('maintenance.ensure_monthly_partitions:' || parent::oid::text, 0));

  FOR i IN 0 .. months - 1 LOOP
    v_month := (date_trunc('month', from_month) + make_interval(months => i))::date;
    -- Literals with an explicit +00 offset: the same instant whatever TimeZone/DateStyle say.
    v_lo := to_char(v_month, 'YYYY-MM-DD') || ' 00:00:00+00';
    v_hi := to_char((v_month + interval '1 month')::date, 'YYYY-MM-DD') || ' 00:00:00+00';
    v_name := v_table || '_p' || to_char(v_month, 'YYYYMM');

    v_found := NULL;
    SELECT c.oid, EXISTS (SELECT 1 FROM pg_inherits i WHERE i.inhrelid = c.oid AND i.inhparent = parent)
      INTO v_found, v_attached
      FROM pg_class c
     WHERE c.relname = v_name AND c.relnamespace = v_nsp;
    IF v_found IS NOT NULL THEN
      IF v_attached THEN
        CONTINUE;
      END IF;
      RAISE EXCEPTION 'ensure_monthly_partitions: %.% exists but is not a partition of % (detached for archiving?); month % left as is',
        v_schema, v_name, parent, to_char(v_month, 'YYYY-MM') USING ERRCODE = 'duplicate_table';
    END IF;

    IF v_default <> 0 THEN
      EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %I >= %L AND %I < %L)',
                     v_default::regclass, v_key, v_lo, v_key, v_hi)
        INTO v_has_rows;
      IF v_has_rows THEN
        RAISE EXCEPTION 'ensure_monthly_partitions: cannot create partition % of % for month %: its DEFAULT partition % holds rows of that month',
          v_name, parent, to_char(v_month, 'YYYY-MM'), v_default::regclass
          USING ERRCODE = 'check_violation',
                HINT = 'Move those rows out of the DEFAULT partition (in one transaction: copy them aside, delete them, create the partition, insert them back through the parent), then run again.';
      END IF;
    END IF;

    -- A standalone table with a CHECK equal to the month's bounds: ATTACH then needs no scan of it, and it
    -- takes SHARE UPDATE EXCLUSIVE on the parent (inserts and reads go on) where CREATE TABLE .. PARTITION
    -- OF would take ACCESS EXCLUSIVE. The DEFAULT partition is still locked and scanned (empty: instant).
    EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION, '
                   'CONSTRAINT %I CHECK (%I >= %L AND %I < %L))',
                   v_schema, v_name, parent, v_name || '_bounds', v_key, v_lo, v_key, v_hi);
    BEGIN
      EXECUTE format('ALTER TABLE %s ATTACH PARTITION %I.%I FOR VALUES FROM (%L) TO (%L)',
                     parent, v_schema, v_name, v_lo, v_hi);
    EXCEPTION
      WHEN check_violation THEN  -- a row reached the DEFAULT partition after the check above
        RAISE EXCEPTION 'ensure_monthly_partitions: cannot create partition % of % for month %: its DEFAULT partition % holds rows of that month (%)',
          v_name, parent, to_char(v_month, 'YYYY-MM'), v_default::regclass, SQLERRM
          USING ERRCODE = 'check_violation';
      WHEN invalid_object_definition THEN  -- overlaps a partition with another name
        RAISE EXCEPTION 'ensure_monthly_partitions: month % of % overlaps an existing partition not named % (%)',
          to_char(v_month, 'YYYY-MM'), parent, v_name, SQLERRM
          USING ERRCODE = 'invalid_object_definition';
    END;
    -- Redundant once attached; the new table is still ours alone (its ACCESS EXCLUSIVE lock is held).
    EXECUTE format('ALTER TABLE %I.%I DROP CONSTRAINT %I', v_schema, v_name, v_name || '_bounds');
    v_created := v_created + 1;
  END LOOP;
  RETURN v_created;
END
$fn$;
