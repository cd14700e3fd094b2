-- 0018: itineraries (issue 14, first section) and itinerary items pointing at catalog attractions (issue 15).
-- A trip has itinerary versions (an agent may propose several); exactly one is selected at a time. A version has days
-- (a date inside the trip) and each day ordered items, positioned 1..n with no gap and no duplicate. Every rule the
-- API checks is also a constraint or a trigger here. docs/itineraries.md describes the API over these tables.

-- ---------------------------------------------------------------------------------------------
-- Versions. number counts a trip's versions (1, 2, ...); revision is the ETag: the triggers below bump it once per
-- transaction that changes the version's days or items, so an If-Match taken before any change no longer matches.
CREATE TABLE itinerary_versions (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    trip_id        uuid NOT NULL REFERENCES trips ON DELETE CASCADE,
    number         integer NOT NULL CHECK (number >= 1),
    title          text CHECK (length(title) BETWEEN 1 AND 200),
    generated_by   text NOT NULL CHECK (generated_by IN ('ai', 'manual', 'hybrid')),
    model_version  text CHECK (length(model_version) BETWEEN 1 AND 100),
    is_selected    boolean NOT NULL DEFAULT false,
    revision       integer NOT NULL DEFAULT 1,
    -- The transaction that last bumped revision: one bump per transaction, however many rows it changed.
    revised_in     xid8,
    -- The collaborator who made it may be purged later; the version stays with the trip.
    created_by     uuid REFERENCES users ON DELETE SET NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (trip_id, number),
    UNIQUE (id, trip_id),
    -- An AI model version only says something about a version an AI had a hand in.
    CHECK (model_version IS NULL OR generated_by <> 'manual')
);
-- At most one selected version per trip (at least one: the deferred trigger below). Also the trip's versions, newest
-- first, for the keyset list.
CREATE UNIQUE INDEX itinerary_versions_selected_uq ON itinerary_versions (trip_id) WHERE is_selected;
CREATE INDEX itinerary_versions_page_idx ON itinerary_versions (trip_id, created_at DESC, id DESC);
CREATE TRIGGER itinerary_versions_touch BEFORE UPDATE ON itinerary_versions FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

-- At least one selected: when a transaction ends, a trip that has versions has exactly one selected (with the unique
-- index). Deferred, so selecting another version (unselect one, select the other) is free to pass through zero, and
-- deleting the selected version is refused unless another is selected in the same transaction (or none is left).
CREATE FUNCTION app.itinerary_versions_one_selected() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  v_trip uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.trip_id ELSE NEW.trip_id END;
BEGIN
  IF EXISTS (SELECT 1 FROM itinerary_versions WHERE trip_id = v_trip)
     AND NOT EXISTS (SELECT 1 FROM itinerary_versions WHERE trip_id = v_trip AND is_selected) THEN
    RAISE EXCEPTION 'trip % has itinerary versions but none selected', v_trip
      USING ERRCODE = 'check_violation', CONSTRAINT = 'itinerary_versions_one_selected';
  END IF;
  RETURN NULL;
END $fn$;
CREATE CONSTRAINT TRIGGER itinerary_versions_one_selected AFTER INSERT OR UPDATE OF is_selected OR DELETE ON itinerary_versions
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION app.itinerary_versions_one_selected();

