-- Row-level retention periods per table, beside the partition policy (issue 16 §2): how long RetentionPurge keeps
-- soft-deleted users, revoked refresh sessions and job ledger rows, and how long CacheExpiry keeps the catalog's
-- cached reviews and attractions' provider data. Like pg_partman's part_config, an UPDATE changes them, no deploy:
-- the jobs read them at every run (Shared.Data/Maintenance/RowRetention.cs; `Functions.Timers policy` shows them).
--
-- A row of a plain table has no partition policy, so the partition columns become optional: hot_months and
-- retention_action both or neither; premake_months (partitioned tables only) may be NULL (PartitionMaintenance
-- reads NULL as its default, 3). No grant changes: travel_maintenance's SELECT on the table covers the new column.
ALTER TABLE maintenance.table_settings
    ALTER COLUMN premake_months DROP NOT NULL,
    ALTER COLUMN hot_months DROP NOT NULL,
    ALTER COLUMN retention_action DROP NOT NULL,
    ADD COLUMN retention_days integer CHECK (retention_days BETWEEN 1 AND 3650),
    ADD CONSTRAINT table_settings_partition_policy_whole CHECK ((hot_months IS NULL) = (retention_action IS NULL)),
    ADD CONSTRAINT table_settings_some_policy CHECK (hot_months IS NOT NULL OR retention_days IS NOT NULL),
    -- GDPR: a soft-deleted user is erased within a month of the request; no UPDATE may stretch that.
    ADD CONSTRAINT table_settings_users_erasure_within_30_days CHECK (table_name <> 'users' OR retention_days <= 30);

COMMENT ON COLUMN maintenance.table_settings.retention_days IS
    'Row-level retention in days (plain tables): users after deleted_at, refresh_sessions after revoked_at, job_runs after started_at, attraction_reviews after cached_at, attractions (external_data) after external_data_cached_at';

-- Today's values (they were constants in code until now).
INSERT INTO maintenance.table_settings (table_name, premake_months, retention_days) VALUES
    ('users',              NULL, 30),
    ('refresh_sessions',   NULL, 30),
    ('job_runs',           NULL, 90),
    ('attraction_reviews', NULL, 30),
    ('attractions',        NULL,  7);
