-- 0019: GDPR erasure reaches the Blob archive (issue 16).
--
-- maintenance.erasures: one row per erased (hard-deleted) user, the id only (no personal data). Written by a
-- statement trigger on users, so it is in the same transaction as the DELETE that erases the user, whoever runs
-- it (the RetentionPurge job, an operator): no erasure without its record, no record without its erasure. Never
-- purged: it holds no personal data, and every archive written before an erasure needs it (the rewrite job, restore).
-- seq orders erasures: an archive records the highest seq it reflects (its erasure watermark). The export takes
-- SHARE on this table before its snapshot, so every erasure is either visible to the export (its rows are not in the
-- archive, seq <= watermark) or committed after it (seq > watermark): sequence values are drawn under ROW EXCLUSIVE.
CREATE TABLE maintenance.erasures (
    user_id    uuid PRIMARY KEY,
    seq        bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
    erased_at  timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE maintenance.erasures IS
    'Erased users (ids only, no personal data), written with the user''s DELETE; never purged (archives written before an erasure are filtered against it)';

CREATE FUNCTION maintenance.record_erasures() RETURNS trigger
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
BEGIN
  INSERT INTO maintenance.erasures (user_id) SELECT g.id FROM gone g ON CONFLICT (user_id) DO NOTHING;
  RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION maintenance.record_erasures() FROM PUBLIC;
CREATE TRIGGER users_record_erasures AFTER DELETE ON public.users
  REFERENCING OLD TABLE AS gone FOR EACH STATEMENT EXECUTE FUNCTION maintenance.record_erasures();

-- Per archive: the erasures it reflects (watermark), how many times it was rewritten (generation: the data blob of
-- generation g > 0 is {partition}.g{g}.csv.gz), rows removed by erasures so far, and whether the set of users with
-- rows in it was recorded at export (archives written before 0019 have none: every newer erasure may touch them).
-- superseded_blob: a rewritten blob of an earlier cycle (restored with --attach, archived again), deleted once the
-- new cycle's manifest is written.
ALTER TABLE maintenance.partition_archives
    ADD COLUMN erasure_watermark bigint NOT NULL DEFAULT 0 CHECK (erasure_watermark >= 0),
    ADD COLUMN generation integer NOT NULL DEFAULT 0 CHECK (generation >= 0),
    ADD COLUMN erased_rows bigint NOT NULL DEFAULT 0 CHECK (erased_rows >= 0),
    ADD COLUMN users_recorded boolean NOT NULL DEFAULT false,
    ADD COLUMN superseded_blob text;

-- The users with rows in an archive, recorded in the export's own transaction and snapshot; rows of erased users
-- leave with the rewrite that removes them from the blob. Lets the rewrite job pick only the archives an erasure
-- touches (no blob is read, nor rehydrated from the Archive tier, for nothing) and the GDPR export list where a
-- user's rows are archived.
CREATE TABLE maintenance.archived_users (
    archive_id  bigint NOT NULL REFERENCES maintenance.partition_archives (id) ON DELETE CASCADE,
    user_id     uuid NOT NULL,
    PRIMARY KEY (archive_id, user_id)
);
CREATE INDEX archived_users_user_idx ON maintenance.archived_users (user_id);

-- One row per rewrite of an archive (ErasureRewrite job); state is the last step that completed:
-- pending -> [rehydrating] -> uploaded -> verified -> committed -> done. At most one open per archive.
CREATE TABLE maintenance.archive_rewrites (
    id                bigserial PRIMARY KEY,
    archive_id        bigint NOT NULL REFERENCES maintenance.partition_archives (id) ON DELETE CASCADE,
    generation        integer NOT NULL CHECK (generation > 0),
    target_watermark  bigint NOT NULL CHECK (target_watermark > 0),
    state             text NOT NULL DEFAULT 'pending'
                      CHECK (state IN ('pending', 'rehydrating', 'uploaded', 'verified', 'committed', 'done', 'failed')),
    old_blob          text NOT NULL,
    old_tier          text,
    new_blob          text NOT NULL,
    old_rows          bigint CHECK (old_rows >= 0),
    removed_rows      bigint CHECK (removed_rows >= 0),
    new_rows          bigint CHECK (new_rows >= 0),
    new_sha256        text CHECK (new_sha256 ~ '^[0-9a-f]{64}$'),
    new_bytes         bigint CHECK (new_bytes >= 0),
    new_md5           text CHECK (new_md5 ~ '^[A-Za-z0-9+/]{22}==$'),
    attempts          integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    last_error        text,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    UNIQUE (archive_id, generation),
    CHECK (new_blob <> old_blob),
    CHECK (state IN ('pending', 'rehydrating', 'failed')
           OR (old_rows IS NOT NULL AND removed_rows IS NOT NULL AND new_rows = old_rows - removed_rows
               AND new_sha256 IS NOT NULL AND new_bytes IS NOT NULL AND new_md5 IS NOT NULL))
);
CREATE UNIQUE INDEX archive_rewrites_one_open ON maintenance.archive_rewrites (archive_id)
  WHERE state NOT IN ('done', 'failed');
CREATE TRIGGER archive_rewrites_touch BEFORE UPDATE ON maintenance.archive_rewrites
  FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

-- The GDPR export (travel_app, as the user) lists the archived partitions that hold (certain) or may hold (archives
-- written before 0019, which recorded no user set, of a month the account existed in) the current user's rows,
-- without reading any blob. travel_app cannot read the maintenance schema.
CREATE FUNCTION app.own_archived_partitions()
  RETURNS TABLE (table_name text, range_from timestamptz, range_to timestamptz, blob_name text,
                 last_written_at timestamptz, certain boolean)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
AS $$
  SELECT a.table_name, a.range_from, a.range_to, a.blob_name, a.updated_at, true
    FROM maintenance.archived_users u
    JOIN maintenance.partition_archives a ON a.id = u.archive_id
   WHERE u.user_id = app.current_user_id() AND a.state = 'dropped' AND a.users_recorded
  UNION ALL
  SELECT a.table_name, a.range_from, a.range_to, a.blob_name, a.updated_at, false
    FROM maintenance.partition_archives a
    JOIN public.users me ON me.id = app.current_user_id()
   WHERE a.state = 'dropped' AND NOT a.users_recorded AND a.range_to > me.created_at
  ORDER BY 1, 2
$$;
REVOKE ALL ON FUNCTION app.own_archived_partitions() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.own_archived_partitions() TO travel_app;