-- ---------------------------------------------------------------------------------------------
-- Days. trip_id is carried (and pinned to the version's trip by the composite key) for the date rule and for RLS.
CREATE TABLE itinerary_days (
    id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    version_id  uuid NOT NULL,
    trip_id     uuid NOT NULL,
    day_number  smallint NOT NULL CHECK (day_number BETWEEN 1 AND 366),
    date        date NOT NULL,
    city        text CHECK (length(city) BETWEEN 1 AND 100),
    title       text CHECK (length(title) BETWEEN 1 AND 200),
    created_at  timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (version_id, trip_id) REFERENCES itinerary_versions (id, trip_id) ON DELETE CASCADE,
    UNIQUE (version_id, day_number),
    UNIQUE (version_id, date),
    UNIQUE (id, version_id)
);
CREATE INDEX itinerary_days_trip_date_idx ON itinerary_days (trip_id, date);

-- A day's date lies inside its trip's dates. The trip row is share-locked, so a concurrent change of the trip's dates
-- waits for this transaction (and then sees the day: the trigger on trips below refuses to strand it).
CREATE FUNCTION app.itinerary_days_inside_trip() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  v_start date;
  v_end date;
BEGIN
  SELECT start_date, end_date INTO v_start, v_end FROM trips WHERE id = NEW.trip_id FOR SHARE;
  IF NEW.date < v_start OR NEW.date > v_end THEN
    RAISE EXCEPTION 'itinerary day % is outside trip % (% to %)', NEW.date, NEW.trip_id, v_start, v_end
      USING ERRCODE = 'check_violation', CONSTRAINT = 'itinerary_days_inside_trip';
  END IF;
  RETURN NEW;
END $fn$;
CREATE TRIGGER itinerary_days_inside_trip BEFORE INSERT OR UPDATE OF date, trip_id ON itinerary_days
  FOR EACH ROW EXECUTE FUNCTION app.itinerary_days_inside_trip();

-- The trip's dates cannot move away from its itinerary days: PATCH /trips/{id} answers 409 first (TripStore), this is
-- the database's own refusal. Days are not moved or dropped silently.
CREATE FUNCTION app.trips_keep_itinerary_days() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
  IF EXISTS (SELECT 1 FROM itinerary_days d
              WHERE d.trip_id = NEW.id AND (d.date < NEW.start_date OR d.date > NEW.end_date)) THEN
    RAISE EXCEPTION 'trip % has itinerary days outside % to %', NEW.id, NEW.start_date, NEW.end_date
      USING ERRCODE = 'check_violation', CONSTRAINT = 'itinerary_days_inside_trip';
  END IF;
  RETURN NEW;
END $fn$;
CREATE TRIGGER trips_keep_itinerary_days BEFORE UPDATE OF start_date, end_date ON trips
  FOR EACH ROW WHEN (NEW.start_date > OLD.start_date OR NEW.end_date < OLD.end_date)
  EXECUTE FUNCTION app.trips_keep_itinerary_days();

-- ---------------------------------------------------------------------------------------------
-- Items. version_id and trip_id are carried and pinned by composite keys: an item's day is of its version, its
-- version of its trip, its booking of that same trip, and the item it was delayed to of that same version.
-- bookings gets the (id, trip_id) key the composite foreign key needs (id alone is already unique).
ALTER TABLE bookings ADD CONSTRAINT bookings_id_trip_key UNIQUE (id, trip_id);

CREATE TABLE itinerary_items (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    day_id              uuid NOT NULL,
    version_id          uuid NOT NULL,
    trip_id             uuid NOT NULL,
    position            smallint NOT NULL CHECK (position BETWEEN 1 AND 100),
    item_type           text NOT NULL CHECK (item_type IN ('attraction', 'meal', 'transport', 'accommodation', 'free_time', 'other')),
    title               text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description         text CHECK (length(description) <= 4000),
    start_time          time,
    end_time            time,
    duration_minutes    integer CHECK (duration_minutes BETWEEN 1 AND 1440),
    cost_per_person     numeric(12,2) CHECK (cost_per_person >= 0),
    currency            text CHECK (currency ~ '^[A-Z]{3}$'),
    booking_required    boolean NOT NULL DEFAULT false,
    booking_id          uuid,
    -- A catalog attraction (0013); deleting it from the catalog clears the pointer and keeps the item (its title stays).
    attraction_id       uuid REFERENCES attractions ON DELETE SET NULL,
    status              text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'completed', 'skipped', 'delayed')),
    -- A delayed item points at the copy made in the target day (cleared if that copy is removed; the status stays).
    delayed_to_item_id  uuid,
    ai_reason           text CHECK (length(ai_reason) <= 2000),
    ai_confidence       numeric(3,2) CHECK (ai_confidence BETWEEN 0 AND 1),
    user_rating         smallint CHECK (user_rating BETWEEN 1 AND 5),
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (day_id, version_id) REFERENCES itinerary_days (id, version_id) ON DELETE CASCADE,
    FOREIGN KEY (version_id, trip_id) REFERENCES itinerary_versions (id, trip_id) ON DELETE CASCADE,
    CONSTRAINT itinerary_items_booking_same_trip FOREIGN KEY (booking_id, trip_id)
      REFERENCES bookings (id, trip_id) ON DELETE SET NULL (booking_id),
    UNIQUE (id, version_id),
    CONSTRAINT itinerary_items_delayed_to_fkey FOREIGN KEY (delayed_to_item_id, version_id)
      REFERENCES itinerary_items (id, version_id) ON DELETE SET NULL (delayed_to_item_id),
    -- Deferrable: a reorder renumbers a day in one statement, checked once at its end.
    CONSTRAINT itinerary_items_day_position_key UNIQUE (day_id, position) DEFERRABLE INITIALLY IMMEDIATE,
    CHECK ((cost_per_person IS NULL) = (currency IS NULL)),
    CHECK (end_time IS NULL OR start_time IS NULL OR end_time >= start_time),
    CHECK (attraction_id IS NULL OR item_type = 'attraction'),
    CHECK (delayed_to_item_id IS NULL OR status = 'delayed'),
    CHECK (delayed_to_item_id IS DISTINCT FROM id)
);
CREATE INDEX itinerary_items_version_idx ON itinerary_items (version_id);
CREATE INDEX itinerary_items_attraction_idx ON itinerary_items (attraction_id) WHERE attraction_id IS NOT NULL;
CREATE INDEX itinerary_items_booking_idx ON itinerary_items (booking_id, trip_id) WHERE booking_id IS NOT NULL;
CREATE INDEX itinerary_items_delayed_to_idx ON itinerary_items (delayed_to_item_id, version_id) WHERE delayed_to_item_id IS NOT NULL;
CREATE TRIGGER itinerary_items_touch BEFORE UPDATE ON itinerary_items FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

