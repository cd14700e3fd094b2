-- Least privilege: row-level security and grants must hold on their own, even for a statement
-- the API never sends, run as travel_app in a request whose app.user_id is set. Each table gets
-- exactly the columns the API writes (column grants), policies whose WITH CHECK pins what a row
-- may become, and owner functions (fixed search_path) for the state changes a grant cannot
-- describe. The audit this answers is in docs/security.md ("Database roles and row-level security").

-- ---------------------------------------------------------------------------------------------
-- users: the API writes names and phone (PATCH /users/me), the login bookkeeping (failed count,
-- lock, last login, a rehashed password) and, at registration, the new row. Nothing else: not
-- email, email_verified, status or deleted_at. Soft delete goes through the owner function below.
REVOKE INSERT, UPDATE ON users FROM travel_app;
GRANT INSERT (id, email, password_hash, first_name, last_name, phone) ON users TO travel_app;
GRANT UPDATE (first_name, last_name, phone, password_hash, failed_login_count, locked_until, last_login_at)
  ON users TO travel_app;

-- GDPR erasure, first step (DELETE /users/me): revoke every refresh token, drop the profile and
-- anonymize the account, for the current user only. travel_app cannot write these columns itself.
CREATE FUNCTION app.soft_delete_current_user() RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  v_user uuid := app.current_user_id();
BEGIN
  IF v_user IS NULL THEN
    RETURN false;
  END IF;
  UPDATE refresh_sessions SET revoked_at = now(), revoked_reason = 'account_deleted'
   WHERE user_id = v_user AND revoked_at IS NULL;
  DELETE FROM user_profiles WHERE user_id = v_user;
  UPDATE users
     SET status = 'deleted', deleted_at = now(),
         email = 'deleted-' || id || '@deleted.invalid',
         first_name = 'Deleted', last_name = 'User', phone = NULL,
         password_hash = '!', email_verified = false
   WHERE id = v_user AND deleted_at IS NULL;
  RETURN FOUND;
END
$fn$;
REVOKE ALL ON FUNCTION app.soft_delete_current_user() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.soft_delete_current_user() TO travel_app;

-- user_profiles: created at registration, edited by PATCH /users/me; deleted only by the function above.
REVOKE DELETE ON user_profiles FROM travel_app;

-- ---------------------------------------------------------------------------------------------
-- trips: created with the columns of POST /trips; spent_amount (kept by the bookings trigger),
-- version, status and the timestamps take their defaults. Updates were column-limited in 0001.
REVOKE INSERT ON trips FROM travel_app;
GRANT INSERT (id, owner_id, title, description, trip_type, start_date, end_date, origin_city, origin_country,
  currency, budget_amount, traveler_count) ON trips TO travel_app;

-- A trip with a confirmed booking is not deleted (DELETE /trips/{id} answers 409): the delete
-- would cascade to bookings the supplier holds.
DROP POLICY trips_delete ON trips;
CREATE POLICY trips_delete ON trips FOR DELETE TO travel_app
  USING (owner_id = app.current_user_id()
         AND NOT EXISTS (SELECT 1 FROM bookings b WHERE b.trip_id = trips.id AND b.status = 'confirmed'));

-- ---------------------------------------------------------------------------------------------
-- trip_collaborators. Before: the invitee could rewrite any column of their row (role, trip_id:
-- joining any trip whose id they knew, as editor), and the owner could mark an invitation accepted
-- or point it at anyone. Now the owner only invites (pending, invited by themself) and the invitee
-- only accepts (pending -> accepted, now).
REVOKE INSERT, UPDATE ON trip_collaborators FROM travel_app;
GRANT INSERT (trip_id, user_id, role, invited_by) ON trip_collaborators TO travel_app;
GRANT UPDATE (status, accepted_at) ON trip_collaborators TO travel_app;

