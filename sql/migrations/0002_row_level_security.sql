-- Row-level security: the second lock on every user-owned table. travel_app is not the owner and
-- has no BYPASSRLS, so an endpoint that forgot its WHERE clause still sees only what the current
-- user may see. Each request transaction sets app.user_id with set_config(..., true) (transaction-
-- local, so it is safe through PgBouncer in transaction mode).

CREATE FUNCTION app.current_user_id() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT nullif(current_setting('app.user_id', true), '')::uuid
$$;

-- Opens a request: sets the user for this transaction and says whether the account is still active
-- (a deleted or suspended account's unexpired access token stops working at once). One round trip.
CREATE FUNCTION app.begin_request(p_user_id uuid) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  PERFORM set_config('app.user_id', p_user_id::text, true);
  RETURN EXISTS (SELECT 1 FROM users WHERE id = p_user_id AND status = 'active');
END $$;

-- Trip access is decided in SECURITY DEFINER functions so the trips and trip_collaborators
-- policies do not recurse into each other.
CREATE FUNCTION app.trip_role(p_trip_id uuid) RETURNS text
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT CASE
           WHEN t.owner_id = app.current_user_id() THEN 'owner'
           ELSE (SELECT c.role FROM trip_collaborators c
                  WHERE c.trip_id = t.id AND c.user_id = app.current_user_id() AND c.status = 'accepted')
         END
    FROM trips t
   WHERE t.id = p_trip_id
$$;

CREATE FUNCTION app.can_read_trip(p_trip_id uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(app.trip_role(p_trip_id) IN ('owner', 'editor', 'viewer'), false)
$$;

CREATE FUNCTION app.can_write_trip(p_trip_id uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(app.trip_role(p_trip_id) IN ('owner', 'editor'), false)
$$;

CREATE FUNCTION app.is_trip_owner(p_trip_id uuid) RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(app.trip_role(p_trip_id) = 'owner', false)
$$;

-- Before a user is known (login, refresh, invite by email) the API needs a narrow look-up that
-- RLS would otherwise hide. These return only what that step needs.
CREATE FUNCTION app.login_lookup(p_email text)
RETURNS TABLE (id uuid, password_hash text, status text, failed_login_count integer, locked_until timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT u.id, u.password_hash, u.status, u.failed_login_count, u.locked_until
    FROM users u
   WHERE lower(u.email) = lower(p_email) AND u.deleted_at IS NULL
$$;

CREATE FUNCTION app.refresh_session_lookup(p_token_hash bytea)
RETURNS TABLE (id uuid, user_id uuid, family_id uuid, expires_at timestamptz, revoked_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT s.id, s.user_id, s.family_id, s.expires_at, s.revoked_at
    FROM refresh_sessions s
   WHERE s.token_hash = p_token_hash
$$;

CREATE FUNCTION app.live_user_id_by_email(p_email text) RETURNS uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT u.id FROM users u WHERE lower(u.email) = lower(p_email) AND u.status = 'active'
$$;

-- Names of the people on a trip, for those who can read it (users' own rows are otherwise private).
CREATE FUNCTION app.trip_members(p_trip_id uuid)
RETURNS TABLE (user_id uuid, email text, first_name text, last_name text, role text, status text,
               invited_at timestamptz, accepted_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT c.user_id, u.email, u.first_name, u.last_name, c.role, c.status, c.invited_at, c.accepted_at
    FROM trip_collaborators c
    JOIN users u ON u.id = c.user_id
   WHERE c.trip_id = p_trip_id
     AND (app.trip_role(p_trip_id) IS NOT NULL OR c.user_id = app.current_user_id())
   ORDER BY c.invited_at, c.user_id
$$;

REVOKE ALL ON FUNCTION app.trip_members(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.trip_members(uuid) TO travel_app;

REVOKE ALL ON FUNCTION app.login_lookup(text), app.refresh_session_lookup(bytea), app.live_user_id_by_email(text),
  app.trip_role(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.login_lookup(text), app.refresh_session_lookup(bytea), app.live_user_id_by_email(text),
  app.trip_role(uuid) TO travel_app;

ALTER TABLE users ENABLE ROW LEVEL SECURITY;
CREATE POLICY users_self ON users TO travel_app
  USING (id = app.current_user_id()) WITH CHECK (id = app.current_user_id());

ALTER TABLE user_profiles ENABLE ROW LEVEL SECURITY;
CREATE POLICY user_profiles_self ON user_profiles TO travel_app
  USING (user_id = app.current_user_id()) WITH CHECK (user_id = app.current_user_id());

ALTER TABLE refresh_sessions ENABLE ROW LEVEL SECURITY;
CREATE POLICY refresh_sessions_self ON refresh_sessions TO travel_app
  USING (user_id = app.current_user_id()) WITH CHECK (user_id = app.current_user_id());

ALTER TABLE idempotency_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY idempotency_keys_self ON idempotency_keys TO travel_app
  USING (user_id = app.current_user_id()) WITH CHECK (user_id = app.current_user_id());

ALTER TABLE trips ENABLE ROW LEVEL SECURITY;
CREATE POLICY trips_read ON trips FOR SELECT TO travel_app USING (app.can_read_trip(id));
CREATE POLICY trips_insert ON trips FOR INSERT TO travel_app WITH CHECK (owner_id = app.current_user_id());
CREATE POLICY trips_update ON trips FOR UPDATE TO travel_app USING (app.can_write_trip(id)) WITH CHECK (app.can_write_trip(id));
CREATE POLICY trips_delete ON trips FOR DELETE TO travel_app USING (owner_id = app.current_user_id());

ALTER TABLE trip_destinations ENABLE ROW LEVEL SECURITY;
CREATE POLICY trip_destinations_read ON trip_destinations FOR SELECT TO travel_app USING (app.can_read_trip(trip_id));
CREATE POLICY trip_destinations_write ON trip_destinations FOR ALL TO travel_app
  USING (app.can_write_trip(trip_id)) WITH CHECK (app.can_write_trip(trip_id));

ALTER TABLE trip_collaborators ENABLE ROW LEVEL SECURITY;
-- The invitee sees their own (even pending) invitation so they can accept it.
CREATE POLICY trip_collaborators_read ON trip_collaborators FOR SELECT TO travel_app
  USING (user_id = app.current_user_id() OR app.can_read_trip(trip_id));
CREATE POLICY trip_collaborators_invite ON trip_collaborators FOR INSERT TO travel_app
  WITH CHECK (app.is_trip_owner(trip_id) AND user_id <> app.current_user_id());
CREATE POLICY trip_collaborators_update ON trip_collaborators FOR UPDATE TO travel_app
  USING (user_id = app.current_user_id() OR app.is_trip_owner(trip_id))
  WITH CHECK (user_id = app.current_user_id() OR app.is_trip_owner(trip_id));
CREATE POLICY trip_collaborators_remove ON trip_collaborators FOR DELETE TO travel_app
  USING (user_id = app.current_user_id() OR app.is_trip_owner(trip_id));

ALTER TABLE bookings ENABLE ROW LEVEL SECURITY;
CREATE POLICY bookings_read ON bookings FOR SELECT TO travel_app USING (app.can_read_trip(trip_id));
CREATE POLICY bookings_write ON bookings FOR INSERT TO travel_app WITH CHECK (app.can_write_trip(trip_id));
CREATE POLICY bookings_update ON bookings FOR UPDATE TO travel_app
  USING (app.can_write_trip(trip_id)) WITH CHECK (app.can_write_trip(trip_id));

-- Maintenance purges across users (GDPR hard delete, expired sessions): it reads and deletes every row.
CREATE POLICY users_maintenance ON users TO travel_maintenance USING (true) WITH CHECK (true);
CREATE POLICY user_profiles_maintenance ON user_profiles TO travel_maintenance USING (true) WITH CHECK (true);
CREATE POLICY refresh_sessions_maintenance ON refresh_sessions TO travel_maintenance USING (true) WITH CHECK (true);
CREATE POLICY idempotency_keys_maintenance ON idempotency_keys TO travel_maintenance USING (true) WITH CHECK (true);
CREATE POLICY trips_maintenance ON trips TO travel_maintenance USING (true) WITH CHECK (true);
CREATE POLICY trip_destinations_maintenance ON trip_destinations TO travel_maintenance USING (true) WITH CHECK (true);
CREATE POLICY trip_collaborators_maintenance ON trip_collaborators TO travel_maintenance USING (true) WITH CHECK (true);
CREATE POLICY bookings_maintenance ON bookings TO travel_maintenance USING (true) WITH CHECK (true);