-- Dense positions: when a transaction ends, every day it touched holds positions 1..n (n its item count). With the
-- unique (day_id, position) this rules out gaps and duplicates whatever statements ran, not only the API's.
CREATE FUNCTION app.itinerary_items_dense() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  v_day uuid;
  v_count integer;
  v_max integer;
BEGIN
  FOREACH v_day IN ARRAY ARRAY[CASE WHEN TG_OP <> 'DELETE' THEN NEW.day_id END, CASE WHEN TG_OP <> 'INSERT' THEN OLD.day_id END] LOOP
    CONTINUE WHEN v_day IS NULL;
    SELECT count(*), coalesce(max(position), 0) INTO v_count, v_max FROM itinerary_items WHERE day_id = v_day;
    IF v_count <> v_max THEN
      RAISE EXCEPTION 'itinerary day % has % items but positions up to %', v_day, v_count, v_max
        USING ERRCODE = 'check_violation', CONSTRAINT = 'itinerary_items_dense_positions';
    END IF;
  END LOOP;
  RETURN NULL;
END $fn$;
CREATE CONSTRAINT TRIGGER itinerary_items_dense AFTER INSERT OR UPDATE OF day_id, position OR DELETE ON itinerary_items
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION app.itinerary_items_dense();

-- The version's revision moves with every change to its days or items, once per transaction (revised_in).
CREATE FUNCTION app.itinerary_revise() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  v_version uuid;
BEGIN
  FOREACH v_version IN ARRAY ARRAY[CASE WHEN TG_OP <> 'DELETE' THEN NEW.version_id END, CASE WHEN TG_OP <> 'INSERT' THEN OLD.version_id END] LOOP
    CONTINUE WHEN v_version IS NULL;
    UPDATE itinerary_versions SET revision = revision + 1, revised_in = pg_current_xact_id()
     WHERE id = v_version AND revised_in IS DISTINCT FROM pg_current_xact_id();
  END LOOP;
  RETURN NULL;
END $fn$;
CREATE TRIGGER itinerary_days_revise AFTER INSERT OR UPDATE OR DELETE ON itinerary_days
  FOR EACH ROW EXECUTE FUNCTION app.itinerary_revise();
CREATE TRIGGER itinerary_items_revise AFTER INSERT OR UPDATE OR DELETE ON itinerary_items
  FOR EACH ROW EXECUTE FUNCTION app.itinerary_revise();

-- ---------------------------------------------------------------------------------------------
-- Booking links to itinerary items become real (0013 kept them by id, unchecked, until this table existed). Links
-- naming no item are cached provider data that cannot be reached from anything: they go, then the foreign key holds.
DELETE FROM booking_links l
 WHERE l.itinerary_item_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM itinerary_items i WHERE i.id = l.itinerary_item_id);
