-- High-write feeds the agents and clients produce: conversations + chat messages, user events,
-- external API logs, notifications, agent feedback. The time-series tables are range-partitioned
-- by month (UTC) on their timestamp, with a composite PK that includes it and a DEFAULT partition
-- that catches anything outside the created months (the timers alert on rows there; the API
-- rejects out-of-range rows before they get that far).

CREATE SCHEMA IF NOT EXISTS maintenance;
GRANT USAGE ON SCHEMA maintenance TO travel_maintenance;

-- Creates the monthly partitions [month, month + 1) of a table range-partitioned on one timestamptz
-- column, for `months` months starting at from_month; returns how many it created. Idempotent:
-- a month whose partition `<table>_pYYYYMM` is already attached is skipped.
--
-- * Month bounds are UTC midnights whatever the session TimeZone (schedules and reports are UTC).
-- * Created as a plain table and then ATTACHed: ATTACH takes SHARE UPDATE EXCLUSIVE on the parent,
--   so inserts and reads keep flowing (CREATE TABLE .. PARTITION OF would take ACCESS EXCLUSIVE).
--   It does take ACCESS EXCLUSIVE on the DEFAULT partition while it checks that partition, so the
--   caller should set a short lock_timeout and retry.
-- * If the DEFAULT partition already holds rows of a month, PostgreSQL refuses to attach; this
--   function raises a clear error naming the table and the month instead, and never moves rows.
--   The whole call is one transaction: call it month by month to get every month that can be made.
-- * A table of that name that is not attached (a detached partition being archived) is an error.
-- DDL needs ownership, so this runs as travel_owner: the migrations, and the PartitionMaintenance
-- timer on the direct connection. Nothing else may execute it.
CREATE FUNCTION maintenance.ensure_monthly_partitions(parent regclass, from_month date, months int)
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

    EXECUTE format('CREATE TABLE %I.%I (LIKE %s INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING STORAGE INCLUDING COMPRESSION)',
                   v_schema, v_name, parent);
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
    v_created := v_created + 1;
  END LOOP;
  RETURN v_created;
END
$fn$;
REVOKE ALL ON FUNCTION maintenance.ensure_monthly_partitions(regclass, date, int) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- Conversations: one per chat session with an agent. Optionally tied to a trip; those are also
-- readable by whoever can read the trip.
CREATE TABLE conversations (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    trip_id          uuid REFERENCES trips (id) ON DELETE SET NULL,
    agent_type       text NOT NULL CHECK (agent_type IN ('trip_planning', 'search_booking', 'experience', 'support', 'customer360')),
    title            text CHECK (length(title) BETWEEN 1 AND 200),
    status           text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'closed', 'escalated')),
    close_reason     text CHECK (length(close_reason) BETWEEN 1 AND 2000),
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    closed_at        timestamptz,
    last_message_at  timestamptz,
    -- The list order ("newest activity first") as a real column, so keyset pages use an index.
    last_activity_at timestamptz GENERATED ALWAYS AS (coalesce(last_message_at, created_at)) STORED,
    CHECK ((status = 'active') = (closed_at IS NULL)),
    CHECK (status <> 'escalated' OR close_reason IS NOT NULL),
    -- Target of chat_messages' (conversation_id, user_id) FK: a message's denormalized user_id
    -- is then always its conversation's owner.
    UNIQUE (id, user_id)
);
CREATE INDEX conversations_user_page_idx ON conversations (user_id, last_activity_at DESC, id DESC);
CREATE INDEX conversations_trip_idx ON conversations (trip_id, last_activity_at DESC, id DESC) WHERE trip_id IS NOT NULL;
CREATE TRIGGER conversations_touch BEFORE UPDATE ON conversations FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

