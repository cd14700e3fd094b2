-- Read-only share links (seed 004, issue 14): a trip's owner creates a link with a random token and can revoke it;
-- anyone holding the token reads the trip and its selected itinerary, without logging in and without any personal
-- data of the people on the trip. Only the token's SHA-256 is stored: the database never holds a working link.

CREATE TABLE trip_share_links (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    trip_id     uuid NOT NULL REFERENCES trips (id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    label       text CHECK (length(label) BETWEEN 1 AND 100),
    created_by  uuid REFERENCES users (id) ON DELETE SET NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
CREATE INDEX trip_share_links_trip_idx ON trip_share_links (trip_id, created_at DESC, id DESC);

ALTER TABLE trip_share_links ENABLE ROW LEVEL SECURITY;
CREATE POLICY trip_share_links_owner ON trip_share_links TO travel_app
  USING (app.is_trip_owner(trip_id)) WITH CHECK (app.is_trip_owner(trip_id) AND created_by = app.current_user_id());
GRANT SELECT, INSERT (trip_id, token_hash, label, created_by), UPDATE (revoked_at) ON trip_share_links TO travel_app;

-- What a share link shows: the trip's plan, never who is on it (no names, emails, ids of people, collaborators,
-- bookings, budget or spending), and items without their booking or the travellers' own ratings. NULL when the token
-- names no live link.
CREATE FUNCTION app.shared_trip(p_token_hash bytea) RETURNS jsonb
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT jsonb_build_object(
           'title', t.title, 'description', t.description, 'tripType', t.trip_type, 'status', t.status,
           'startDate', t.start_date, 'endDate', t.end_date, 'travelerCount', t.traveler_count,
           'destinations', coalesce((SELECT jsonb_agg(jsonb_build_object('city', d.city, 'country', d.country,
                                                                         'arrivalDate', d.arrival_date, 'departureDate', d.departure_date)
                                                      ORDER BY d.position)
                                       FROM trip_destinations d WHERE d.trip_id = t.id), '[]'),
           'itinerary', (SELECT jsonb_build_object(
                             'title', v.title, 'generatedBy', v.generated_by, 'modelVersion', v.model_version,
                             'days', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                         'dayNumber', dy.day_number, 'date', dy.date, 'city', dy.city, 'title', dy.title,
                                         'items', coalesce((SELECT jsonb_agg(jsonb_build_object(
                                                     'position', i.position, 'type', i.item_type, 'title', i.title,
                                                     'description', i.description, 'startTime', to_char(i.start_time, 'HH24:MI'),
                                                     'endTime', to_char(i.end_time, 'HH24:MI'), 'durationMinutes', i.duration_minutes,
                                                     'costPerPerson', i.cost_per_person, 'currency', i.currency,
                                                     'bookingRequired', i.booking_required, 'status', i.status,
                                                     'attraction', (SELECT jsonb_build_object('id', a.id, 'name', a.name)
                                                                      FROM attractions a WHERE a.id = i.attraction_id))
                                                   ORDER BY i.position)
                                              FROM itinerary_items i WHERE i.day_id = dy.id), '[]'))
                                       ORDER BY dy.day_number)
                                  FROM itinerary_days dy WHERE dy.version_id = v.id), '[]'))
                           FROM itinerary_versions v WHERE v.trip_id = t.id AND v.is_selected))
    FROM trip_share_links l JOIN trips t ON t.id = l.trip_id
   WHERE l.token_hash = p_token_hash AND l.revoked_at IS NULL
$$;
REVOKE ALL ON FUNCTION app.shared_trip(bytea) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.shared_trip(bytea) TO travel_app;
