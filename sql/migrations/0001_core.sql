-- Core platform tables: users, profiles, refresh sessions, trips (+ destinations, collaborators),
-- bookings and their idempotency keys. Runs as travel_owner, which owns every object.
-- travel_app (the API) and travel_maintenance (timer jobs) are granted only what they use.

-- Roles are cluster-wide and created by DevOps (Neon console) or scripts/stack.sh locally;
-- fail early with a clear message rather than half-granting.
DO $$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'travel_app')
     OR NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'travel_maintenance') THEN
    RAISE EXCEPTION 'roles travel_app and travel_maintenance must exist before migrating (see docs/deploy.md)';
  END IF;
END $$;

CREATE SCHEMA IF NOT EXISTS app;
GRANT USAGE ON SCHEMA app TO travel_app, travel_maintenance;
GRANT USAGE ON SCHEMA public TO travel_app, travel_maintenance;

-- updated_at is kept by the database so no code path can forget it.
CREATE FUNCTION app.touch_updated_at() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  RETURN NEW;
END $$;

CREATE TABLE users (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email               text NOT NULL CHECK (length(email) BETWEEN 3 AND 254 AND position('@' IN email) > 1),
    password_hash       text NOT NULL,
    first_name          text NOT NULL CHECK (length(first_name) BETWEEN 1 AND 100),
    last_name           text NOT NULL CHECK (length(last_name) BETWEEN 1 AND 100),
    phone               text CHECK (phone ~ '^\+?[0-9 ()-]{5,25}$'),
    email_verified      boolean NOT NULL DEFAULT false,
    status              text NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'deleted')),
    failed_login_count  integer NOT NULL DEFAULT 0 CHECK (failed_login_count >= 0),
    locked_until        timestamptz,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    last_login_at       timestamptz,
    deleted_at          timestamptz,
    CHECK ((status = 'deleted') = (deleted_at IS NOT NULL))
);
-- One live account per address, case-insensitively; a deleted (anonymized) account frees it.
CREATE UNIQUE INDEX users_email_live_uq ON users (lower(email)) WHERE deleted_at IS NULL;
CREATE INDEX users_deleted_at_idx ON users (deleted_at) WHERE deleted_at IS NOT NULL;
CREATE TRIGGER users_touch BEFORE UPDATE ON users FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

CREATE TABLE user_profiles (
    user_id                   uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    preferred_cabin_class     text CHECK (preferred_cabin_class IN ('economy', 'premium_economy', 'business', 'first')),
    seat_preference           text CHECK (seat_preference IN ('window', 'aisle', 'no_preference')),
    meal_preference           text CHECK (meal_preference IN ('standard', 'vegetarian', 'vegan', 'kosher', 'halal', 'gluten_free', 'no_preference')),
    preferred_airlines        jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(preferred_airlines) = 'array'),
    preferred_hotel_chains    jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(preferred_hotel_chains) = 'array'),
    loyalty_programs          jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(loyalty_programs) = 'array'),
    notification_preferences  jsonb NOT NULL DEFAULT '{"email": true, "sms": false, "push": true}' CHECK (jsonb_typeof(notification_preferences) = 'object'),
    accessibility_requirements jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(accessibility_requirements) = 'array'),
    dietary_restrictions      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_typeof(dietary_restrictions) = 'array'),
    preferred_language        text NOT NULL DEFAULT 'en' CHECK (preferred_language ~ '^[a-z]{2}(-[A-Z]{2})?$'),
    timezone                  text NOT NULL DEFAULT 'UTC' CHECK (length(timezone) BETWEEN 1 AND 64),
    home_airport              text CHECK (home_airport ~ '^[A-Z]{3}$'),
    created_at                timestamptz NOT NULL DEFAULT now(),
    updated_at                timestamptz NOT NULL DEFAULT now()
);
CREATE TRIGGER user_profiles_touch BEFORE UPDATE ON user_profiles FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

-- Refresh tokens: only a SHA-256 of the token is stored. family_id links every rotation of one login,
-- so reuse of a revoked token can revoke the whole family.
CREATE TABLE refresh_sessions (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_id      uuid NOT NULL,
    token_hash     bytea NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at     timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,
    revoked_at     timestamptz,
    revoked_reason text CHECK (revoked_reason IN ('rotated', 'reuse_detected', 'logout', 'account_deleted')),
    replaced_by    uuid REFERENCES refresh_sessions (id) ON DELETE SET NULL,
    CHECK (expires_at > created_at)
);
CREATE INDEX refresh_sessions_user_idx ON refresh_sessions (user_id);
CREATE INDEX refresh_sessions_family_idx ON refresh_sessions (family_id);
CREATE INDEX refresh_sessions_expiry_idx ON refresh_sessions (expires_at);