DROP POLICY trip_collaborators_invite ON trip_collaborators;
CREATE POLICY trip_collaborators_invite ON trip_collaborators FOR INSERT TO travel_app
  WITH CHECK (app.is_trip_owner(trip_id) AND user_id <> app.current_user_id()
              AND invited_by = app.current_user_id() AND status = 'pending' AND accepted_at IS NULL);

-- USING keeps an accepted row visible to SELECT .. FOR UPDATE (accepting twice is accepting once);
-- accepted_at = now() is the time of this transaction, what the API writes.
DROP POLICY trip_collaborators_update ON trip_collaborators;
CREATE POLICY trip_collaborators_accept ON trip_collaborators FOR UPDATE TO travel_app
  USING (user_id = app.current_user_id())
  WITH CHECK (user_id = app.current_user_id() AND status = 'accepted' AND accepted_at = now());

-- ---------------------------------------------------------------------------------------------
-- bookings. Created pending, by the current user, with the columns of POST /bookings. Status,
-- confirmation and cancellation columns change only through the two owner functions below, which
-- carry the state machine (pending -> confirmed, pending|confirmed -> cancelled with the fee
-- charged, within the deadline); travel_app has no UPDATE on bookings at all (before, an editor
-- could rewrite amounts, move a booking to another trip, waive a fee or un-cancel).
REVOKE INSERT, UPDATE ON bookings FROM travel_app;
GRANT INSERT (trip_id, created_by, booking_type, confirmation_code, supplier_name, details, total_amount, currency,
  cancellable, cancellation_deadline, cancellation_fee, starts_at, ends_at) ON bookings TO travel_app;

DROP POLICY bookings_write ON bookings;
CREATE POLICY bookings_insert ON bookings FOR INSERT TO travel_app
  WITH CHECK (app.can_write_trip(trip_id) AND created_by = app.current_user_id() AND status = 'pending');
DROP POLICY bookings_update ON bookings;

-- The booking as confirmed, or no row when it is not pending or the current user cannot write its trip.
CREATE FUNCTION app.confirm_booking(p_booking_id uuid, p_supplier_reference text) RETURNS SETOF bookings
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  UPDATE bookings AS b
     SET status = 'confirmed', confirmed_at = now(), supplier_reference = p_supplier_reference
   WHERE b.id = p_booking_id AND b.status = 'pending' AND app.can_write_trip(b.trip_id)
  RETURNING b.*
$fn$;

-- The booking as cancelled (its cancellation fee charged, 0 when it has none), or no row when it is
-- already cancelled, not cancellable, past its deadline, or the current user cannot write its trip.
CREATE FUNCTION app.cancel_booking(p_booking_id uuid) RETURNS SETOF bookings
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  UPDATE bookings AS b
     SET status = 'cancelled', cancelled_at = now(), cancellation_fee_charged = coalesce(b.cancellation_fee, 0)
   WHERE b.id = p_booking_id AND b.status <> 'cancelled' AND b.cancellable
     AND (b.cancellation_deadline IS NULL OR b.cancellation_deadline > now())
     AND app.can_write_trip(b.trip_id)
  RETURNING b.*
