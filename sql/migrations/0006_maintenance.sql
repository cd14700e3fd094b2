-- Maintenance: per-table partition settings, the job ledger, the partition archive ledger, and
-- what travel_maintenance (the timer jobs, through the pooler) may do.
--
-- Who runs what. In PostgreSQL 15 DDL on partitions (CREATE/ATTACH/DETACH/DROP), ANALYZE and
-- VACUUM need table ownership, so those steps run on the direct connection (TravelDbDirect) as
-- travel_owner, with a short lock_timeout per transaction. travel_maintenance is not given
-- ownership or BYPASSRLS: it does the row work (ledger, cache expiry, purges, reporting refresh).

CREATE SCHEMA IF NOT EXISTS maintenance;  -- created by 0003 already
GRANT USAGE ON SCHEMA maintenance TO travel_maintenance;

-- Per partitioned table (in schema public): how many months to keep created ahead, how many
-- months stay hot in the database, and what happens to older partitions.
CREATE TABLE maintenance.table_settings (
    table_name        text PRIMARY KEY CHECK (table_name ~ '^[a-z_][a-z0-9_]{0,62}$'),
    premake_months    integer NOT NULL DEFAULT 3 CHECK (premake_months BETWEEN 1 AND 24),
    hot_months        integer NOT NULL CHECK (hot_months BETWEEN 1 AND 120),
    retention_action  text NOT NULL CHECK (retention_action IN ('archive', 'drop')),
    enabled           boolean NOT NULL DEFAULT true,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER table_settings_touch BEFORE UPDATE ON maintenance.table_settings
  FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();
INSERT INTO maintenance.table_settings (table_name, premake_months, hot_months, retention_action) VALUES
    ('chat_messages',     3, 12, 'archive'),
    ('user_events',       3, 12, 'archive'),
    ('external_api_logs', 3,  3, 'archive'),
    ('notifications',     3,  1, 'drop');

-- One row per job invocation. A run killed mid-way stays 'running'; the next run of the job may
-- mark such stale rows 'failed'.
CREATE TABLE maintenance.job_runs (
    id             bigserial PRIMARY KEY,
    job            text NOT NULL CHECK (job ~ '^[A-Za-z][A-Za-z0-9_]{0,99}$'),
    invocation_id  text CHECK (length(invocation_id) BETWEEN 1 AND 200),
    started_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz,
    outcome        text NOT NULL DEFAULT 'running'
                   CHECK (outcome IN ('running', 'done', 'nothing_to_do', 'partial', 'contended', 'failed')),
    summary        jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(summary) = 'object'),
    error          text,
    CHECK ((outcome = 'running') = (finished_at IS NULL)),
    CHECK (finished_at IS NULL OR finished_at >= started_at)
);
CREATE INDEX job_runs_started_idx ON maintenance.job_runs (started_at);        -- ledger retention (90 days)
CREATE INDEX job_runs_job_idx ON maintenance.job_runs (job, started_at DESC);  -- "last runs of job X"

-- One row per partition being archived; `state` is the last step that completed, so a crashed run
-- resumes from it: exporting -> uploaded -> verified -> manifested -> detached -> dropped.
-- 'failed' = given up (needs a human). The CHECKs make it impossible to record a partition as
-- detached/dropped without a verified archive and its manifest.
CREATE TABLE maintenance.partition_archives (
    id                  bigserial PRIMARY KEY,
    table_name          text NOT NULL,
    partition_name      text NOT NULL UNIQUE,
    range_from          timestamptz NOT NULL,
    range_to            timestamptz NOT NULL,
    state               text NOT NULL DEFAULT 'exporting'
                        CHECK (state IN ('exporting', 'uploaded', 'verified', 'manifested', 'detached', 'dropped', 'failed')),
    blob_name           text,
    manifest_blob_name  text,
    row_count           bigint CHECK (row_count >= 0),
    sha256              text CHECK (sha256 ~ '^[0-9a-f]{64}$'),  -- of the uncompressed stream, lower-case hex
    compressed_bytes    bigint CHECK (compressed_bytes >= 0),
    manifest            jsonb CHECK (jsonb_typeof(manifest) = 'object'),
    attempts            integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error          text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    CHECK (range_to > range_from),
    CHECK (state IN ('exporting', 'failed')
           OR (blob_name IS NOT NULL AND row_count IS NOT NULL AND sha256 IS NOT NULL AND compressed_bytes IS NOT NULL)),
    CHECK (state NOT IN ('manifested', 'detached', 'dropped')
           OR (manifest IS NOT NULL AND manifest_blob_name IS NOT NULL))
);
CREATE INDEX partition_archives_open_idx ON maintenance.partition_archives (table_name, range_from)
  WHERE state NOT IN ('dropped', 'failed');
CREATE TRIGGER partition_archives_touch BEFORE UPDATE ON maintenance.partition_archives
  FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

-- ---------------------------------------------------------------------------------------------
-- travel_maintenance. It must act across users, and it has no BYPASSRLS (a role attribute that
-- migrations cannot grant, and that would open every table at once). Instead each RLS table it
-- touches gets an explicit `TO travel_maintenance USING (true)` policy, as 0002 does for the core
-- tables; the GRANTs below decide what it can actually do there. Deleting a user cascades through
-- FKs, which run as the table owner, so DELETE on users is enough for the GDPR purge.
GRANT SELECT ON maintenance.table_settings TO travel_maintenance;
GRANT SELECT, INSERT, UPDATE, DELETE ON maintenance.job_runs, maintenance.partition_archives TO travel_maintenance;
GRANT USAGE ON SEQUENCE maintenance.job_runs_id_seq, maintenance.partition_archives_id_seq TO travel_maintenance;

-- Cache expiry and hit folding (0004).
GRANT SELECT, DELETE ON flight_search_cache, hotel_search_cache TO travel_maintenance;
GRANT UPDATE (hit_count, last_hit_at) ON flight_search_cache, hotel_search_cache TO travel_maintenance;
-- UPDATE only because the fold's SELECT .. FOR UPDATE SKIP LOCKED needs it; it never updates hits.
GRANT SELECT, UPDATE, DELETE ON search_cache_hits TO travel_maintenance;
GRANT SELECT ON search_cache_hit_totals TO travel_maintenance;
GRANT EXECUTE ON FUNCTION maintenance.fold_search_cache_hits(int) TO travel_maintenance;

-- Feeds (0003): read everything (DEFAULT-partition checks through the parent, counts, GDPR
-- checks); delete only notifications (row-level retention). Whole months of every feed go by
-- partition DDL as the owner; a user's feed rows go with the user (FK cascade).
GRANT SELECT ON conversations, chat_messages, user_events, external_api_logs, notifications,
  agent_feedback TO travel_maintenance;
GRANT DELETE ON notifications TO travel_maintenance;
CREATE POLICY conversations_maintenance ON conversations TO travel_maintenance USING (true) WITH CHECK (true);
CREATE POLICY chat_messages_maintenance ON chat_messages TO travel_maintenance USING (true) WITH CHECK (true);
CREATE POLICY user_events_maintenance ON user_events TO travel_maintenance USING (true) WITH CHECK (true);
CREATE POLICY notifications_maintenance ON notifications TO travel_maintenance USING (true) WITH CHECK (true);
CREATE POLICY agent_feedback_maintenance ON agent_feedback TO travel_maintenance USING (true) WITH CHECK (true);
-- users, refresh_sessions, idempotency_keys: SELECT/DELETE and policies come from 0001/0002.