-- Chat messages, partitioned by month on created_at.
-- PK (created_at, id): inserts land at the right edge of the index (a uuid-first key would spread
-- them over the whole index); nothing looks a message up by id alone.
-- FK to conversations is fine (a partitioned table may reference a plain table). user_id is not a
-- separate FK to users: users -> conversations -> chat_messages already cascades the purge, and
-- the composite FK guarantees user_id matches the conversation owner (RLS relies on it).
CREATE TABLE chat_messages (
    id               uuid NOT NULL DEFAULT gen_random_uuid(),
    conversation_id  uuid NOT NULL,
    user_id          uuid NOT NULL,
    role             text NOT NULL CHECK (role IN ('user', 'agent', 'system', 'tool')),
    content          text NOT NULL CHECK (octet_length(content) BETWEEN 1 AND 65536),
    agent_name       text CHECK (length(agent_name) BETWEEN 1 AND 100),
    -- Binary jsonb size; the API caps metadata at 32 KiB of JSON text, which always fits.
    metadata         jsonb CHECK (jsonb_typeof(metadata) = 'object' AND pg_column_size(metadata) <= 65536),
    input_tokens     integer CHECK (input_tokens >= 0),
    output_tokens    integer CHECK (output_tokens >= 0),
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (created_at, id),
    FOREIGN KEY (conversation_id, user_id) REFERENCES conversations (id, user_id) ON DELETE CASCADE
) PARTITION BY RANGE (created_at);
-- The keyset page: WHERE conversation_id = $1 AND (created_at, id) < ($2, $3)
-- ORDER BY created_at DESC, id DESC LIMIT n. Also serves the cascade from conversations.
CREATE INDEX chat_messages_page_idx ON chat_messages (conversation_id, created_at DESC, id DESC);

-- User events (behavioural), partitioned by month on occurred_at (when it happened on the client).
CREATE TABLE user_events (
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    event_type   text NOT NULL CHECK (event_type ~ '^[A-Za-z0-9_.:-]{1,100}$'),
    category     text CHECK (category ~ '^[A-Za-z0-9_.:-]{1,50}$'),
    data         jsonb CHECK (jsonb_typeof(data) = 'object' AND pg_column_size(data) <= 32768),
    session_id   text CHECK (length(session_id) BETWEEN 1 AND 128),
    device_type  text CHECK (device_type IN ('desktop', 'mobile', 'tablet', 'other')),
    occurred_at  timestamptz NOT NULL DEFAULT now(),
    received_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (occurred_at, id)
) PARTITION BY RANGE (occurred_at);
-- Per-user reads (GDPR export) and the cascade when a user is purged.
CREATE INDEX user_events_user_idx ON user_events (user_id, occurred_at);

-- External API calls made by agents (service data, written by the API for the agents).
-- user_id: the user on whose behalf the call was made, if any. ON DELETE CASCADE because request/
-- response bodies may carry that user's personal data (GDPR erasure).
CREATE TABLE external_api_logs (
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id      uuid REFERENCES users (id) ON DELETE CASCADE,
    provider     text NOT NULL CHECK (provider ~ '^[A-Za-z0-9_.:-]{1,100}$'),
    endpoint     text NOT NULL CHECK (length(endpoint) BETWEEN 1 AND 2048),
    method       text NOT NULL CHECK (method IN ('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS')),
    status_code  smallint CHECK (status_code BETWEEN 100 AND 599),  -- NULL: no response (timeout, network)
    duration_ms  integer NOT NULL CHECK (duration_ms >= 0),
    -- Binary jsonb size caps; the API caps each body at 64 KiB of JSON text, which always fits.
    request      jsonb CHECK (pg_column_size(request) <= 131072),
    response     jsonb CHECK (pg_column_size(response) <= 131072),
    error        text CHECK (length(error) BETWEEN 1 AND 8000),
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (created_at, id)
) PARTITION BY RANGE (created_at);
CREATE INDEX external_api_logs_provider_idx ON external_api_logs (provider, created_at);
CREATE INDEX external_api_logs_user_idx ON external_api_logs (user_id, created_at) WHERE user_id IS NOT NULL;

-- Notifications for a user, partitioned by month on created_at (dropped after 1 month, no archive).
CREATE TABLE notifications (
    id          uuid NOT NULL DEFAULT gen_random_uuid(),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind ~ '^[a-z0-9_.]{1,50}$'),
    title       text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    body        text CHECK (length(body) <= 4000),
    data        jsonb CHECK (jsonb_typeof(data) = 'object' AND pg_column_size(data) <= 16384),
    read_at     timestamptz,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (created_at, id)
) PARTITION BY RANGE (created_at);
CREATE INDEX notifications_user_page_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id, created_at) WHERE read_at IS NULL;

