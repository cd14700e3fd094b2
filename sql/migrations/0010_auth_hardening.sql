-- Auth hardening (issue 13, items 1-2): request limits and login throttling held in PostgreSQL, so they hold
-- across scaled-out instances. Keys are SHA-256 digests (of "address:…", "account:…", "pair:…"), never an email
-- or an address in clear. Rows expire; every call deletes a few expired rows, so the tables stay small without
-- a job. travel_app reaches them only through the two functions below (no table grants).

-- Fixed-window request counters (per client address on the credential functions).
CREATE TABLE auth_rate_windows (
    key          bytea PRIMARY KEY CHECK (length(key) = 32),
    window_start timestamptz NOT NULL,
    hits         integer NOT NULL CHECK (hits >= 1),
    expires_at   timestamptz NOT NULL
);
CREATE INDEX auth_rate_windows_expires_idx ON auth_rate_windows (expires_at);

-- Login throttling: one row per account (email) and one per (account, client address). failures counts
-- attempts whose password was (or is being) checked and not yet proven right; next_attempt_at is when the
-- next one may be checked.
CREATE TABLE auth_login_throttle (
    key             bytea PRIMARY KEY CHECK (length(key) = 32),
    failures        integer NOT NULL CHECK (failures >= 0),
    window_start    timestamptz NOT NULL,
    next_attempt_at timestamptz NOT NULL,
    expires_at      timestamptz NOT NULL
);
CREATE INDEX auth_login_throttle_expires_idx ON auth_login_throttle (expires_at);

