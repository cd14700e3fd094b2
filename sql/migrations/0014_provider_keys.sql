-- Travellers' own provider keys ("bring your own key", seed 003): API keys a traveller stores for the AI and travel
-- providers, used by agents acting for them. Envelope encryption in the app (AES-256-GCM): each key is sealed under
-- a random data key, and the data key is wrapped under the key-encryption key (KEK) named by kek_id, which lives in
-- Key Vault and never in the database. A dump of this database holds ciphertext only. See docs/security.md.

-- The services a key may be for: reference data, so adding one is a migration, not a code change.
CREATE TABLE provider_key_services (
    name         text PRIMARY KEY CHECK (name ~ '^[a-z][a-z0-9_]{1,39}$'),
    display_name text NOT NULL
);
INSERT INTO provider_key_services (name, display_name) VALUES
  ('openai', 'OpenAI'), ('anthropic', 'Anthropic'), ('google_gemini', 'Google Gemini'), ('mistral', 'Mistral AI'),
  ('duffel', 'Duffel'), ('amadeus', 'Amadeus'), ('skyscanner', 'Skyscanner'), ('booking_com', 'Booking.com'),
  ('google_maps', 'Google Maps Platform'), ('tripadvisor', 'Tripadvisor'), ('openweathermap', 'OpenWeatherMap');
GRANT SELECT ON provider_key_services TO travel_app;

CREATE TABLE provider_keys (
    id                uuid PRIMARY KEY,
    user_id           uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    service           text NOT NULL REFERENCES provider_key_services(name),
    label             text NOT NULL CHECK (length(label) BETWEEN 1 AND 100 AND label = btrim(label)),
    last_four         text NOT NULL CHECK (length(last_four) = 4),
    -- nonce (12) || ciphertext || tag (16) of the key under its data key; the data key wrapped the same way under
    -- the KEK kek_id (12 + 32 + 16 = 60 bytes). Both bound to (id, user_id, service) as associated data.
    secret_sealed     bytea NOT NULL CHECK (length(secret_sealed) BETWEEN 29 AND 4124),
    data_key_wrapped  bytea NOT NULL CHECK (length(data_key_wrapped) = 60),
    kek_id            text NOT NULL CHECK (kek_id ~ '^[0-9a-f]{16}$'),
    created_at        timestamptz NOT NULL DEFAULT now(),
    last_used_at      timestamptz,
    UNIQUE (user_id, service, label)
);
CREATE INDEX provider_keys_kek ON provider_keys (kek_id);
ALTER TABLE provider_keys ENABLE ROW LEVEL SECURITY;

-- The API writes a key once and deletes it; it never reads the sealed columns back (an agent's use goes through
-- app.use_provider_key). Never updated by the API.
GRANT SELECT (id, user_id, service, label, last_four, kek_id, created_at, last_used_at) ON provider_keys TO travel_app;
GRANT INSERT, DELETE ON provider_keys TO travel_app;
CREATE POLICY provider_keys_owner ON provider_keys TO travel_app
  USING (user_id = app.current_user_id()) WITH CHECK (user_id = app.current_user_id());
-- The re-wrap job (KEK rotation) reads the wrapped data keys and rewrites them; it never sees the sealed keys.
GRANT SELECT (id, user_id, service, data_key_wrapped, kek_id) ON provider_keys TO travel_maintenance;
GRANT UPDATE (data_key_wrapped, kek_id) ON provider_keys TO travel_maintenance;
CREATE POLICY provider_keys_maintenance ON provider_keys TO travel_maintenance USING (true) WITH CHECK (true);

-- A traveller lets one agent client use their keys for one service.
CREATE TABLE provider_key_grants (
    user_id          uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    agent_client_id  uuid NOT NULL REFERENCES agent_clients(client_id) ON DELETE CASCADE,
    service          text NOT NULL REFERENCES provider_key_services(name),
    created_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, agent_client_id, service)
);
ALTER TABLE provider_key_grants ENABLE ROW LEVEL SECURITY;
GRANT SELECT, INSERT, DELETE ON provider_key_grants TO travel_app;
CREATE POLICY provider_key_grants_owner ON provider_key_grants TO travel_app
  USING (user_id = app.current_user_id()) WITH CHECK (user_id = app.current_user_id());

