-- Trip preferences and interests (seed 004): reference data for dietary restrictions, accessibility needs and a
-- hierarchical tree of interest categories, and per trip the traveller's preferences and chosen categories with a
-- priority. Reference data is keyed by a stable text key (the same keys attractions carry in their categories), so
-- agents and clients can use it without a lookup; adding an entry is a migration, not a code change.

CREATE TABLE dietary_restrictions (
    key           text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{1,39}$'),
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100)
);
INSERT INTO dietary_restrictions (key, display_name) VALUES
  ('vegetarian', 'Vegetarian'), ('vegan', 'Vegan'), ('pescatarian', 'Pescatarian'), ('halal', 'Halal'),
  ('kosher', 'Kosher'), ('gluten_free', 'Gluten-free'), ('dairy_free', 'Dairy-free'), ('nut_free', 'Nut-free'),
  ('shellfish_free', 'Shellfish-free'), ('keto', 'Keto'), ('low_sodium', 'Low sodium'), ('diabetic', 'Diabetic-friendly');

CREATE TABLE accessibility_needs (
    key           text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{1,39}$'),
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100)
);
INSERT INTO accessibility_needs (key, display_name) VALUES
  ('wheelchair', 'Wheelchair user'), ('mobility_limited', 'Limited mobility'), ('visual_impairment', 'Visual impairment'),
  ('hearing_impairment', 'Hearing impairment'), ('stroller_friendly', 'Travelling with a stroller'),
  ('step_free_access', 'Step-free access'), ('service_animal', 'Travelling with a service animal'),
  ('sensory_friendly', 'Sensory-friendly (quiet spaces)');

-- The tree's shape is the database's to keep: a root is level 1; a child's level is its parent's plus one, which the
-- composite foreign key (parent_key, parent_level) → (key, level) makes impossible to get wrong.
CREATE TABLE interest_categories (
    key           text PRIMARY KEY CHECK (key ~ '^[a-z][a-z0-9_]{1,49}$'),
    display_name  text NOT NULL CHECK (length(display_name) BETWEEN 1 AND 100),
    parent_key    text,
    parent_level  integer,
    level         integer NOT NULL,
    sort_order    integer NOT NULL DEFAULT 0,
    UNIQUE (key, level),
    FOREIGN KEY (parent_key, parent_level) REFERENCES interest_categories (key, level),
    CHECK ((parent_key IS NULL AND parent_level IS NULL AND level = 1)
        OR (parent_key IS NOT NULL AND parent_level IS NOT NULL AND level = parent_level + 1))
);
INSERT INTO interest_categories (key, display_name, parent_key, parent_level, level, sort_order) VALUES
  ('culture_history', 'Culture & History', NULL, NULL, 1, 1),
  ('nature_outdoors', 'Nature & Outdoors', NULL, NULL, 1, 2),
  ('food_drink', 'Food & Drink', NULL, NULL, 1, 3),
  ('arts_entertainment', 'Arts & Entertainment', NULL, NULL, 1, 4),
  ('shopping', 'Shopping', NULL, NULL, 1, 5),
  ('sports_adventure', 'Sports & Adventure', NULL, NULL, 1, 6),
  ('relaxation', 'Relaxation & Wellness', NULL, NULL, 1, 7),
  ('nightlife', 'Nightlife', NULL, NULL, 1, 8),
  ('family', 'Family & Kids', NULL, NULL, 1, 9);