$fn$;
REVOKE ALL ON FUNCTION app.confirm_booking(uuid, text), app.cancel_booking(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.confirm_booking(uuid, text), app.cancel_booking(uuid) TO travel_app;

-- ---------------------------------------------------------------------------------------------
-- idempotency_keys: the API deletes a key only once it has expired (to free it for a new request).
-- Deleting a live key would let a replayed POST create a second booking.
DROP POLICY idempotency_keys_self ON idempotency_keys;
CREATE POLICY idempotency_keys_read ON idempotency_keys FOR SELECT TO travel_app
  USING (user_id = app.current_user_id());
CREATE POLICY idempotency_keys_insert ON idempotency_keys FOR INSERT TO travel_app
  WITH CHECK (user_id = app.current_user_id());
CREATE POLICY idempotency_keys_delete_expired ON idempotency_keys FOR DELETE TO travel_app
  USING (user_id = app.current_user_id() AND expires_at <= now());

-- ---------------------------------------------------------------------------------------------
-- external_api_logs has no RLS (binary COPY, which RLS forbids, is how agents write it), so a
-- SELECT grant let any statement read every user's logged request and response bodies. The API
-- reads it only for the GDPR export, the current user's rows, through this function.
REVOKE SELECT ON external_api_logs FROM travel_app;
CREATE FUNCTION app.own_external_api_logs() RETURNS SETOF external_api_logs
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
  SELECT l.* FROM external_api_logs l WHERE l.user_id = app.current_user_id()
$fn$;
REVOKE ALL ON FUNCTION app.own_external_api_logs() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.own_external_api_logs() TO travel_app;

-- ---------------------------------------------------------------------------------------------
-- Sessions and profiles: only the columns the API writes. A session's hash, owner, family and
-- expiry are fixed once issued; only its revocation moves.
REVOKE INSERT, UPDATE ON refresh_sessions FROM travel_app;
GRANT INSERT (id, user_id, family_id, token_hash, expires_at) ON refresh_sessions TO travel_app;
GRANT UPDATE (revoked_at, revoked_reason, replaced_by) ON refresh_sessions TO travel_app;

REVOKE INSERT, UPDATE ON user_profiles FROM travel_app;
GRANT INSERT (user_id) ON user_profiles TO travel_app;
GRANT UPDATE (preferred_cabin_class, seat_preference, meal_preference, preferred_airlines, preferred_hotel_chains,
  loyalty_programs, notification_preferences, accessibility_requirements, dietary_restrictions, preferred_language,
  timezone, home_airport) ON user_profiles TO travel_app;

-- A trip's destinations are replaced (delete + insert) by PATCH /trips/{id}, never updated in place.
REVOKE UPDATE ON trip_destinations FROM travel_app;

-- ---------------------------------------------------------------------------------------------
-- Feeds: timestamps the database sets (a message's created_at, an event's received_at, ids) are
-- not the caller's to choose: a chosen created_at could put a row in the DEFAULT partition, which
-- then blocks creating that month's partition. Conversations are created active, and their title
-- never changes afterwards. Notifications and agent feedback are not written by the API (read-only
-- for the export).
REVOKE INSERT, UPDATE ON conversations FROM travel_app;
GRANT INSERT (user_id, trip_id, agent_type, title) ON conversations TO travel_app;
GRANT UPDATE (status, close_reason, closed_at, last_message_at) ON conversations TO travel_app;
REVOKE INSERT ON chat_messages FROM travel_app;
GRANT INSERT (conversation_id, user_id, role, content, agent_name, metadata, input_tokens, output_tokens)
  ON chat_messages TO travel_app;
REVOKE INSERT ON user_events FROM travel_app;
GRANT INSERT (user_id, event_type, category, data, session_id, device_type, occurred_at) ON user_events TO travel_app;
REVOKE INSERT ON external_api_logs FROM travel_app;
GRANT INSERT (user_id, provider, endpoint, method, status_code, duration_ms, request, response, error, created_at)
  ON external_api_logs TO travel_app;
REVOKE INSERT, UPDATE ON notifications FROM travel_app;
REVOKE INSERT ON agent_feedback FROM travel_app;

-- ---------------------------------------------------------------------------------------------
-- Search caches are the agents' (service endpoints, no app.user_id). A statement in a user's
-- request must not read or rewrite what agents will be served, so the caches get row-level
-- security with one policy for travel_app: service context only. hit_count/last_hit_at are the
-- fold's (travel_maintenance); the API records a hit by inserting it and never reads hits back.
ALTER TABLE flight_search_cache ENABLE ROW LEVEL SECURITY;
ALTER TABLE hotel_search_cache ENABLE ROW LEVEL SECURITY;
ALTER TABLE search_cache_hits ENABLE ROW LEVEL SECURITY;
CREATE POLICY flight_search_cache_service ON flight_search_cache TO travel_app
  USING (app.current_user_id() IS NULL) WITH CHECK (app.current_user_id() IS NULL);
CREATE POLICY hotel_search_cache_service ON hotel_search_cache TO travel_app
  USING (app.current_user_id() IS NULL) WITH CHECK (app.current_user_id() IS NULL);
CREATE POLICY search_cache_hits_service ON search_cache_hits TO travel_app
  USING (app.current_user_id() IS NULL) WITH CHECK (app.current_user_id() IS NULL);
CREATE POLICY flight_search_cache_maintenance ON flight_search_cache TO travel_maintenance USING (true) WITH CHECK (true);
CREATE POLICY hotel_search_cache_maintenance ON hotel_search_cache TO travel_maintenance USING (true) WITH CHECK (true);
CREATE POLICY search_cache_hits_maintenance ON search_cache_hits TO travel_maintenance USING (true) WITH CHECK (true);

REVOKE INSERT, UPDATE ON flight_search_cache, hotel_search_cache FROM travel_app;
GRANT INSERT (cache_key, params, results, created_at, expires_at) ON flight_search_cache, hotel_search_cache TO travel_app;
GRANT UPDATE (params, results, created_at, expires_at) ON flight_search_cache, hotel_search_cache TO travel_app;
REVOKE SELECT, INSERT ON search_cache_hits FROM travel_app;
GRANT INSERT (cache_kind, cache_key) ON search_cache_hits TO travel_app;
REVOKE SELECT ON search_cache_hit_totals FROM travel_app;

-- ---------------------------------------------------------------------------------------------
-- travel_maintenance (the timer jobs through the pooler) purges users, sessions and idempotency
-- keys, expires caches, folds hits, refreshes the report and keeps its ledgers. Partition work,
-- archive export and ANALYZE run as travel_owner on the direct connection, and a purged user's
-- rows go by FK cascade (run as the owner). So it never reads trips, bookings, profiles or any
-- feed, and reads users and refresh_sessions only to choose rows to purge: not password hashes,
-- emails, names or token hashes.
REVOKE SELECT ON users, refresh_sessions FROM travel_maintenance;
-- It deletes only soft-deleted accounts (the 30-day purge), never a live one with all its data.
DROP POLICY users_maintenance ON users;
CREATE POLICY users_maintenance_read ON users FOR SELECT TO travel_maintenance USING (true);
CREATE POLICY users_maintenance_purge ON users FOR DELETE TO travel_maintenance USING (deleted_at IS NOT NULL);
GRANT SELECT (id, status, deleted_at) ON users TO travel_maintenance;
GRANT SELECT (id, user_id, expires_at, revoked_at) ON refresh_sessions TO travel_maintenance;
REVOKE ALL ON user_profiles, trips, trip_destinations, trip_collaborators, bookings,
  conversations, chat_messages, user_events, external_api_logs, notifications, agent_feedback FROM travel_maintenance;
DROP POLICY user_profiles_maintenance ON user_profiles;
DROP POLICY trips_maintenance ON trips;
DROP POLICY trip_destinations_maintenance ON trip_destinations;
DROP POLICY trip_collaborators_maintenance ON trip_collaborators;
DROP POLICY bookings_maintenance ON bookings;
DROP POLICY conversations_maintenance ON conversations;
DROP POLICY chat_messages_maintenance ON chat_messages;
DROP POLICY user_events_maintenance ON user_events;
DROP POLICY notifications_maintenance ON notifications;
DROP POLICY agent_feedback_maintenance ON agent_feedback;
-- The archive ledger is written by the archiver as travel_owner on the direct connection. A role
-- that could write it could mark a partition archived and verified, and the next run would drop it.
REVOKE ALL ON maintenance.partition_archives FROM travel_maintenance;
REVOKE ALL ON SEQUENCE maintenance.partition_archives_id_seq FROM travel_maintenance;