-- Every use of a key by an agent, visible to the traveller. Kept when the key is deleted (key_id set null).
CREATE TABLE provider_key_uses (
    id               uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    key_id           uuid REFERENCES provider_keys(id) ON DELETE SET NULL,
    agent_client_id  uuid NOT NULL REFERENCES agent_clients(client_id) ON DELETE CASCADE,
    service          text NOT NULL,
    label            text NOT NULL,
    used_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX provider_key_uses_user_page ON provider_key_uses (user_id, used_at DESC, id DESC);
ALTER TABLE provider_key_uses ENABLE ROW LEVEL SECURITY;
GRANT SELECT ON provider_key_uses TO travel_app;
CREATE POLICY provider_key_uses_owner ON provider_key_uses FOR SELECT TO travel_app USING (user_id = app.current_user_id());

-- An agent client's use of a traveller's key, in one statement: the traveller is active, granted this client this
-- service, and has a key for it (the label chosen, or their newest key for the service). Records the use and
-- returns what the app needs to open the key; nothing when any condition fails (the caller cannot tell which).
CREATE FUNCTION app.use_provider_key(p_agent_client_id uuid, p_user_id uuid, p_service text, p_label text)
RETURNS TABLE (id uuid, user_id uuid, service text, label text, secret_sealed bytea, data_key_wrapped bytea, kek_id text)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
DECLARE
  k provider_keys%ROWTYPE;
BEGIN
  SELECT pk.* INTO k
    FROM provider_keys pk
    JOIN users u ON u.id = pk.user_id AND u.status = 'active'
    JOIN provider_key_grants g ON g.user_id = pk.user_id AND g.service = pk.service AND g.agent_client_id = p_agent_client_id
    JOIN agent_clients a ON a.client_id = p_agent_client_id AND a.disabled_at IS NULL
   WHERE pk.user_id = p_user_id AND pk.service = p_service AND (p_label IS NULL OR pk.label = p_label)
   ORDER BY pk.created_at DESC, pk.id
   LIMIT 1
   FOR UPDATE OF pk;
  IF NOT FOUND THEN RETURN; END IF;
  UPDATE provider_keys SET last_used_at = now() WHERE provider_keys.id = k.id;
  INSERT INTO provider_key_uses (user_id, key_id, agent_client_id, service, label)
  VALUES (k.user_id, k.id, p_agent_client_id, k.service, k.label);
  RETURN QUERY SELECT k.id, k.user_id, k.service, k.label, k.secret_sealed, k.data_key_wrapped, k.kek_id;
END
$fn$;
REVOKE ALL ON FUNCTION app.use_provider_key(uuid, uuid, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.use_provider_key(uuid, uuid, text, text) TO travel_app;

-- Deleting an account makes its keys unusable at once: the sealed keys go with the soft delete, not 30 days later
-- with the purge. (Uses stay until the purge, for the traveller's export.)
CREATE FUNCTION app.drop_keys_of_deleted_user() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $fn$
BEGIN
  DELETE FROM provider_keys WHERE user_id = NEW.id;
  DELETE FROM provider_key_grants WHERE user_id = NEW.id;
  RETURN NULL;
END
$fn$;
CREATE TRIGGER users_drop_provider_keys AFTER UPDATE OF status ON users
  FOR EACH ROW WHEN (NEW.status = 'deleted' AND OLD.status <> 'deleted') EXECUTE FUNCTION app.drop_keys_of_deleted_user();

-- Agent clients may now hold the provider-keys scope.
ALTER TABLE agent_clients DROP CONSTRAINT agent_clients_scopes_check;
ALTER TABLE agent_clients ADD CONSTRAINT agent_clients_scopes_check CHECK (cardinality(scopes) >= 1
  AND scopes <@ ARRAY['agents:logs', 'agents:search-cache', 'agents:chat', 'agents:catalog', 'agents:provider-keys']::text[]);