INSERT INTO interest_categories (key, display_name, parent_key, parent_level, level, sort_order) VALUES
  ('museums', 'Museums', 'culture_history', 1, 2, 1),
  ('historical_sites', 'Historical Sites', 'culture_history', 1, 2, 2),
  ('architecture', 'Architecture', 'culture_history', 1, 2, 3),
  ('religious_sites', 'Religious Sites', 'culture_history', 1, 2, 4),
  ('parks_gardens', 'Parks & Gardens', 'nature_outdoors', 1, 2, 1),
  ('hiking', 'Hiking', 'nature_outdoors', 1, 2, 2),
  ('beaches', 'Beaches', 'nature_outdoors', 1, 2, 3),
  ('wildlife', 'Wildlife', 'nature_outdoors', 1, 2, 4),
  ('viewpoints', 'Viewpoints', 'nature_outdoors', 1, 2, 5),
  ('local_cuisine', 'Local Cuisine', 'food_drink', 1, 2, 1),
  ('fine_dining', 'Fine Dining', 'food_drink', 1, 2, 2),
  ('street_food', 'Street Food', 'food_drink', 1, 2, 3),
  ('markets', 'Food Markets', 'food_drink', 1, 2, 4),
  ('wine_tasting', 'Wine & Beer Tasting', 'food_drink', 1, 2, 5),
  ('cooking_classes', 'Cooking Classes', 'food_drink', 1, 2, 6),
  ('galleries', 'Art Galleries', 'arts_entertainment', 1, 2, 1),
  ('theatre', 'Theatre & Performing Arts', 'arts_entertainment', 1, 2, 2),
  ('live_music', 'Live Music', 'arts_entertainment', 1, 2, 3),
  ('festivals', 'Festivals & Events', 'arts_entertainment', 1, 2, 4),
  ('local_crafts', 'Local Crafts', 'shopping', 1, 2, 1),
  ('fashion', 'Fashion', 'shopping', 1, 2, 2),
  ('water_sports', 'Water Sports', 'sports_adventure', 1, 2, 1),
  ('cycling', 'Cycling', 'sports_adventure', 1, 2, 2),
  ('winter_sports', 'Winter Sports', 'sports_adventure', 1, 2, 3),
  ('spa', 'Spas', 'relaxation', 1, 2, 1),
  ('hot_springs', 'Hot Springs', 'relaxation', 1, 2, 2),
  ('bars', 'Bars', 'nightlife', 1, 2, 1),
  ('clubs', 'Clubs', 'nightlife', 1, 2, 2),
  ('theme_parks', 'Theme Parks', 'family', 1, 2, 1),
  ('zoos_aquariums', 'Zoos & Aquariums', 'family', 1, 2, 2);

GRANT SELECT ON dietary_restrictions, accessibility_needs, interest_categories TO travel_app;

-- True when no element repeats (and none is null): for CHECKs, which cannot hold a subquery themselves.
CREATE FUNCTION app.is_distinct_set(items text[]) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
RETURN array_position(items, NULL) IS NULL
   AND cardinality(items) = (SELECT count(DISTINCT item) FROM unnest(items) AS item);

-- One row per trip once preferences are saved; version is the ETag of the whole document (row and lists below).
CREATE TABLE trip_preferences (
    trip_id                   uuid PRIMARY KEY REFERENCES trips (id) ON DELETE CASCADE,
    custom_restrictions       text CHECK (length(custom_restrictions) BETWEEN 1 AND 2000),
    accommodation_types       text[] NOT NULL DEFAULT '{}'
                              CHECK (accommodation_types <@ ARRAY['hotel', 'hostel', 'apartment', 'resort', 'guesthouse',
                                                                  'bed_and_breakfast', 'villa', 'boutique', 'camping']),
    -- Free-form but tidy keys ("wifi", "pool", "air_conditioning"), at most 30.
    accommodation_amenities   text[] NOT NULL DEFAULT '{}'
                              CHECK (cardinality(accommodation_amenities) <= 30
                                 AND (cardinality(accommodation_amenities) = 0
                                      OR array_to_string(accommodation_amenities, ',') ~ '^[a-z][a-z0-9_]{1,49}(,[a-z][a-z0-9_]{1,49})*$')),
    preferred_activity_times  text[] NOT NULL DEFAULT '{}'
                              CHECK (preferred_activity_times <@ ARRAY['morning', 'afternoon', 'evening', 'night']),
    avoid_crowds              boolean NOT NULL DEFAULT false,
    prefer_offbeat            boolean NOT NULL DEFAULT false,
    pace                      text CHECK (pace IN ('relaxed', 'moderate', 'fast')),
    version                   integer NOT NULL DEFAULT 1 CHECK (version >= 1),
    updated_by                uuid REFERENCES users (id) ON DELETE SET NULL,
    updated_at                timestamptz NOT NULL DEFAULT now(),
    -- No repeats within a list: a list is a set.
    CHECK (app.is_distinct_set(accommodation_types) AND app.is_distinct_set(accommodation_amenities)
           AND app.is_distinct_set(preferred_activity_times))
);