CREATE TABLE trips (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title           text NOT NULL CHECK (length(title) BETWEEN 1 AND 200),
    description     text CHECK (length(description) <= 4000),
    trip_type       text NOT NULL CHECK (trip_type IN ('leisure', 'business', 'family', 'adventure', 'solo')),
    status          text NOT NULL DEFAULT 'planning' CHECK (status IN ('planning', 'booked', 'in_progress', 'completed', 'cancelled')),
    start_date      date NOT NULL,
    end_date        date NOT NULL,
    origin_city     text CHECK (length(origin_city) BETWEEN 1 AND 100),
    origin_country  text CHECK (origin_country ~ '^[A-Z]{2}$'),
    -- All money on a trip is in one currency: set by the budget or by the first booking.
    currency        text CHECK (currency ~ '^[A-Z]{3}$'),
    budget_amount   numeric(12,2) CHECK (budget_amount >= 0),
    -- Sum of the trip's non-cancelled bookings, kept by the trigger on bookings (never by app code).
    spent_amount    numeric(12,2) NOT NULL DEFAULT 0 CHECK (spent_amount >= 0),
    traveler_count  integer NOT NULL DEFAULT 1 CHECK (traveler_count BETWEEN 1 AND 50),
    -- Optimistic concurrency: the ETag is derived from it; every update bumps it.
    version         integer NOT NULL DEFAULT 1,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CHECK (end_date >= start_date),
    CHECK (budget_amount IS NULL OR currency IS NOT NULL)
);
-- Keyset pagination order for "my trips": (start_date desc, id desc).
CREATE INDEX trips_owner_page_idx ON trips (owner_id, start_date DESC, id DESC);
-- Every change (including spent_amount moved by a booking) bumps version, so the ETag always moves.
CREATE FUNCTION app.trips_touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  NEW.updated_at := now();
  NEW.version := OLD.version + 1;
  RETURN NEW;
END $$;
CREATE TRIGGER trips_touch BEFORE UPDATE ON trips FOR EACH ROW EXECUTE FUNCTION app.trips_touch();

-- The currency cannot change under money already spent in it.
CREATE FUNCTION app.trips_currency_fixed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.currency IS DISTINCT FROM OLD.currency AND OLD.spent_amount > 0 THEN
    RAISE EXCEPTION 'trip % has bookings in %', OLD.id, OLD.currency
      USING ERRCODE = 'check_violation', CONSTRAINT = 'trips_currency_fixed_by_bookings';
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER trips_currency_fixed BEFORE UPDATE OF currency ON trips FOR EACH ROW EXECUTE FUNCTION app.trips_currency_fixed();

CREATE TABLE trip_destinations (
    trip_id         uuid NOT NULL REFERENCES trips (id) ON DELETE CASCADE,
    position        smallint NOT NULL CHECK (position BETWEEN 0 AND 49),
    city            text NOT NULL CHECK (length(city) BETWEEN 1 AND 100),
    country         text NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    arrival_date    date,
    departure_date  date,
    PRIMARY KEY (trip_id, position),
    CHECK (departure_date IS NULL OR arrival_date IS NULL OR departure_date >= arrival_date)
);
CREATE INDEX trip_destinations_city_idx ON trip_destinations (lower(city));

CREATE TABLE trip_collaborators (
    trip_id      uuid NOT NULL REFERENCES trips (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role         text NOT NULL CHECK (role IN ('viewer', 'editor')),
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'accepted')),
    invited_by   uuid REFERENCES users (id) ON DELETE SET NULL,
    invited_at   timestamptz NOT NULL DEFAULT now(),
    accepted_at  timestamptz,
    PRIMARY KEY (trip_id, user_id),
    CHECK ((status = 'accepted') = (accepted_at IS NOT NULL))
);
CREATE INDEX trip_collaborators_user_idx ON trip_collaborators (user_id, trip_id);

