-- The catalog's gaps (issue 15): endpoints for city areas and cached reviews (docs/places.md). No grant changes:
-- travel_app already has SELECT, INSERT, UPDATE on both tables (0013), which is what their upserts need.

-- City areas are imported by their city and name (they have no provider id), the name compared folded: "Le Marais"
-- and "le marais" are one area, so a re-import in another spelling updates it instead of adding a second. This key
-- implies 0013's plain (city_id, name), whose index it replaces.
ALTER TABLE city_areas DROP CONSTRAINT city_areas_city_id_name_key;
CREATE UNIQUE INDEX city_areas_city_name_key ON city_areas (city_id, app.fold(name));
ALTER TABLE city_areas ADD CONSTRAINT city_areas_tags_no_nulls CHECK (array_position(tags, NULL) IS NULL);

-- Reviews are listed newest review first, undated last, by keyset on (date, id) with undated as 1900-01-01 (below
-- any real review date, see the CHECK). This index has exactly that key, so a page is an index range scan; it
-- replaces 0013's (attraction_id, review_date DESC, id), whose NULLs sort first and whose id runs the other way
-- (it still serves the cascade from attractions: attraction_id leads).
DROP INDEX attraction_reviews_attraction_idx;
CREATE INDEX attraction_reviews_list_idx ON attraction_reviews (attraction_id, coalesce(review_date, date '1900-01-01') DESC, id DESC);
ALTER TABLE attraction_reviews ADD CONSTRAINT attraction_reviews_review_date_check CHECK (review_date >= date '1990-01-01');

-- An attraction's area is one of its own city's: the foreign key carries the city too (0013's plain one on area_id
-- alone could name another city's area). Deleting the area clears only area_id (PostgreSQL 15's column list), and
-- an attraction moved to another city by a re-import loses an area it does not name again (the import sets both).
ALTER TABLE city_areas ADD CONSTRAINT city_areas_id_city_key UNIQUE (id, city_id);
ALTER TABLE attractions DROP CONSTRAINT attractions_area_id_fkey;
ALTER TABLE attractions ADD CONSTRAINT attractions_area_fkey FOREIGN KEY (area_id, city_id)
    REFERENCES city_areas (id, city_id) ON DELETE SET NULL (area_id);
CREATE INDEX attractions_area_idx ON attractions (area_id) WHERE area_id IS NOT NULL;