-- Feedback on an agent conversation (small, not partitioned).
-- No FK to chat_messages on purpose: a FK into a partitioned table needs its whole key
-- (created_at, id), and it would forbid detaching any month that feedback points into, which is
-- exactly what archiving does. message_id/message_created_at are a soft reference.
-- The conversation FK is composite so feedback is only on one's own conversation; when the
-- conversation goes, only conversation_id is cleared (PG15 column list), the rating stays.
CREATE TABLE agent_feedback (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id             uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    conversation_id     uuid,
    message_id          uuid,
    message_created_at  timestamptz,
    agent_name          text CHECK (length(agent_name) BETWEEN 1 AND 100),
    rating              smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    comment             text CHECK (length(comment) BETWEEN 1 AND 4000),
    created_at          timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (conversation_id, user_id) REFERENCES conversations (id, user_id) ON DELETE SET NULL (conversation_id),
    CHECK ((message_id IS NULL) = (message_created_at IS NULL))
);
CREATE INDEX agent_feedback_user_idx ON agent_feedback (user_id, created_at DESC);
CREATE INDEX agent_feedback_conversation_idx ON agent_feedback (conversation_id) WHERE conversation_id IS NOT NULL;

-- ---------------------------------------------------------------------------------------------
-- Partitions: 12 months back through 3 months ahead (16 months), then the DEFAULT partitions.
SELECT maintenance.ensure_monthly_partitions(t::regclass,
         (date_trunc('month', now() AT TIME ZONE 'UTC') - interval '12 months')::date, 16)
  FROM unnest(ARRAY['public.chat_messages', 'public.user_events', 'public.external_api_logs', 'public.notifications']) AS t;

CREATE TABLE chat_messages_default PARTITION OF chat_messages DEFAULT;
CREATE TABLE user_events_default PARTITION OF user_events DEFAULT;
CREATE TABLE external_api_logs_default PARTITION OF external_api_logs DEFAULT;
CREATE TABLE notifications_default PARTITION OF notifications DEFAULT;

-- ---------------------------------------------------------------------------------------------
-- Row-level security. Policies sit on the parents; partitions have no grants, so travel_app can
-- only reach rows through the parent (and its policies).
ALTER TABLE conversations ENABLE ROW LEVEL SECURITY;
CREATE POLICY conversations_read ON conversations FOR SELECT TO travel_app
  USING (user_id = app.current_user_id() OR (trip_id IS NOT NULL AND app.can_read_trip(trip_id)));
CREATE POLICY conversations_insert ON conversations FOR INSERT TO travel_app
  WITH CHECK (user_id = app.current_user_id() AND (trip_id IS NULL OR app.can_read_trip(trip_id)));
-- trip_id is not updatable (column grants below), so losing access to the trip later never
-- blocks closing one's own conversation.
CREATE POLICY conversations_update ON conversations FOR UPDATE TO travel_app
  USING (user_id = app.current_user_id()) WITH CHECK (user_id = app.current_user_id());

ALTER TABLE chat_messages ENABLE ROW LEVEL SECURITY;
-- Whoever can read the conversation can read its messages; only its owner writes them.
CREATE POLICY chat_messages_read ON chat_messages FOR SELECT TO travel_app
  USING (user_id = app.current_user_id()
         OR EXISTS (SELECT 1 FROM conversations c
                     WHERE c.id = chat_messages.conversation_id
                       AND c.trip_id IS NOT NULL AND app.can_read_trip(c.trip_id)));
CREATE POLICY chat_messages_insert ON chat_messages FOR INSERT TO travel_app
  WITH CHECK (user_id = app.current_user_id());

ALTER TABLE user_events ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_events_self ON user_events TO travel_app
  USING (user_id = app.current_user_id()) WITH CHECK (user_id = app.current_user_id());

ALTER TABLE notifications ENABLE ROW LEVEL SECURITY;
CREATE POLICY notifications_self ON notifications TO travel_app
  USING (user_id = app.current_user_id()) WITH CHECK (user_id = app.current_user_id());

ALTER TABLE agent_feedback ENABLE ROW LEVEL SECURITY;
CREATE POLICY agent_feedback_self ON agent_feedback TO travel_app
  USING (user_id = app.current_user_id()) WITH CHECK (user_id = app.current_user_id());

-- external_api_logs: a service table, no per-user RLS (written for the agents, read by ops).

-- ---------------------------------------------------------------------------------------------
-- Grants to the API. Chat history and events are append-only for it.
GRANT SELECT, INSERT ON conversations TO travel_app;
GRANT UPDATE (title, status, close_reason, closed_at, last_message_at) ON conversations TO travel_app;
GRANT SELECT, INSERT ON chat_messages, user_events, agent_feedback, external_api_logs TO travel_app;
GRANT SELECT, INSERT ON notifications TO travel_app;
GRANT UPDATE (read_at) ON notifications TO travel_app;
-- travel_maintenance grants and policies: see 0006_maintenance.sql.