CREATE TABLE bookings (
    id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    trip_id                  uuid NOT NULL REFERENCES trips (id) ON DELETE CASCADE,
    -- The collaborator who made it may be purged later; the booking stays with the trip.
    created_by               uuid REFERENCES users (id) ON DELETE SET NULL,
    booking_type             text NOT NULL CHECK (booking_type IN ('flight', 'hotel', 'activity', 'car_rental')),
    status                   text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'confirmed', 'cancelled')),
    confirmation_code        text NOT NULL UNIQUE CHECK (confirmation_code ~ '^[A-Z0-9]{8}$'),
    supplier_name            text CHECK (length(supplier_name) BETWEEN 1 AND 200),
    supplier_reference       text CHECK (length(supplier_reference) BETWEEN 1 AND 100),
    details                  jsonb NOT NULL CHECK (jsonb_typeof(details) = 'object'),
    total_amount             numeric(12,2) NOT NULL CHECK (total_amount >= 0),
    currency                 text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    cancellable              boolean NOT NULL DEFAULT true,
    cancellation_deadline    timestamptz,
    cancellation_fee         numeric(12,2) CHECK (cancellation_fee >= 0),
    cancellation_fee_charged numeric(12,2) CHECK (cancellation_fee_charged >= 0),
    -- When the booked service starts/ends, taken from the typed details; used by the from/to filters.
    starts_at                timestamptz NOT NULL,
    ends_at                  timestamptz,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    confirmed_at             timestamptz,
    cancelled_at             timestamptz,
    CHECK (ends_at IS NULL OR ends_at >= starts_at),
    CHECK (cancellation_fee IS NULL OR cancellation_fee <= total_amount),
    CHECK ((status = 'cancelled') = (cancelled_at IS NOT NULL)),
    CHECK (status <> 'confirmed' OR confirmed_at IS NOT NULL)
);
CREATE INDEX bookings_trip_idx ON bookings (trip_id, created_at DESC, id DESC);
CREATE INDEX bookings_page_idx ON bookings (created_at DESC, id DESC);
CREATE TRIGGER bookings_touch BEFORE UPDATE ON bookings FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

-- trips.spent_amount = sum of non-cancelled bookings, maintained in the same transaction as the
-- booking change. Runs as owner (SECURITY DEFINER) so a collaborator's booking can update the trip row.
CREATE FUNCTION app.bookings_keep_trip_spent() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  trip_currency text;
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status <> 'cancelled' THEN
    UPDATE trips SET spent_amount = spent_amount - OLD.total_amount WHERE id = OLD.trip_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status <> 'cancelled' THEN
    UPDATE trips SET currency = coalesce(currency, NEW.currency), spent_amount = spent_amount + NEW.total_amount
     WHERE id = NEW.trip_id
    RETURNING currency INTO trip_currency;
    IF trip_currency <> NEW.currency THEN
      RAISE EXCEPTION 'booking currency % differs from trip currency %', NEW.currency, trip_currency
        USING ERRCODE = 'check_violation', CONSTRAINT = 'bookings_currency_matches_trip';
    END IF;
  END IF;
  RETURN NULL;
END $$;
CREATE TRIGGER bookings_keep_trip_spent AFTER INSERT OR UPDATE OF status, total_amount, trip_id OR DELETE ON bookings
  FOR EACH ROW EXECUTE FUNCTION app.bookings_keep_trip_spent();

-- A replayed POST with the same key returns the booking it created; request_hash detects a
-- different body under the same key (422).
CREATE TABLE idempotency_keys (
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    key           text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    request_hash  bytea NOT NULL CHECK (length(request_hash) = 32),
    booking_id    uuid NOT NULL REFERENCES bookings (id) ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL DEFAULT now() + interval '48 hours',
    PRIMARY KEY (user_id, key)
);
CREATE INDEX idempotency_keys_expiry_idx ON idempotency_keys (expires_at);

GRANT SELECT, INSERT, UPDATE ON users, refresh_sessions TO travel_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON user_profiles TO travel_app;
GRANT SELECT, INSERT, DELETE ON trips TO travel_app;
-- Column privileges: no API path may move a trip to another owner or write its derived columns.
GRANT UPDATE (title, description, trip_type, status, start_date, end_date, origin_city, origin_country,
  currency, budget_amount, traveler_count) ON trips TO travel_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON trip_destinations, trip_collaborators TO travel_app;
GRANT SELECT, INSERT, UPDATE ON bookings TO travel_app;
GRANT SELECT, INSERT, DELETE ON idempotency_keys TO travel_app;
GRANT SELECT, DELETE ON users, user_profiles, refresh_sessions, idempotency_keys, trips, trip_destinations,
  trip_collaborators, bookings TO travel_maintenance;
