-- Agent clients (the platform's AI agents calling the service endpoints: api-logs, search caches)
-- and the checks the feed writers need. See docs/agents.md.

-- One row per agent deployment. The secret is a high-entropy random string (244 random bits), so a
-- fast SHA-256 is enough to keep it unrecoverable from the table (no need for a slow password hash).
-- The secret itself is shown once, by maintenance.create_agent_client / rotate_agent_client_secret.
CREATE TABLE agent_clients (
    client_id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    name               text NOT NULL UNIQUE CHECK (name ~ '^[a-z0-9][a-z0-9_.-]{0,99}$'),
    secret_sha256      bytea NOT NULL CHECK (length(secret_sha256) = 32),
    scopes             text[] NOT NULL CHECK (cardinality(scopes) >= 1
                                              AND scopes <@ ARRAY['agents:logs', 'agents:search-cache']::text[]),
    created_at         timestamptz NOT NULL DEFAULT now(),
    secret_rotated_at  timestamptz NOT NULL DEFAULT now(),
    disabled_at        timestamptz
);
-- The API only reads clients (POST /api/auth/agent-token); provisioning is an ops task as travel_owner.
GRANT SELECT (client_id, name, secret_sha256, scopes, disabled_at) ON agent_clients TO travel_app;

-- Creates a client and returns its id and secret (the only time the secret is visible).
-- Run as travel_owner: SELECT * FROM maintenance.create_agent_client('trip-planner', ARRAY['agents:logs']);
CREATE FUNCTION maintenance.create_agent_client(p_name text, p_scopes text[])
RETURNS TABLE (client_id uuid, client_secret text)
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $fn$
DECLARE
  -- gen_random_uuid() draws from pg_strong_random: two v4 uuids = 244 random bits.
  v_secret text := 'tfa_' || replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
  v_id uuid;
BEGIN
  INSERT INTO agent_clients (name, secret_sha256, scopes)
  VALUES (p_name, sha256(convert_to(v_secret, 'UTF8')), p_scopes)
  RETURNING agent_clients.client_id INTO v_id;
  RETURN QUERY SELECT v_id, v_secret;
END
$fn$;
REVOKE ALL ON FUNCTION maintenance.create_agent_client(text, text[]) FROM PUBLIC;

-- New secret for a client (the old one stops working at once; tokens already issued live out their lifetime).
CREATE FUNCTION maintenance.rotate_agent_client_secret(p_client_id uuid)
RETURNS text
LANGUAGE plpgsql
SET search_path = public, pg_temp
AS $fn$
DECLARE
  v_secret text := 'tfa_' || replace(gen_random_uuid()::text || gen_random_uuid()::text, '-', '');
BEGIN
  UPDATE agent_clients SET secret_sha256 = sha256(convert_to(v_secret, 'UTF8')), secret_rotated_at = now()
   WHERE client_id = p_client_id;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'rotate_agent_client_secret: no agent client %', p_client_id USING ERRCODE = 'no_data_found';
  END IF;
  RETURN v_secret;
END
$fn$;
REVOKE ALL ON FUNCTION maintenance.rotate_agent_client_secret(uuid) FROM PUBLIC;

-- ---------------------------------------------------------------------------------------------
-- The month ranges of the partitions that exist for a range-partitioned table (its DEFAULT
-- partition excluded), read from the catalog at call time. The feed writers check every row's
-- timestamp against these in the write transaction, so an out-of-range row is a clear 400 instead
-- of silently landing in the DEFAULT partition. Bounds are printed and parsed back in the same
-- session (same TimeZone/DateStyle), so the round trip is exact. MINVALUE/MAXVALUE bounds are not
-- matched and count as not covered (we never create them).
CREATE FUNCTION app.partition_ranges(parent regclass)
RETURNS TABLE (range_from timestamptz, range_to timestamptz)
LANGUAGE sql STABLE
SET search_path = pg_catalog, pg_temp
AS $fn$
  SELECT b[1]::timestamptz, b[2]::timestamptz
    FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid
    CROSS JOIN LATERAL regexp_match(pg_get_expr(c.relpartbound, c.oid),
                                    '^FOR VALUES FROM \(''([^'']+)''\) TO \(''([^'']+)''\)$') AS b
   WHERE i.inhparent = parent
$fn$;
GRANT EXECUTE ON FUNCTION app.partition_ranges(regclass) TO travel_app;

-- Which of the given user ids do not exist (agents log calls on behalf of a user; the API names
-- the bad entry instead of failing the batch on the foreign key). travel_app cannot see other
-- users' rows (RLS), hence SECURITY DEFINER; it reveals existence only, to the service endpoints.
CREATE FUNCTION app.unknown_user_ids(p_ids uuid[])
RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public, pg_temp
AS $fn$
  SELECT DISTINCT x FROM unnest(p_ids) AS x WHERE x IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.id = x)
$fn$;
REVOKE ALL ON FUNCTION app.unknown_user_ids(uuid[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.unknown_user_ids(uuid[]) TO travel_app;
