-- Notifications get their behaviour (seed 000, issue 14): created when a booking is confirmed or cancelled (a trigger),
-- when a cancellation deadline is 48 hours away and when a trip starts tomorrow (the NotificationReminders timer job),
-- for every member of the trip (owner and accepted collaborators). Each user's in-app inbox always gets them; the
-- delivery channels (email, sms, push) follow the user's notification preferences, and a delivery agent sends them.
-- Every notification is created through app.notify with a key recorded in notification_keys in the same transaction
-- (keys spell times as epoch seconds and dates as YYYY-MM-DD, never in a session's DateStyle or time zone):
-- a job that runs twice, or two runs that overlap, can never notify twice.

ALTER TABLE notifications
    ADD COLUMN trip_id          uuid,
    ADD COLUMN booking_id       uuid,
    ADD COLUMN priority         text NOT NULL DEFAULT 'normal' CHECK (priority IN ('low', 'normal', 'high', 'critical')),
    -- The channels chosen when it was created, those still waiting for the delivery agent, and what it reported per
    -- channel ({"email": {"status": "sent", "at": …}}). trip_id/booking_id are soft references: notifications live a
    -- month or two (their partitions are dropped), and a foreign key would make deleting a trip scan them all.
    ADD COLUMN channels         text[] NOT NULL DEFAULT '{}' CHECK (channels <@ ARRAY['email', 'sms', 'push']),
    ADD COLUMN pending_channels text[] NOT NULL DEFAULT '{}' CHECK (pending_channels <@ channels),
    ADD COLUMN deliveries       jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(deliveries) = 'object');
CREATE INDEX notifications_pending_idx ON notifications (created_at, id) WHERE pending_channels <> '{}';
-- The inbox marks notifications read (0012 took every write away while nothing used them); nothing else is written
-- by the API: creation is app.notify's, delivery state the delivery functions'.
GRANT UPDATE (read_at) ON notifications TO travel_app;

-- One row per notification ever created with a key: what makes creation exactly-once. Kept 90 days (far past any
-- window a key guards); the reminders job deletes older ones.
CREATE TABLE notification_keys (
    key         text PRIMARY KEY CHECK (length(key) BETWEEN 1 AND 200),
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_keys_user_idx ON notification_keys (user_id);
CREATE INDEX notification_keys_age_idx ON notification_keys (created_at);
ALTER TABLE notification_keys ENABLE ROW LEVEL SECURITY;
CREATE POLICY notification_keys_self ON notification_keys FOR SELECT TO travel_app USING (user_id = app.current_user_id());
GRANT SELECT ON notification_keys TO travel_app;

-- Where a user wants notifications delivered: the channels switched on in their profile (email and push by default),
-- sms only with a phone number. Nothing for an account that is not active.
CREATE FUNCTION app.notification_channels(p_user uuid) RETURNS text[]
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT coalesce(array_agg(c.channel ORDER BY c.n), '{}')
    FROM users u
    LEFT JOIN user_profiles p ON p.user_id = u.id
   CROSS JOIN LATERAL (VALUES (1, 'email'), (2, 'sms'), (3, 'push')) AS c (n, channel)
   WHERE u.id = p_user AND u.status = 'active'
     AND coalesce((coalesce(p.notification_preferences, '{"email": true, "sms": false, "push": true}') ->> c.channel)::boolean, false)
     AND (c.channel <> 'sms' OR u.phone IS NOT NULL)
$$;

-- Creates one notification unless its key was used before (then false). An account that is not active gets none, but
-- the key is still recorded, so the sweeps move past it instead of finding it due again at every call.
CREATE FUNCTION app.notify(p_user uuid, p_kind text, p_priority text, p_title text, p_body text, p_data jsonb,
                           p_trip uuid, p_booking uuid, p_key text) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  chosen text[];
BEGIN
  INSERT INTO notification_keys (key, user_id) VALUES (p_key, p_user) ON CONFLICT (key) DO NOTHING;
  IF NOT FOUND THEN
    RETURN false;
  END IF;
  IF NOT EXISTS (SELECT 1 FROM users WHERE id = p_user AND status = 'active') THEN
    RETURN false;
  END IF;
  chosen := app.notification_channels(p_user);
  INSERT INTO notifications (user_id, kind, priority, title, body, data, trip_id, booking_id, channels, pending_channels)
  VALUES (p_user, p_kind, p_priority, p_title, p_body, p_data, p_trip, p_booking, chosen, chosen);
  RETURN true;
END $$;

-- The people a trip's notifications go to.
CREATE FUNCTION app.trip_member_ids(p_trip uuid) RETURNS SETOF uuid
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT owner_id FROM trips WHERE id = p_trip
  UNION
  SELECT user_id FROM trip_collaborators WHERE trip_id = p_trip AND status = 'accepted'
$$;

-- A booking confirmed or cancelled: its trip's members hear of it, once per booking and status.
CREATE FUNCTION app.bookings_notify_status() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  trip_title text;
  member uuid;
  what text := replace(NEW.booking_type, '_', ' ');
BEGIN
  SELECT title INTO trip_title FROM trips WHERE id = NEW.trip_id;
  FOR member IN SELECT app.trip_member_ids(NEW.trip_id) LOOP
    PERFORM app.notify(member, 'booking.' || NEW.status, CASE WHEN NEW.status = 'cancelled' THEN 'high' ELSE 'normal' END,
      CASE WHEN NEW.status = 'confirmed' THEN 'Booking confirmed' ELSE 'Booking cancelled' END,
      format('Your %s booking %s for "%s" is %s.', what, NEW.confirmation_code, trip_title, NEW.status),
      jsonb_build_object('tripId', NEW.trip_id, 'bookingId', NEW.id, 'confirmationCode', NEW.confirmation_code,
                         'bookingType', NEW.booking_type, 'status', NEW.status),
      NEW.trip_id, NEW.id, format('booking.%s:%s:%s', NEW.status, NEW.id, member));
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER bookings_notify_status AFTER UPDATE OF status ON bookings
  FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.status IN ('confirmed', 'cancelled'))
  EXECUTE FUNCTION app.bookings_notify_status();