ALTER TABLE booking_links ADD CONSTRAINT booking_links_itinerary_item_fkey FOREIGN KEY (itinerary_item_id)
  REFERENCES itinerary_items ON DELETE CASCADE;
CREATE INDEX booking_links_itinerary_item_idx ON booking_links (itinerary_item_id) WHERE itinerary_item_id IS NOT NULL;
-- An item's links name its trip as a trip's links do: a user's request sees them only for items it may read (the
-- subquery runs under itinerary_items' own policy). Writes stay service-only.
DROP POLICY booking_links_service ON booking_links;
CREATE POLICY booking_links_service ON booking_links TO travel_app
  USING (app.current_user_id() IS NULL
         OR (trip_id IS NULL AND itinerary_item_id IS NULL)
         OR (trip_id IS NOT NULL AND app.can_read_trip(trip_id))
         OR (itinerary_item_id IS NOT NULL AND EXISTS (SELECT 1 FROM itinerary_items i WHERE i.id = booking_links.itinerary_item_id)))
  WITH CHECK (app.current_user_id() IS NULL);

-- ---------------------------------------------------------------------------------------------
-- Privileges: the columns the API writes, nothing derived (revision, revised_in, timestamps, trip_id on update).
GRANT SELECT ON itinerary_versions, itinerary_days, itinerary_items TO travel_app;
GRANT INSERT (id, trip_id, number, title, generated_by, model_version, is_selected, created_by) ON itinerary_versions TO travel_app;
-- Selecting a version is the one update of a version row (and what its row lock needs).
GRANT UPDATE (is_selected) ON itinerary_versions TO travel_app;
-- A version is deleted whole (its days and items go by cascade, run as the owner).
GRANT DELETE ON itinerary_versions TO travel_app;
GRANT INSERT (id, version_id, trip_id, day_number, date, city, title) ON itinerary_days TO travel_app;
GRANT INSERT (id, day_id, version_id, trip_id, position, item_type, title, description, start_time, end_time, duration_minutes,
  cost_per_person, currency, booking_required, booking_id, attraction_id, status, delayed_to_item_id, ai_reason, ai_confidence,
  user_rating) ON itinerary_items TO travel_app;
GRANT UPDATE (day_id, position, item_type, title, description, start_time, end_time, duration_minutes, cost_per_person, currency,
  booking_required, booking_id, attraction_id, status, delayed_to_item_id, ai_reason, ai_confidence, user_rating)
  ON itinerary_items TO travel_app;
GRANT DELETE ON itinerary_items TO travel_app;

-- Row-level security: readers of the trip read, its writers (owner, editors) write, as for the trip's destinations.
ALTER TABLE itinerary_versions ENABLE ROW LEVEL SECURITY;
CREATE POLICY itinerary_versions_read ON itinerary_versions FOR SELECT TO travel_app USING (app.can_read_trip(trip_id));
CREATE POLICY itinerary_versions_insert ON itinerary_versions FOR INSERT TO travel_app
  WITH CHECK (app.can_write_trip(trip_id) AND created_by = app.current_user_id());
CREATE POLICY itinerary_versions_update ON itinerary_versions FOR UPDATE TO travel_app
  USING (app.can_write_trip(trip_id)) WITH CHECK (app.can_write_trip(trip_id));
CREATE POLICY itinerary_versions_delete ON itinerary_versions FOR DELETE TO travel_app USING (app.can_write_trip(trip_id));

ALTER TABLE itinerary_days ENABLE ROW LEVEL SECURITY;
CREATE POLICY itinerary_days_read ON itinerary_days FOR SELECT TO travel_app USING (app.can_read_trip(trip_id));
CREATE POLICY itinerary_days_insert ON itinerary_days FOR INSERT TO travel_app WITH CHECK (app.can_write_trip(trip_id));

ALTER TABLE itinerary_items ENABLE ROW LEVEL SECURITY;
CREATE POLICY itinerary_items_read ON itinerary_items FOR SELECT TO travel_app USING (app.can_read_trip(trip_id));
CREATE POLICY itinerary_items_write ON itinerary_items FOR ALL TO travel_app
  USING (app.can_write_trip(trip_id)) WITH CHECK (app.can_write_trip(trip_id));
