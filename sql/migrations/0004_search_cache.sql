-- Flight and hotel search caches, consulted by agents before calling paid supplier APIs.
-- Service tables (not user-owned, no RLS). cache_key = SHA-256 (32 bytes) of the normalized
-- search parameters (sorted keys, trimmed, case-folded codes, nulls removed), computed by the API.

CREATE TABLE flight_search_cache (
    cache_key    bytea PRIMARY KEY CHECK (length(cache_key) = 32),
    params       jsonb NOT NULL CHECK (jsonb_typeof(params) = 'object' AND pg_column_size(params) <= 8192),
    results      jsonb NOT NULL CHECK (pg_column_size(results) <= 4194304),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    -- Hits folded in from search_cache_hits (see below); the exact count is search_cache_hit_totals.
    hit_count    bigint NOT NULL DEFAULT 0 CHECK (hit_count >= 0),
    last_hit_at  timestamptz,
    CHECK (expires_at > created_at)
);
-- CacheExpiry deletes in small batches in expires_at order.
CREATE INDEX flight_search_cache_expiry_idx ON flight_search_cache (expires_at);

-- Same shape; written out (not LIKE) so constraint names say which table failed.
CREATE TABLE hotel_search_cache (
    cache_key    bytea PRIMARY KEY CHECK (length(cache_key) = 32),
    params       jsonb NOT NULL CHECK (jsonb_typeof(params) = 'object' AND pg_column_size(params) <= 8192),
    results      jsonb NOT NULL CHECK (pg_column_size(results) <= 4194304),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    hit_count    bigint NOT NULL DEFAULT 0 CHECK (hit_count >= 0),
    last_hit_at  timestamptz,
    CHECK (expires_at > created_at)
);
CREATE INDEX hotel_search_cache_expiry_idx ON hotel_search_cache (expires_at);

-- Hit counting without a hot row. `UPDATE cache SET hit_count = hit_count + 1` on every hit would
-- serialize all readers of a popular search on one row lock (through a small pool, that queue is
-- the whole API), and write a new row version each time. Instead a hit is one INSERT into this
-- append-only table (no row is shared between hits, so no waiting), and
-- maintenance.fold_search_cache_hits() moves them into hit_count/last_hit_at in batches (called by
-- the CacheExpiry job). No FK to the caches on purpose: a FK check takes a KEY SHARE lock on the
-- cache row, which brings back the hot row (and a delete of an expired row would wait on hits).
CREATE TABLE search_cache_hits (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    cache_kind  text NOT NULL CHECK (cache_kind IN ('flight', 'hotel')),
    cache_key   bytea NOT NULL CHECK (length(cache_key) = 32),
    hit_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX search_cache_hits_key_idx ON search_cache_hits (cache_kind, cache_key);

-- Exact hit totals at any moment: folded count + hits not folded yet.
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

-- Folds up to max_hits pending hits into the caches; returns how many hit rows it consumed.
-- Hits of keys that no longer exist (expired and deleted) are simply dropped. SKIP LOCKED lets two
-- overlapping runs share the work instead of waiting on each other. Runs as the caller.
CREATE FUNCTION maintenance.fold_search_cache_hits(max_hits int DEFAULT 10000) RETURNS bigint
LANGUAGE sql
SET search_path = public, pg_temp
AS $fn$
  WITH batch AS (
    SELECT id FROM search_cache_hits ORDER BY id LIMIT max_hits FOR UPDATE SKIP LOCKED
  ), taken AS (
    DELETE FROM search_cache_hits h USING batch b WHERE h.id = b.id
    RETURNING h.cache_kind, h.cache_key, h.hit_at
  ), agg AS (
    SELECT cache_kind, cache_key, count(*) AS n, max(hit_at) AS last_hit_at FROM taken GROUP BY 1, 2
  ), f AS (
    UPDATE flight_search_cache c SET hit_count = c.hit_count + a.n,
                                     last_hit_at = greatest(c.last_hit_at, a.last_hit_at)
      FROM agg a WHERE a.cache_kind = 'flight' AND c.cache_key = a.cache_key
    RETURNING 1
  ), h AS (
    UPDATE hotel_search_cache c SET hit_count = c.hit_count + a.n,
                                    last_hit_at = greatest(c.last_hit_at, a.last_hit_at)
      FROM agg a WHERE a.cache_kind = 'hotel' AND c.cache_key = a.cache_key
    RETURNING 1
  )
  -- f and h run to completion although unread (data-modifying WITH parts always do).
  SELECT coalesce(sum(n), 0)::bigint FROM agg
$fn$;
REVOKE ALL ON FUNCTION maintenance.fold_search_cache_hits(int) FROM PUBLIC;

-- The API (agents' service endpoints): read, upsert (INSERT .. ON CONFLICT DO UPDATE), record hits.
GRANT SELECT, INSERT, UPDATE ON flight_search_cache, hotel_search_cache TO travel_app;
GRANT SELECT, INSERT ON search_cache_hits TO travel_app;
GRANT SELECT ON search_cache_hit_totals TO travel_app;
-- travel_maintenance grants: see 0006_maintenance.sql.
