-- Multi-currency trips (issue 14): a traveller books a hotel in JPY on a trip budgeted in EUR. Bookings are accepted
-- in any ISO currency; what a trip has spent is kept per currency (trip_spending), by the same trigger and in the same
-- transaction as the booking change, so it never drifts. trips.currency stays the trip's own currency (the budget's,
-- or the first booking's) and trips.spent_amount what was spent in it. A total in the trip's currency is shown only
-- where agents have recorded an exchange rate (exchange_rates): no rate, no conversion.

CREATE TABLE trip_spending (
    trip_id   uuid NOT NULL REFERENCES trips (id) ON DELETE CASCADE,
    currency  text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    amount    numeric(14,2) NOT NULL CHECK (amount > 0),
    PRIMARY KEY (trip_id, currency)
);
INSERT INTO trip_spending (trip_id, currency, amount)
SELECT trip_id, currency, sum(total_amount) FROM bookings WHERE status <> 'cancelled'
 GROUP BY trip_id, currency HAVING sum(total_amount) > 0;

ALTER TABLE trip_spending ENABLE ROW LEVEL SECURITY;
CREATE POLICY trip_spending_read ON trip_spending FOR SELECT TO travel_app USING (app.can_read_trip(trip_id));
-- Written only by the bookings trigger (as owner).
GRANT SELECT ON trip_spending TO travel_app;

-- Keeps trip_spending = the sum of each currency's non-cancelled bookings, and trips.spent_amount = the part of it
-- in the trip's currency (read back from trip_spending, never added up separately). Updating the trip row also moves
-- its version, so the trip's ETag changes with every booking change. Runs as owner so a collaborator's booking can
-- update the trip.
-- The trip row is locked first (NO KEY UPDATE, the lock the UPDATE below takes anyway: FOR UPDATE would deadlock with
-- the key-share lock another booking's foreign key holds on it): the booking changes of one trip then run one after another, and each statement
-- below (a fresh snapshot under READ COMMITTED) sees the spending the previous one committed. Without it, an UPDATE
-- that waited for the trip row would recount spent_amount from a snapshot taken before the other booking committed.
CREATE OR REPLACE FUNCTION app.bookings_keep_trip_spent() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  PERFORM 1 FROM trips
    WHERE id IN (CASE WHEN TG_OP <> 'INSERT' THEN OLD.trip_id END, CASE WHEN TG_OP <> 'DELETE' THEN NEW.trip_id END)
    ORDER BY id FOR NO KEY UPDATE;
  IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status <> 'cancelled' THEN
    UPDATE trip_spending SET amount = amount - OLD.total_amount
     WHERE trip_id = OLD.trip_id AND currency = OLD.currency AND amount > OLD.total_amount;
    IF NOT FOUND THEN
      DELETE FROM trip_spending WHERE trip_id = OLD.trip_id AND currency = OLD.currency;
    END IF;
    UPDATE trips SET spent_amount = coalesce((SELECT s.amount FROM trip_spending s
                                               WHERE s.trip_id = trips.id AND s.currency = trips.currency), 0)
     WHERE id = OLD.trip_id;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status <> 'cancelled' AND NEW.total_amount > 0 THEN
    INSERT INTO trip_spending AS s (trip_id, currency, amount) VALUES (NEW.trip_id, NEW.currency, NEW.total_amount)
    ON CONFLICT (trip_id, currency) DO UPDATE SET amount = s.amount + EXCLUDED.amount;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status <> 'cancelled' THEN
    -- The first booking of a trip without a currency gives it one.
    UPDATE trips SET currency = coalesce(currency, NEW.currency),
                     spent_amount = coalesce((SELECT s.amount FROM trip_spending s
                                               WHERE s.trip_id = trips.id AND s.currency = coalesce(trips.currency, NEW.currency)), 0)
     WHERE id = NEW.trip_id;
  END IF;
  RETURN NULL;
END $$;

-- A trip's currency may now change under bookings: what it has spent in the new currency is read from trip_spending.
DROP TRIGGER trips_currency_fixed ON trips;
DROP FUNCTION app.trips_currency_fixed();
CREATE FUNCTION app.trips_spent_follows_currency() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  IF NEW.currency IS DISTINCT FROM OLD.currency THEN
    NEW.spent_amount := coalesce((SELECT s.amount FROM trip_spending s WHERE s.trip_id = NEW.id AND s.currency = NEW.currency), 0);
  END IF;
  RETURN NEW;
END $$;
CREATE TRIGGER trips_spent_follows_currency BEFORE UPDATE OF currency ON trips
  FOR EACH ROW EXECUTE FUNCTION app.trips_spent_follows_currency();

-- Exchange rates agents record: 1 base = rate quote, as of a time. One row per pair; a rate older than the one held
-- never replaces it. Not personal data: every signed-in caller reads them; only agents (service context) write.
CREATE TABLE exchange_rates (
    base_currency   text NOT NULL CHECK (base_currency ~ '^[A-Z]{3}$'),
    quote_currency  text NOT NULL CHECK (quote_currency ~ '^[A-Z]{3}$'),
    rate            numeric(24,12) NOT NULL CHECK (rate > 0),
    as_of           timestamptz NOT NULL,
    source          text CHECK (length(source) BETWEEN 1 AND 100),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (base_currency, quote_currency),
    CHECK (base_currency <> quote_currency)
);
ALTER TABLE exchange_rates ENABLE ROW LEVEL SECURITY;
CREATE POLICY exchange_rates_read ON exchange_rates FOR SELECT TO travel_app USING (true);
CREATE POLICY exchange_rates_insert ON exchange_rates FOR INSERT TO travel_app WITH CHECK (app.current_user_id() IS NULL);
CREATE POLICY exchange_rates_update ON exchange_rates FOR UPDATE TO travel_app
  USING (app.current_user_id() IS NULL) WITH CHECK (app.current_user_id() IS NULL);
GRANT SELECT, INSERT (base_currency, quote_currency, rate, as_of, source),
      UPDATE (rate, as_of, source, updated_at) ON exchange_rates TO travel_app;

-- How to turn an amount in p_from into p_to: 1 for the same currency, the recorded rate, or the inverse of the
-- recorded opposite pair. Nothing else (no chains through a third currency): no rate, no row.
CREATE FUNCTION app.conversion(p_from text, p_to text) RETURNS TABLE (rate numeric, as_of timestamptz)
LANGUAGE sql STABLE AS $$
  SELECT c.rate, c.as_of FROM (
    SELECT 1 AS preference, 1::numeric AS rate, NULL::timestamptz AS as_of WHERE p_from = p_to
    UNION ALL
    SELECT 2, r.rate, r.as_of FROM exchange_rates r WHERE r.base_currency = p_from AND r.quote_currency = p_to
    UNION ALL
    SELECT 3, 1 / r.rate, r.as_of FROM exchange_rates r WHERE r.base_currency = p_to AND r.quote_currency = p_from
  ) AS c
  ORDER BY c.preference LIMIT 1
$$;

-- Agents that keep the exchange rates.
ALTER TABLE agent_clients DROP CONSTRAINT agent_clients_scopes_check;
ALTER TABLE agent_clients ADD CONSTRAINT agent_clients_scopes_check CHECK (cardinality(scopes) >= 1
  AND scopes <@ ARRAY['agents:logs', 'agents:search-cache', 'agents:chat', 'agents:catalog', 'agents:provider-keys',
                      'agents:exchange-rates']::text[]);
