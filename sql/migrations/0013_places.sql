-- The destination catalog (seed 004): countries, cities, city areas, attractions, their cached reviews,
-- and booking links. Public reference data, not user-owned: no row-level security (any signed-in user
-- reads everything; only agents with the catalog scope write, through the API). docs/places.md.
--
-- Extensions. pg_trgm and unaccent are "trusted", so travel_owner (the database owner, who runs the
-- migrations) creates them here. PostGIS is not trusted: locally scripts/stack.sh creates it as the
-- superuser in template1 (so every database created afterwards, the tests' templates included, has it)
-- and in the travel database; on Neon the owner role (a neon_superuser member) may create it, so this
-- statement does it there. IF NOT EXISTS: a no-op wherever it already exists.
CREATE EXTENSION IF NOT EXISTS postgis;
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE EXTENSION IF NOT EXISTS unaccent;

-- Accent- and case-folded text for search. unaccent() is only STABLE (its dictionary could change), so
-- index expressions and generated columns cannot call it; this wrapper names the dictionary by OID
-- (resolved once, when the SQL-standard body is parsed) and is declared IMMUTABLE: the usual trick, safe
-- as long as nobody edits the unaccent rules file (re-index if they do).
CREATE FUNCTION app.fold(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN lower(public.unaccent('public.unaccent'::regdictionary, t));

-- The text a place is searched by: names and aliases, folded. array_to_string is STABLE in general
-- (element output functions) but immutable for text[], hence this wrapper.
CREATE FUNCTION app.place_search_text(name text, name_local text, aliases text[]) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN app.fold(concat_ws(' ', name, name_local, array_to_string(aliases, ' ')));

-- An IANA time zone PostgreSQL knows (the API checks the same with .NET's list first, for a clear 400).
-- STRICT: NULL in, NULL out, so a CHECK on an optional zone passes when it is absent.
CREATE FUNCTION app.is_time_zone(tz text) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE STRICT
RETURN EXISTS (SELECT 1 FROM pg_timezone_names WHERE name = tz);

-- Opening hours: {"monday": [{"open": "09:00", "close": "17:00"}, ...], ...}; a day that is absent or has
-- no intervals is closed; "close" may be "24:00"; intervals never cross midnight (split them).
CREATE FUNCTION app.valid_opening_hours(h jsonb) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN jsonb_typeof(h) = 'object'
   AND NOT EXISTS (SELECT 1 FROM jsonb_each(h) d
                    WHERE d.key NOT IN ('monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday')
                       OR jsonb_typeof(d.value) <> 'array'
                       OR jsonb_array_length(d.value) > 6
                       OR EXISTS (SELECT 1 FROM jsonb_array_elements(d.value) i
                                   WHERE jsonb_typeof(i) <> 'object'
                                      OR coalesce(i ->> 'open', '') !~ '^([01][0-9]|2[0-3]):[0-5][0-9]$'
                                      OR coalesce(i ->> 'close', '') !~ '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$'
                                      OR (i ->> 'close') <= (i ->> 'open')));

-- Whether hours say "open" at instant `at` in time zone `tz` (the attraction's local time). NULL hours:
-- unknown, so not open. '24:00'::time is later than any time of day.
CREATE FUNCTION app.is_open(h jsonb, tz text, at timestamptz) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE
RETURN coalesce((
  SELECT bool_or(l.t::time >= (i ->> 'open')::time AND l.t::time < (i ->> 'close')::time)
    FROM (SELECT at AT TIME ZONE tz AS t) l,
         jsonb_array_elements(h -> (ARRAY['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday'])
                                    [extract(isodow FROM l.t)::int]) i), false);

CREATE TABLE countries (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    iso_code           char(2) NOT NULL UNIQUE CHECK (iso_code ~ '^[A-Z]{2}$'),
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    centroid           geography(Point, 4326),
    currency_code      char(3) CHECK (currency_code ~ '^[A-Z]{3}$'),
    timezone           text NOT NULL CHECK (app.is_time_zone(timezone)),
    popularity_score   numeric(3,2) CHECK (popularity_score BETWEEN 0 AND 1),
    -- Typical daily spend per traveller and travel style, in currency_code (whole units).
    daily_cost_budget  integer CHECK (daily_cost_budget >= 0),
    daily_cost_mid     integer CHECK (daily_cost_mid >= 0),
    daily_cost_luxury  integer CHECK (daily_cost_luxury >= 0),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    CHECK (currency_code IS NOT NULL OR num_nonnulls(daily_cost_budget, daily_cost_mid, daily_cost_luxury) = 0)
);

CREATE TABLE cities (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    country_id         uuid NOT NULL REFERENCES countries ON DELETE CASCADE,
    name               text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    name_local         text CHECK (length(name_local) BETWEEN 1 AND 100),
    aliases            text[] NOT NULL DEFAULT '{}' CHECK (cardinality(aliases) <= 20 AND array_position(aliases, NULL) IS NULL),
    location           geography(Point, 4326) NOT NULL,
    city_type          text CHECK (city_type IN ('capital', 'major_city', 'city', 'town')),
    population         integer CHECK (population >= 0),
    popularity_score   numeric(3,2) CHECK (popularity_score BETWEEN 0 AND 1),
    iata_code          char(3) CHECK (iata_code ~ '^[A-Z]{3}$'),
    -- Overrides the country's for countries spanning several zones.
    timezone           text CHECK (app.is_time_zone(timezone)),
    -- The upsert key of agent imports.
    google_places_id   text NOT NULL UNIQUE CHECK (length(google_places_id) BETWEEN 1 AND 255),
    -- Trigram matching is on the name alone: aliases would dilute its similarity (they are in search_vector).
    search_name        text GENERATED ALWAYS AS (app.fold(name)) STORED,
    search_vector      tsvector GENERATED ALWAYS AS (
                         setweight(to_tsvector('simple', app.fold(name)), 'A')
                         || setweight(to_tsvector('simple', app.fold(coalesce(name_local, '') || ' ' || coalesce(iata_code, ''))), 'B')
                         || setweight(to_tsvector('simple', app.place_search_text('', NULL, aliases)), 'C')) STORED,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX cities_country_idx ON cities (country_id, name, id);
CREATE INDEX cities_location_idx ON cities USING gist (location);
-- GIN indexes without the fast-update pending list: the catalog is read far more than written, and a
-- pending list makes every search scan it (and the planner, rightly, prefers a sequential scan until
-- VACUUM flushes it). Imports pay a little more per row instead.
CREATE INDEX cities_search_idx ON cities USING gin (search_vector) WITH (fastupdate = off);
CREATE INDEX cities_name_trgm_idx ON cities USING gin (search_name gin_trgm_ops) WITH (fastupdate = off);

-- Neighbourhoods, for accommodation recommendations; attractions may sit in one.
CREATE TABLE city_areas (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    city_id      uuid NOT NULL REFERENCES cities ON DELETE CASCADE,
    name         text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    description  text CHECK (length(description) <= 2000),
    center       geography(Point, 4326),
    tags         text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 30),
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (city_id, name)
);

CREATE TABLE attractions (
    id                       uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    city_id                  uuid NOT NULL REFERENCES cities ON DELETE CASCADE,
    area_id                  uuid REFERENCES city_areas ON DELETE SET NULL,
    name                     text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    name_local               text CHECK (length(name_local) BETWEEN 1 AND 200),
    attraction_type          text NOT NULL CHECK (attraction_type ~ '^[a-z][a-z_]{0,49}$'),
    categories               text[] NOT NULL DEFAULT '{}' CHECK (cardinality(categories) <= 20 AND array_position(categories, NULL) IS NULL),
    address                  text CHECK (length(address) <= 500),
    location                 geography(Point, 4326) NOT NULL,
    opening_hours            jsonb CHECK (app.valid_opening_hours(opening_hours)),
    typical_visit_minutes    integer CHECK (typical_visit_minutes BETWEEN 1 AND 1440),
    crowdedness              text CHECK (crowdedness IN ('low', 'moderate', 'high')),
    pricing_type             text CHECK (pricing_type IN ('free', 'paid', 'donation')),
    price_adult              numeric(10,2) CHECK (price_adult >= 0),
    price_currency           char(3) CHECK (price_currency ~ '^[A-Z]{3}$'),
    rating                   numeric(2,1) CHECK (rating BETWEEN 0 AND 5),
    review_count             integer NOT NULL DEFAULT 0 CHECK (review_count >= 0),
    accessibility            jsonb CHECK (jsonb_typeof(accessibility) = 'object'),
    tags                     text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 30 AND array_position(tags, NULL) IS NULL),
    -- Upsert keys of agent imports: at least one, each unique.
    google_places_id         text UNIQUE CHECK (length(google_places_id) BETWEEN 1 AND 255),
    tripadvisor_id           text UNIQUE CHECK (length(tripadvisor_id) BETWEEN 1 AND 255),
    getyourguide_id          text UNIQUE CHECK (length(getyourguide_id) BETWEEN 1 AND 100),
    viator_id                text UNIQUE CHECK (length(viator_id) BETWEEN 1 AND 100),
    image_urls               text[] NOT NULL DEFAULT '{}' CHECK (cardinality(image_urls) <= 20),
    -- The provider's raw answer, cached; cleared by the CacheExpiry job once stale.
    external_data            jsonb CHECK (pg_column_size(external_data) <= 262144),
    external_data_cached_at  timestamptz,
    is_verified              boolean NOT NULL DEFAULT false,
    search_name              text GENERATED ALWAYS AS (app.fold(name)) STORED,
    search_vector            tsvector GENERATED ALWAYS AS (
                               setweight(to_tsvector('simple', app.fold(name)), 'A')
                               || setweight(to_tsvector('simple', app.fold(coalesce(name_local, ''))), 'B')
                               || setweight(to_tsvector('simple', app.place_search_text(attraction_type, NULL, categories || tags)), 'C')) STORED,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CHECK (num_nonnulls(google_places_id, tripadvisor_id, getyourguide_id, viator_id) >= 1),
    CHECK ((price_adult IS NULL) = (price_currency IS NULL)),
    CHECK (pricing_type IS DISTINCT FROM 'free' OR coalesce(price_adult, 0) = 0),
    CHECK ((external_data IS NULL) = (external_data_cached_at IS NULL))
);
CREATE INDEX attractions_location_idx ON attractions USING gist (location);
CREATE INDEX attractions_search_idx ON attractions USING gin (search_vector) WITH (fastupdate = off);
CREATE INDEX attractions_name_trgm_idx ON attractions USING gin (search_name gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX attractions_city_idx ON attractions (city_id, id);
CREATE INDEX attractions_external_data_idx ON attractions (external_data_cached_at) WHERE external_data_cached_at IS NOT NULL;

-- Reviews cached from external sources; the CacheExpiry job drops them once stale (re-fetched on demand).
CREATE TABLE attraction_reviews (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    attraction_id       uuid NOT NULL REFERENCES attractions ON DELETE CASCADE,
    source              text NOT NULL CHECK (source IN ('google', 'tripadvisor', 'getyourguide', 'viator')),
    external_review_id  text NOT NULL CHECK (length(external_review_id) BETWEEN 1 AND 255),
    author_name         text CHECK (length(author_name) <= 100),
    rating              smallint NOT NULL CHECK (rating BETWEEN 1 AND 5),
    review_text         text CHECK (length(review_text) <= 10000),
    language            text CHECK (language ~ '^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$'),
    review_date         date,
    cached_at           timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, external_review_id)
);
CREATE INDEX attraction_reviews_attraction_idx ON attraction_reviews (attraction_id, review_date DESC, id);
CREATE INDEX attraction_reviews_cached_idx ON attraction_reviews (cached_at);

-- Booking links are polymorphic (what they book: an attraction, a trip, an itinerary item). One column per
-- kind, exactly the one the kind names set: attraction and trip links get real foreign keys. Itinerary
-- items do not exist yet, so itinerary_item_id has no foreign key until their migration adds it.
CREATE TABLE booking_links (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    linkable_type      text NOT NULL CHECK (linkable_type IN ('attraction', 'trip', 'itinerary_item')),
    attraction_id      uuid REFERENCES attractions ON DELETE CASCADE,
    trip_id            uuid REFERENCES trips ON DELETE CASCADE,
    itinerary_item_id  uuid,
    linkable_id        uuid GENERATED ALWAYS AS (coalesce(attraction_id, trip_id, itinerary_item_id)) STORED,
    provider           text NOT NULL CHECK (provider ~ '^[a-z][a-z0-9_]{0,49}$'),
    booking_url        text NOT NULL CHECK (booking_url ~ '^https://' AND length(booking_url) <= 2000),
    deeplink_url       text CHECK (length(deeplink_url) <= 2000),
    price_from         numeric(10,2) CHECK (price_from >= 0),
    price_currency     char(3) CHECK (price_currency ~ '^[A-Z]{3}$'),
    affiliate_code     text CHECK (length(affiliate_code) <= 100),
    cached_at          timestamptz NOT NULL DEFAULT now(),
    expires_at         timestamptz NOT NULL,
    CHECK (expires_at > cached_at),
    CHECK ((price_from IS NULL) = (price_currency IS NULL)),
    CHECK (CASE linkable_type
             WHEN 'attraction' THEN attraction_id IS NOT NULL AND trip_id IS NULL AND itinerary_item_id IS NULL
             WHEN 'trip' THEN trip_id IS NOT NULL AND attraction_id IS NULL AND itinerary_item_id IS NULL
             ELSE itinerary_item_id IS NOT NULL AND attraction_id IS NULL AND trip_id IS NULL
           END),
    -- One link per thing and provider: re-importing replaces it.
    UNIQUE (linkable_type, linkable_id, provider)
);
CREATE INDEX booking_links_trip_idx ON booking_links (trip_id) WHERE trip_id IS NOT NULL;
CREATE INDEX booking_links_expiry_idx ON booking_links (expires_at);

-- Agents may hold the catalog scope (agent_clients, 0007).
ALTER TABLE agent_clients DROP CONSTRAINT agent_clients_scopes_check;
ALTER TABLE agent_clients ADD CONSTRAINT agent_clients_scopes_check CHECK (cardinality(scopes) >= 1
    AND scopes <@ ARRAY['agents:logs', 'agents:search-cache', 'agents:catalog']::text[]);

GRANT SELECT, INSERT, UPDATE ON countries, cities, city_areas, attractions, attraction_reviews, booking_links TO travel_app;
GRANT EXECUTE ON FUNCTION app.fold(text), app.place_search_text(text, text, text[]), app.is_time_zone(text),
    app.valid_opening_hours(jsonb), app.is_open(jsonb, text, timestamptz) TO travel_app, travel_maintenance;
-- CacheExpiry (travel_maintenance): expired links and stale reviews deleted, stale external data cleared.
GRANT SELECT, DELETE ON booking_links, attraction_reviews TO travel_maintenance;
-- Its batches lock their rows (FOR UPDATE SKIP LOCKED), which takes an UPDATE privilege on some column.
GRANT UPDATE (expires_at) ON booking_links TO travel_maintenance;
GRANT UPDATE (cached_at) ON attraction_reviews TO travel_maintenance;
GRANT SELECT (id, external_data_cached_at), UPDATE (external_data, external_data_cached_at) ON attractions TO travel_maintenance;

-- Links to a trip name the trip: a user's request sees them only for trips it may read (no endpoint lists them for
-- users yet). Writes are agent imports, which run with no user set (service context), as the caches' are (0012).
ALTER TABLE booking_links ENABLE ROW LEVEL SECURITY;
CREATE POLICY booking_links_service ON booking_links TO travel_app
  USING (trip_id IS NULL OR app.current_user_id() IS NULL OR app.can_read_trip(trip_id))
  WITH CHECK (app.current_user_id() IS NULL);
CREATE POLICY booking_links_maintenance ON booking_links TO travel_maintenance USING (true) WITH CHECK (true);