CREATE TABLE trip_dietary_restrictions (
    trip_id      uuid NOT NULL REFERENCES trip_preferences (trip_id) ON DELETE CASCADE,
    restriction  text NOT NULL REFERENCES dietary_restrictions (key),
    PRIMARY KEY (trip_id, restriction)
);

CREATE TABLE trip_accessibility_needs (
    trip_id  uuid NOT NULL REFERENCES trip_preferences (trip_id) ON DELETE CASCADE,
    need     text NOT NULL REFERENCES accessibility_needs (key),
    PRIMARY KEY (trip_id, need)
);

CREATE TABLE trip_interests (
    trip_id   uuid NOT NULL REFERENCES trip_preferences (trip_id) ON DELETE CASCADE,
    category  text NOT NULL REFERENCES interest_categories (key),
    priority  integer NOT NULL CHECK (priority BETWEEN 1 AND 10),
    PRIMARY KEY (trip_id, category)
);

-- Access as for the trip: members read, owner and editors write.
ALTER TABLE trip_preferences ENABLE ROW LEVEL SECURITY;
ALTER TABLE trip_dietary_restrictions ENABLE ROW LEVEL SECURITY;
ALTER TABLE trip_accessibility_needs ENABLE ROW LEVEL SECURITY;
ALTER TABLE trip_interests ENABLE ROW LEVEL SECURITY;
CREATE POLICY trip_preferences_read ON trip_preferences FOR SELECT TO travel_app USING (app.can_read_trip(trip_id));
CREATE POLICY trip_preferences_write ON trip_preferences FOR ALL TO travel_app
  USING (app.can_write_trip(trip_id)) WITH CHECK (app.can_write_trip(trip_id));
CREATE POLICY trip_dietary_restrictions_read ON trip_dietary_restrictions FOR SELECT TO travel_app USING (app.can_read_trip(trip_id));
CREATE POLICY trip_dietary_restrictions_write ON trip_dietary_restrictions FOR ALL TO travel_app
  USING (app.can_write_trip(trip_id)) WITH CHECK (app.can_write_trip(trip_id));
CREATE POLICY trip_accessibility_needs_read ON trip_accessibility_needs FOR SELECT TO travel_app USING (app.can_read_trip(trip_id));
CREATE POLICY trip_accessibility_needs_write ON trip_accessibility_needs FOR ALL TO travel_app
  USING (app.can_write_trip(trip_id)) WITH CHECK (app.can_write_trip(trip_id));
CREATE POLICY trip_interests_read ON trip_interests FOR SELECT TO travel_app USING (app.can_read_trip(trip_id));
CREATE POLICY trip_interests_write ON trip_interests FOR ALL TO travel_app
  USING (app.can_write_trip(trip_id)) WITH CHECK (app.can_write_trip(trip_id));

GRANT SELECT, INSERT, UPDATE (custom_restrictions, accommodation_types, accommodation_amenities, preferred_activity_times,
                              avoid_crowds, prefer_offbeat, pace, version, updated_by, updated_at)
  ON trip_preferences TO travel_app;
GRANT SELECT, INSERT, DELETE ON trip_dietary_restrictions, trip_accessibility_needs, trip_interests TO travel_app;