-- One hit in the key's current window (a fixed window that starts at its first hit, as an in-process limiter's
-- does); returns the window's count including this hit and when the window ends. One upsert: the row lock makes
-- concurrent hits from any instance count exactly once each.
CREATE FUNCTION app.auth_rate_hit(p_key bytea, p_now timestamptz, p_window interval, OUT o_hits integer, OUT o_window_ends timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
  DELETE FROM auth_rate_windows
   WHERE key IN (SELECT key FROM auth_rate_windows WHERE expires_at < p_now LIMIT 20 FOR UPDATE SKIP LOCKED);
  INSERT INTO auth_rate_windows AS w (key, window_start, hits, expires_at)
  VALUES (p_key, p_now, 1, p_now + p_window)
  ON CONFLICT (key) DO UPDATE
     SET hits = CASE WHEN w.window_start + p_window <= p_now THEN 1 ELSE w.hits + 1 END,
         window_start = CASE WHEN w.window_start + p_window <= p_now THEN p_now ELSE w.window_start END,
         expires_at = CASE WHEN w.window_start + p_window <= p_now THEN p_now + p_window ELSE w.expires_at END
  RETURNING w.hits, w.window_start + p_window INTO o_hits, o_window_ends;
END
$fn$;

-- Decides, before any password is checked, whether this login attempt may be checked, and counts it as a failure
-- at once (a right password then takes it back: app.auth_login_succeeded). 'allowed', 'client' (the pair is in
-- its backoff) or 'account' (the account-wide throttle). Both rows are locked in a fixed order (account, pair),
-- so parallel guesses are decided one by one and no two can use the same free attempt.
--   pair:    after p_free_failures failures, each next attempt waits p_base_delay, doubling with every further
--            failure, at most p_max_delay; forgotten p_forget_after after its last attempt.
--   account: p_account_failures attempts per p_account_window from all clients together; past that, one attempt
--            every p_account_interval, whoever sends it.
CREATE FUNCTION app.auth_login_attempt(
    p_account bytea, p_pair bytea, p_now timestamptz,
    p_free_failures integer, p_base_delay interval, p_max_delay interval, p_forget_after interval,
    p_account_failures integer, p_account_window interval, p_account_interval interval)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  a auth_login_throttle;
  c auth_login_throttle;
  v_excess integer;
BEGIN
  DELETE FROM auth_login_throttle
   WHERE key IN (SELECT key FROM auth_login_throttle WHERE expires_at < p_now AND key NOT IN (p_account, p_pair)
                  LIMIT 20 FOR UPDATE SKIP LOCKED);
  INSERT INTO auth_login_throttle VALUES (p_account, 0, p_now, '-infinity', p_now + p_account_window)
  ON CONFLICT (key) DO NOTHING;
  INSERT INTO auth_login_throttle VALUES (p_pair, 0, p_now, '-infinity', p_now + p_forget_after)
  ON CONFLICT (key) DO NOTHING;
  SELECT * INTO a FROM auth_login_throttle WHERE key = p_account FOR UPDATE;
  SELECT * INTO c FROM auth_login_throttle WHERE key = p_pair FOR UPDATE;

  -- A row past its expiry (not yet deleted) counts as new.
  IF a.window_start + p_account_window <= p_now OR a.expires_at <= p_now THEN
    a.failures := 0; a.window_start := p_now; a.next_attempt_at := '-infinity';
  END IF;
  IF c.expires_at <= p_now THEN
    c.failures := 0; c.next_attempt_at := '-infinity';
  END IF;

  IF c.next_attempt_at > p_now THEN RETURN 'client'; END IF;
  IF a.failures >= p_account_failures AND a.next_attempt_at > p_now THEN RETURN 'account'; END IF;

  UPDATE auth_login_throttle
     SET failures = a.failures + 1, window_start = a.window_start,
         next_attempt_at = CASE WHEN a.failures + 1 >= p_account_failures THEN p_now + p_account_interval ELSE a.next_attempt_at END,
         expires_at = greatest(a.window_start + p_account_window, p_now + p_account_interval)
   WHERE key = p_account;
  -- Failures counted with this one, past the free ones: 0 → no wait yet; k ≥ 1 → wait base * 2^(k-1).
  v_excess := c.failures + 1 - p_free_failures + 1;
  UPDATE auth_login_throttle
     SET failures = c.failures + 1,
         next_attempt_at = CASE WHEN v_excess <= 0 THEN '-infinity'
                                ELSE p_now + least(p_max_delay, p_base_delay * power(2, least(v_excess - 1, 30))) END,
         expires_at = p_now + greatest(p_forget_after, p_max_delay)
   WHERE key = p_pair;
  RETURN 'allowed';
END
$fn$;

-- The password was right: the pair starts over, and the attempt no longer counts against the account.
CREATE FUNCTION app.auth_login_succeeded(p_account bytea, p_pair bytea)
RETURNS void
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  UPDATE auth_login_throttle SET failures = greatest(failures - 1, 0) WHERE key = p_account;
  DELETE FROM auth_login_throttle WHERE key = p_pair;
$fn$;

REVOKE ALL ON FUNCTION app.auth_rate_hit(bytea, timestamptz, interval),
  app.auth_login_attempt(bytea, bytea, timestamptz, integer, interval, interval, interval, integer, interval, interval),
  app.auth_login_succeeded(bytea, bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.auth_rate_hit(bytea, timestamptz, interval),
  app.auth_login_attempt(bytea, bytea, timestamptz, integer, interval, interval, interval, integer, interval, interval),
  app.auth_login_succeeded(bytea, bytea) TO travel_app;

-- Chat roles (item 5): agent, system and tool messages come from agent clients with the agents:chat scope, which
-- post into a user's conversation on that user's behalf; the API finds the conversation's owner with this look-up
-- (row-level security hides conversations from a request that has no user yet).
ALTER TABLE agent_clients DROP CONSTRAINT agent_clients_scopes_check;
ALTER TABLE agent_clients ADD CONSTRAINT agent_clients_scopes_check
  CHECK (cardinality(scopes) >= 1 AND scopes <@ ARRAY['agents:logs', 'agents:search-cache', 'agents:chat']::text[]);

CREATE FUNCTION app.conversation_owner(p_conversation_id uuid) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  SELECT user_id FROM conversations WHERE id = p_conversation_id
$fn$;
REVOKE ALL ON FUNCTION app.conversation_owner(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.conversation_owner(uuid) TO travel_app;

-- Invitations reveal nothing (item 4). An invitation to an email that has no account waits here and becomes the
-- new account's pending invitation when that address registers (app.claim_invitations). Either way the owner
-- gets the same answer, and no invitee's name (or id) is shown before they accept (app.trip_members).
CREATE TABLE trip_invitations (
    trip_id     uuid NOT NULL REFERENCES trips (id) ON DELETE CASCADE,
    email       text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND position('@' IN email) > 1 AND email = lower(email)),
    role        text NOT NULL CHECK (role IN ('viewer', 'editor')),
    invited_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    invited_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (trip_id, email)
);
CREATE INDEX trip_invitations_email_idx ON trip_invitations (email);
ALTER TABLE trip_invitations ENABLE ROW LEVEL SECURITY;
CREATE POLICY trip_invitations_owner ON trip_invitations TO travel_app
  USING (app.is_trip_owner(trip_id)) WITH CHECK (app.is_trip_owner(trip_id));
CREATE POLICY trip_invitations_maintenance ON trip_invitations TO travel_maintenance USING (true) WITH CHECK (true);
GRANT SELECT, INSERT, DELETE ON trip_invitations TO travel_app;
GRANT SELECT, DELETE ON trip_invitations TO travel_maintenance;

-- Called in the registration transaction, as the new user: their address's waiting invitations become theirs.
CREATE FUNCTION app.claim_invitations() RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  v_user uuid := app.current_user_id();
  v_email text;
  v_claimed integer;
BEGIN
  SELECT lower(email) INTO v_email FROM users WHERE id = v_user AND status = 'active';
  IF v_email IS NULL THEN RETURN 0; END IF;
  WITH moved AS (DELETE FROM trip_invitations WHERE email = v_email RETURNING *)
  INSERT INTO trip_collaborators (trip_id, user_id, role, invited_by, invited_at)
  SELECT m.trip_id, v_user, m.role, m.invited_by, m.invited_at FROM moved m
   WHERE NOT EXISTS (SELECT 1 FROM trips t WHERE t.id = m.trip_id AND t.owner_id = v_user)
  ON CONFLICT (trip_id, user_id) DO NOTHING;
  GET DIAGNOSTICS v_claimed = ROW_COUNT;
  RETURN v_claimed;
END
$fn$;
REVOKE ALL ON FUNCTION app.claim_invitations() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.claim_invitations() TO travel_app;

-- The people on a trip. Pending invitations (to an account or to an email without one) show only the email the
-- owner typed and the role: no name, no user id, so the list does not say whether the address has an account.
CREATE OR REPLACE FUNCTION app.trip_members(p_trip_id uuid)
RETURNS TABLE (user_id uuid, email text, first_name text, last_name text, role text, status text,
               invited_at timestamptz, accepted_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT m.* FROM (
    SELECT CASE WHEN c.status = 'accepted' OR c.user_id = app.current_user_id() THEN c.user_id END AS user_id,
           CASE WHEN c.status = 'accepted' OR c.user_id = app.current_user_id() THEN u.email ELSE lower(u.email) END AS email,
           CASE WHEN c.status = 'accepted' OR c.user_id = app.current_user_id() THEN u.first_name END AS first_name,
           CASE WHEN c.status = 'accepted' OR c.user_id = app.current_user_id() THEN u.last_name END AS last_name,
           c.role, c.status, c.invited_at, c.accepted_at
      FROM trip_collaborators c
      JOIN users u ON u.id = c.user_id
     WHERE c.trip_id = p_trip_id
       AND (app.trip_role(p_trip_id) IS NOT NULL OR c.user_id = app.current_user_id())
    UNION ALL
    SELECT NULL::uuid, i.email, NULL::text, NULL::text, i.role, 'pending'::text, i.invited_at, NULL::timestamptz
      FROM trip_invitations i
     WHERE i.trip_id = p_trip_id AND app.trip_role(p_trip_id) IS NOT NULL
  ) AS m
  ORDER BY m.invited_at, m.email
$$;

-- The owner withdraws a pending invitation by the email it was sent to, whichever kind it is.
CREATE FUNCTION app.withdraw_invitation(p_trip_id uuid, p_email text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  v_n integer;
  v_m integer;
BEGIN
  IF NOT app.is_trip_owner(p_trip_id) THEN RETURN false; END IF;
  DELETE FROM trip_invitations WHERE trip_id = p_trip_id AND email = lower(p_email);
  GET DIAGNOSTICS v_n = ROW_COUNT;
  DELETE FROM trip_collaborators c USING users u
   WHERE c.trip_id = p_trip_id AND c.status = 'pending' AND u.id = c.user_id AND lower(u.email) = lower(p_email)
     AND u.deleted_at IS NULL;
  GET DIAGNOSTICS v_m = ROW_COUNT;
  RETURN v_n + v_m > 0;
END
$fn$;
REVOKE ALL ON FUNCTION app.withdraw_invitation(uuid, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.withdraw_invitation(uuid, text) TO travel_app;

-- Logout (item 3) revokes a family with reason 'logout'; presenting one of its tokens afterwards is a signed-out
-- session, not a stolen copy: the look-up now says why a token was revoked.
DROP FUNCTION app.refresh_session_lookup(bytea);
CREATE FUNCTION app.refresh_session_lookup(p_token_hash bytea)
RETURNS TABLE (id uuid, user_id uuid, family_id uuid, expires_at timestamptz, revoked_at timestamptz, revoked_reason text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.id, s.user_id, s.family_id, s.expires_at, s.revoked_at, s.revoked_reason
    FROM refresh_sessions s
   WHERE s.token_hash = p_token_hash
$$;
REVOKE ALL ON FUNCTION app.refresh_session_lookup(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.refresh_session_lookup(bytea) TO travel_app;