-- The reminders job's two sweeps (travel_maintenance may call these and nothing else here). Each notifies what is due
-- at p_now, at most p_limit bookings or trips per call (the job calls again until a call finds nothing new), and
-- returns how many notifications it created.
CREATE INDEX bookings_deadline_idx ON bookings (cancellation_deadline) WHERE cancellable AND status <> 'cancelled';
CREATE FUNCTION app.remind_cancellation_deadlines(p_now timestamptz, p_within interval, p_limit integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  b record;
  member uuid;
  created integer := 0;
BEGIN
  FOR b IN
    SELECT k.id, k.trip_id, k.booking_type, k.confirmation_code, k.cancellation_deadline, k.cancellation_fee, t.title
      FROM bookings k JOIN trips t ON t.id = k.trip_id
     WHERE k.cancellable AND k.status <> 'cancelled'
       AND k.cancellation_deadline > p_now AND k.cancellation_deadline <= p_now + p_within
       -- Not those whose members were all reminded already: each call moves on to new work.
       AND EXISTS (SELECT 1 FROM app.trip_member_ids(k.trip_id) AS m (id)
                    WHERE NOT EXISTS (SELECT 1 FROM notification_keys n
                                       WHERE n.key = format('booking.deadline:%s:%s:%s', k.id, extract(epoch FROM k.cancellation_deadline)::bigint, m.id)))
     ORDER BY k.cancellation_deadline, k.id
     LIMIT p_limit
  LOOP
    FOR member IN SELECT app.trip_member_ids(b.trip_id) LOOP
      IF app.notify(member, 'booking.cancellation_deadline', 'high', 'Free cancellation ends soon',
           format('Your %s booking %s for "%s" can be cancelled until %s UTC%s.', replace(b.booking_type, '_', ' '),
                  b.confirmation_code, b.title, to_char(b.cancellation_deadline AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI'),
                  CASE WHEN coalesce(b.cancellation_fee, 0) > 0 THEN format(' (fee %s)', b.cancellation_fee) ELSE '' END),
           jsonb_build_object('tripId', b.trip_id, 'bookingId', b.id, 'confirmationCode', b.confirmation_code,
                              'cancellationDeadline', b.cancellation_deadline),
           b.trip_id, b.id, format('booking.deadline:%s:%s:%s', b.id, extract(epoch FROM b.cancellation_deadline)::bigint, member)) THEN
        created := created + 1;
      END IF;
    END LOOP;
  END LOOP;
  RETURN created;
END $$;

-- "Tomorrow" is each member's own: the day after today in the time zone of their profile (UTC without one).
CREATE INDEX trips_start_date_idx ON trips (start_date) WHERE status NOT IN ('cancelled', 'completed');
CREATE FUNCTION app.remind_trip_starts(p_now timestamptz, p_limit integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  due record;
  created integer := 0;
BEGIN
  FOR due IN
    SELECT t.id, t.title, t.start_date, m.id AS member
      FROM trips t
     CROSS JOIN LATERAL app.trip_member_ids(t.id) AS m (id)
      LEFT JOIN user_profiles p ON p.user_id = m.id
      LEFT JOIN pg_timezone_names z ON z.name = p.timezone
     WHERE t.status NOT IN ('cancelled', 'completed')
       -- Every zone's tomorrow lies within a day of UTC's.
       AND t.start_date BETWEEN (p_now AT TIME ZONE 'UTC')::date AND (p_now AT TIME ZONE 'UTC')::date + 2
       AND t.start_date = (p_now AT TIME ZONE coalesce(z.name, 'UTC'))::date + 1
       AND NOT EXISTS (SELECT 1 FROM notification_keys n WHERE n.key = format('trip.starts:%s:%s:%s', t.id, to_char(t.start_date, 'YYYY-MM-DD'), m.id))
     ORDER BY t.start_date, t.id, m.id
     LIMIT p_limit
  LOOP
    IF app.notify(due.member, 'trip.starts_tomorrow', 'normal', 'Your trip starts tomorrow',
         format('"%s" starts tomorrow, %s.', due.title, to_char(due.start_date, 'YYYY-MM-DD')),
         jsonb_build_object('tripId', due.id, 'startDate', due.start_date),
         due.id, NULL, format('trip.starts:%s:%s:%s', due.id, to_char(due.start_date, 'YYYY-MM-DD'), due.member)) THEN
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END $$;

-- Keys older than p_age guard nothing any more (every window they guard is hours to days). Aged by the database's
-- clock, the one that stamped them.
CREATE FUNCTION app.forget_notification_keys(p_age interval, p_limit integer) RETURNS integer
LANGUAGE sql SECURITY DEFINER SET search_path = public, pg_temp AS $$
  WITH gone AS (
    DELETE FROM notification_keys WHERE key IN (
      SELECT key FROM notification_keys WHERE created_at < now() - p_age ORDER BY created_at LIMIT p_limit)
    RETURNING 1)
  SELECT count(*)::integer FROM gone
$$;

-- The delivery agent's two calls (service context: agents with agents:notifications; the API checks the scope).
-- Oldest first; the user's address for the channel comes with each.
CREATE FUNCTION app.pending_notification_deliveries(p_channel text, p_limit integer)
RETURNS TABLE (id uuid, created_at timestamptz, user_id uuid, email text, phone text, first_name text, kind text,
               priority text, title text, body text, data jsonb)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT n.id, n.created_at, n.user_id, u.email, u.phone, u.first_name, n.kind, n.priority, n.title, n.body, n.data
    FROM notifications n JOIN users u ON u.id = n.user_id
   WHERE n.pending_channels <> '{}' AND p_channel = ANY (n.pending_channels) AND u.status = 'active'
   ORDER BY n.created_at, n.id
   LIMIT p_limit
$$;

-- Records what the agent reported for one channel: 'sent' or 'failed' (with its error). Returns the channel's
-- status after the call, or NULL when the notification does not exist or was never for that channel. Reporting
-- the status already recorded again changes nothing.
CREATE FUNCTION app.record_notification_delivery(p_id uuid, p_channel text, p_status text, p_error text)
RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  current text;
BEGIN
  SELECT CASE WHEN p_channel = ANY (n.pending_channels) THEN 'pending' ELSE n.deliveries -> p_channel ->> 'status' END
    INTO current
    FROM notifications n WHERE n.id = p_id AND p_channel = ANY (n.channels)
    FOR UPDATE;
  IF current IS NULL OR current <> 'pending' THEN
    RETURN current;
  END IF;
  UPDATE notifications
     SET pending_channels = array_remove(pending_channels, p_channel),
         deliveries = deliveries || jsonb_build_object(p_channel,
                        jsonb_strip_nulls(jsonb_build_object('status', p_status, 'at', now(), 'error', p_error)))
   WHERE id = p_id;
  RETURN p_status;
END $$;

REVOKE ALL ON FUNCTION app.notification_channels(uuid), app.notify(uuid, text, text, text, text, jsonb, uuid, uuid, text),
  app.trip_member_ids(uuid), app.remind_cancellation_deadlines(timestamptz, interval, integer),
  app.remind_trip_starts(timestamptz, integer), app.forget_notification_keys(interval, integer),
  app.pending_notification_deliveries(text, integer), app.record_notification_delivery(uuid, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.remind_cancellation_deadlines(timestamptz, interval, integer),
  app.remind_trip_starts(timestamptz, integer), app.forget_notification_keys(interval, integer) TO travel_maintenance;
GRANT EXECUTE ON FUNCTION app.pending_notification_deliveries(text, integer),
  app.record_notification_delivery(uuid, text, text, text) TO travel_app;

-- Delivery agents.
ALTER TABLE agent_clients DROP CONSTRAINT agent_clients_scopes_check;
ALTER TABLE agent_clients ADD CONSTRAINT agent_clients_scopes_check CHECK (cardinality(scopes) >= 1
  AND scopes <@ ARRAY['agents:logs', 'agents:search-cache', 'agents:chat', 'agents:catalog', 'agents:provider-keys',
                      'agents:exchange-rates', 'agents:notifications']::text[]);
