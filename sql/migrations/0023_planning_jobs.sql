-- 0023: AI planning jobs and itinerary feedback (issue 14, "AI planning jobs and feedback"); docs/planning.md.
-- A traveller queues a planning job for a trip (a snapshot of the trip's requirements is its input); planning agents
-- (agent clients with agents:planning) claim the next one under a lease, heartbeat, and complete it with an itinerary
-- (a new version, in the same transaction) or fail it. A failed attempt is retried after an exponential backoff up to
-- max_attempts, then the job stays failed. The PlanningLeases timer job returns expired leases to the queue (or fails
-- the exhausted ones). The trip's members are notified (0022) when a job completes or fails for good. Travellers rate
-- itineraries and items; agents read the feedback on what they produced.

-- ---------------------------------------------------------------------------------------------
-- Jobs. agent_client_id is the agent holding the lease while running, and the last one that held it afterwards (the
-- one that completed it, for feedback). lease_token changes at every claim: only the current holder, with the current
-- token, heartbeats, completes or fails. A completed job keeps its token, so a repeated completion is recognised.
CREATE TABLE planning_jobs (
    id                 uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    trip_id            uuid NOT NULL REFERENCES trips (id) ON DELETE CASCADE,
    -- The requester's free text is their data: the job goes with their account (GDPR purge).
    requested_by       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    idempotency_key    text CHECK (length(idempotency_key) BETWEEN 1 AND 200),
    request_hash       bytea CHECK (length(request_hash) = 32),
    input              jsonb NOT NULL CHECK (jsonb_typeof(input) = 'object' AND pg_column_size(input) <= 262144),
    status             text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'completed', 'failed')),
    attempts           integer NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    max_attempts       integer NOT NULL DEFAULT 3 CHECK (max_attempts BETWEEN 1 AND 10),
    available_at       timestamptz NOT NULL DEFAULT now(),
    agent_client_id    uuid REFERENCES agent_clients (client_id) ON DELETE SET NULL,
    lease_token        uuid,
    lease_expires_at   timestamptz,
    heartbeat_at       timestamptz,
    last_error         text CHECK (length(last_error) BETWEEN 1 AND 4000),
    result_version_id  uuid REFERENCES itinerary_versions (id) ON DELETE SET NULL,
    model_version      text CHECK (length(model_version) BETWEEN 1 AND 100),
    input_tokens       integer CHECK (input_tokens >= 0),
    output_tokens      integer CHECK (output_tokens >= 0),
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    completed_at       timestamptz,
    UNIQUE (requested_by, idempotency_key),
    CHECK ((idempotency_key IS NULL) = (request_hash IS NULL)),
    CHECK (attempts <= max_attempts),
    CHECK (status <> 'running' OR (lease_token IS NOT NULL AND lease_expires_at IS NOT NULL)),
    CHECK ((status = 'completed') = (completed_at IS NOT NULL))
);
-- The queue in claim order, the leases the timer job looks at, a trip's jobs newest first (keyset), and the FKs.
CREATE INDEX planning_jobs_queue_idx ON planning_jobs (available_at, created_at, id) WHERE status = 'queued';
CREATE INDEX planning_jobs_leases_idx ON planning_jobs (lease_expires_at) WHERE status = 'running';
CREATE INDEX planning_jobs_trip_idx ON planning_jobs (trip_id, created_at DESC, id DESC);
CREATE INDEX planning_jobs_requested_by_idx ON planning_jobs (requested_by);
CREATE INDEX planning_jobs_result_idx ON planning_jobs (result_version_id) WHERE result_version_id IS NOT NULL;
CREATE INDEX planning_jobs_agent_idx ON planning_jobs (agent_client_id, result_version_id) WHERE status = 'completed';
CREATE TRIGGER planning_jobs_touch BEFORE UPDATE ON planning_jobs FOR EACH ROW EXECUTE FUNCTION app.touch_updated_at();

-- Travellers: the trip's readers see its jobs; its writers queue them, as themselves. Nothing else is written by
-- travel_app directly: the agent side is the owner-run functions below (agents act in service context).
ALTER TABLE planning_jobs ENABLE ROW LEVEL SECURITY;
CREATE POLICY planning_jobs_read ON planning_jobs FOR SELECT TO travel_app USING (app.can_read_trip(trip_id));
CREATE POLICY planning_jobs_insert ON planning_jobs FOR INSERT TO travel_app
  WITH CHECK (requested_by = app.current_user_id() AND app.can_write_trip(trip_id));
GRANT SELECT, INSERT (trip_id, requested_by, idempotency_key, request_hash, input) ON planning_jobs TO travel_app;

-- Claims the next job that is due: one statement, one short transaction (PgBouncer transaction mode, no session
-- state). SKIP LOCKED: two agents never wait for, nor get, the same row.
CREATE FUNCTION app.claim_planning_job(p_agent uuid, p_lease interval)
RETURNS TABLE (id uuid, trip_id uuid, input jsonb, attempt integer, max_attempts integer, lease_token uuid,
               lease_expires_at timestamptz, created_at timestamptz)
LANGUAGE sql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  UPDATE planning_jobs j
     SET status = 'running', attempts = j.attempts + 1, agent_client_id = p_agent, lease_token = gen_random_uuid(),
         lease_expires_at = now() + p_lease, heartbeat_at = now()
   WHERE j.id = (SELECT q.id FROM planning_jobs q
                  WHERE q.status = 'queued' AND q.available_at <= now()
                  ORDER BY q.available_at, q.created_at, q.id
                  LIMIT 1 FOR UPDATE SKIP LOCKED)
     AND p_lease BETWEEN interval '1 second' AND interval '1 day'
  RETURNING j.id, j.trip_id, j.input, j.attempts, j.max_attempts, j.lease_token, j.lease_expires_at, j.created_at
$$;

-- 'held' (the lease now ends at expires_at), 'not_held' (the job is not this agent's with this token any more) or
-- 'not_found'.
CREATE FUNCTION app.heartbeat_planning_job(p_id uuid, p_agent uuid, p_token uuid, p_lease interval,
                                           OUT outcome text, OUT expires_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE planning_jobs j SET lease_expires_at = now() + p_lease, heartbeat_at = now()
   WHERE j.id = p_id AND j.status = 'running' AND j.agent_client_id = p_agent AND j.lease_token = p_token
     AND p_lease BETWEEN interval '1 second' AND interval '1 day'
  RETURNING j.lease_expires_at INTO expires_at;
  outcome := CASE WHEN FOUND THEN 'held'
                  WHEN EXISTS (SELECT 1 FROM planning_jobs j WHERE j.id = p_id) THEN 'not_held' ELSE 'not_found' END;
END $$;

-- The holder gives up an attempt. p_retry: back to the queue after p_backoff·2^(attempt−1) unless it was the last
-- attempt; otherwise (or when the agent says retrying cannot help) failed for good. Outcome as for the heartbeat;
-- status and available_at say what became of the job.
CREATE FUNCTION app.fail_planning_job(p_id uuid, p_agent uuid, p_token uuid, p_error text, p_retry boolean, p_backoff interval,
                                      OUT outcome text, OUT status text, OUT available_at timestamptz)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
BEGIN
  UPDATE planning_jobs j
     SET status = CASE WHEN p_retry AND j.attempts < j.max_attempts THEN 'queued' ELSE 'failed' END,
         available_at = CASE WHEN p_retry AND j.attempts < j.max_attempts
                             THEN now() + p_backoff * power(2, j.attempts - 1) ELSE j.available_at END,
         last_error = p_error, lease_token = NULL, lease_expires_at = NULL
   WHERE j.id = p_id AND j.status = 'running' AND j.agent_client_id = p_agent AND j.lease_token = p_token
  RETURNING j.status, j.available_at INTO status, available_at;
  IF FOUND AND status = 'failed' THEN
    PERFORM app.notify_planning_job(p_id);
  END IF;
  outcome := CASE WHEN status IS NOT NULL THEN 'held'
                  WHEN EXISTS (SELECT 1 FROM planning_jobs j WHERE j.id = p_id) THEN 'not_held' ELSE 'not_found' END;
END $$;

-- Completion, first half: locks the job row for the rest of the caller's transaction and says whether this agent holds
-- it with this token ('held'), completed it with this token before ('completed', with the version it made), or
-- neither. act_as is whom the new itinerary version is written as (row-level security applies to it): the requester
-- while they may still write to the trip, else the trip's owner.
CREATE FUNCTION app.begin_planning_completion(p_id uuid, p_agent uuid, p_token uuid,
                                              OUT outcome text, OUT trip_id uuid, OUT act_as uuid, OUT result_version_id uuid)
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  j planning_jobs;
BEGIN
  SELECT * INTO j FROM planning_jobs WHERE id = p_id FOR UPDATE;
  IF NOT FOUND THEN
    outcome := 'not_found';
    RETURN;
  END IF;
  trip_id := j.trip_id;
  IF j.agent_client_id IS DISTINCT FROM p_agent OR j.lease_token IS DISTINCT FROM p_token THEN
    outcome := 'not_held';
  ELSIF j.status = 'completed' THEN
    outcome := 'completed';
    result_version_id := j.result_version_id;
  ELSIF j.status = 'running' THEN
    outcome := 'held';
    SELECT CASE WHEN t.owner_id = j.requested_by
                  OR EXISTS (SELECT 1 FROM trip_collaborators c WHERE c.trip_id = t.id AND c.user_id = j.requested_by
                                AND c.status = 'accepted' AND c.role = 'editor')
                THEN j.requested_by ELSE t.owner_id END
      INTO act_as
      FROM trips t WHERE t.id = j.trip_id;
  ELSE
    outcome := 'not_held';
  END IF;
END $$;

-- The trip's members hear of a job that completed or failed for good (0022's app.notify, once per job and member).
-- Returns how many notifications it created.
CREATE FUNCTION app.notify_planning_job(p_id uuid) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  j record;
  member uuid;
  created integer := 0;
BEGIN
  SELECT p.id, p.trip_id, p.status, p.result_version_id, p.last_error, t.title INTO j
    FROM planning_jobs p JOIN trips t ON t.id = p.trip_id WHERE p.id = p_id;
  IF j.status NOT IN ('completed', 'failed') THEN
    RETURN 0;
  END IF;
  FOR member IN SELECT app.trip_member_ids(j.trip_id) LOOP
    IF app.notify(member, 'planning.' || j.status, CASE WHEN j.status = 'failed' THEN 'high' ELSE 'normal' END,
         CASE WHEN j.status = 'completed' THEN 'Your itinerary is ready' ELSE 'Planning your itinerary failed' END,
         CASE WHEN j.status = 'completed' THEN format('A new itinerary for "%s" is ready.', j.title)
              ELSE format('Planning an itinerary for "%s" failed; someone will look at it.', j.title) END,
         jsonb_strip_nulls(jsonb_build_object('tripId', j.trip_id, 'planningJobId', j.id, 'versionId', j.result_version_id)),
         j.trip_id, NULL, format('planning.%s:%s:%s', j.status, j.id, member)) THEN
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END $$;

-- Completion, second half (same transaction, after the version was written): the job is done with that version.
CREATE FUNCTION app.complete_planning_job(p_id uuid, p_agent uuid, p_token uuid, p_version uuid, p_model text,
                                          p_input_tokens integer, p_output_tokens integer) RETURNS boolean
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  v_trip uuid;
BEGIN
  UPDATE planning_jobs j
     SET status = 'completed', completed_at = now(), result_version_id = p_version, model_version = p_model,
         input_tokens = p_input_tokens, output_tokens = p_output_tokens, lease_expires_at = NULL, last_error = NULL
   WHERE j.id = p_id AND j.status = 'running' AND j.agent_client_id = p_agent AND j.lease_token = p_token
     AND EXISTS (SELECT 1 FROM itinerary_versions v WHERE v.id = p_version AND v.trip_id = j.trip_id)
  RETURNING j.trip_id INTO v_trip;
  IF v_trip IS NULL THEN
    RETURN false;
  END IF;
  PERFORM app.notify_planning_job(p_id);
  RETURN true;
END $$;

-- The PlanningLeases job (travel_maintenance): leases that ended before p_now go back to the queue (available at once:
-- a crashed agent is not the job's fault) or, when that was the last attempt, the job fails. At most p_limit per call;
-- rows a completion holds locked are skipped (that completion decides them). Returns how many it changed.
CREATE FUNCTION app.expire_planning_leases(p_now timestamptz, p_limit integer) RETURNS integer
LANGUAGE plpgsql SECURITY DEFINER SET search_path = public, pg_temp AS $$
DECLARE
  n integer;
  failed uuid[];
BEGIN
  WITH due AS (
    SELECT id FROM planning_jobs
     WHERE status = 'running' AND lease_expires_at < p_now
     ORDER BY lease_expires_at
     LIMIT p_limit FOR UPDATE SKIP LOCKED),
  changed AS (
    UPDATE planning_jobs j
       SET status = CASE WHEN j.attempts < j.max_attempts THEN 'queued' ELSE 'failed' END,
           available_at = now(), lease_token = NULL, lease_expires_at = NULL,
           last_error = format('The lease of attempt %s expired without a heartbeat.', j.attempts)
      FROM due WHERE j.id = due.id
    RETURNING j.id, j.status)
  SELECT count(*)::integer, coalesce(array_agg(id) FILTER (WHERE status = 'failed'), '{}') INTO n, failed FROM changed;
  -- A statement after the UPDATE: it sees the jobs failed.
  PERFORM app.notify_planning_job(f) FROM unnest(failed) AS f;
  RETURN n;
END $$;

-- ---------------------------------------------------------------------------------------------
-- Feedback on an itinerary version or one of its items (not agent_feedback, which is about conversations).
CREATE TABLE itinerary_feedback (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    version_id     uuid NOT NULL,
    trip_id        uuid NOT NULL,
    item_id        uuid,
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    feedback_type  text NOT NULL CHECK (feedback_type IN ('rating', 'correction', 'suggestion')),
    rating         smallint CHECK (rating BETWEEN 1 AND 5),
    comment        text CHECK (length(comment) BETWEEN 1 AND 4000),
    created_at     timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (version_id, trip_id) REFERENCES itinerary_versions (id, trip_id) ON DELETE CASCADE,
    -- An item of that same version.
    FOREIGN KEY (item_id, version_id) REFERENCES itinerary_items (id, version_id) ON DELETE CASCADE,
    -- A rating has a rating; a correction or a suggestion says what.
    CHECK (feedback_type <> 'rating' OR rating IS NOT NULL),
    CHECK (feedback_type = 'rating' OR comment IS NOT NULL)
);
CREATE INDEX itinerary_feedback_version_idx ON itinerary_feedback (version_id, created_at, id);
CREATE INDEX itinerary_feedback_item_idx ON itinerary_feedback (item_id) WHERE item_id IS NOT NULL;
CREATE INDEX itinerary_feedback_user_idx ON itinerary_feedback (user_id);
CREATE INDEX itinerary_feedback_trip_idx ON itinerary_feedback (trip_id);

-- Whoever can read the trip reads its feedback and gives their own.
ALTER TABLE itinerary_feedback ENABLE ROW LEVEL SECURITY;
CREATE POLICY itinerary_feedback_read ON itinerary_feedback FOR SELECT TO travel_app USING (app.can_read_trip(trip_id));
CREATE POLICY itinerary_feedback_insert ON itinerary_feedback FOR INSERT TO travel_app
  WITH CHECK (user_id = app.current_user_id() AND app.can_read_trip(trip_id));
GRANT SELECT, INSERT (version_id, trip_id, item_id, user_id, feedback_type, rating, comment) ON itinerary_feedback TO travel_app;

-- An agent's view: feedback on the versions made by jobs it completed, oldest first after a keyset. Not who gave it.
CREATE FUNCTION app.planning_feedback_for_agent(p_agent uuid, p_after_at timestamptz, p_after_id uuid, p_limit integer)
RETURNS TABLE (id uuid, job_id uuid, trip_id uuid, version_id uuid, item_id uuid, feedback_type text, rating smallint,
               comment text, created_at timestamptz)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = public, pg_temp AS $$
  SELECT f.id, j.id, f.trip_id, f.version_id, f.item_id, f.feedback_type, f.rating, f.comment, f.created_at
    FROM planning_jobs j
    JOIN itinerary_feedback f ON f.version_id = j.result_version_id
   WHERE j.status = 'completed' AND j.agent_client_id = p_agent
     AND (p_after_at IS NULL OR (f.created_at, f.id) > (p_after_at, p_after_id))
   ORDER BY f.created_at, f.id
   LIMIT p_limit
$$;

REVOKE ALL ON FUNCTION app.notify_planning_job(uuid), app.claim_planning_job(uuid, interval), app.heartbeat_planning_job(uuid, uuid, uuid, interval),
  app.fail_planning_job(uuid, uuid, uuid, text, boolean, interval), app.begin_planning_completion(uuid, uuid, uuid),
  app.complete_planning_job(uuid, uuid, uuid, uuid, text, integer, integer), app.expire_planning_leases(timestamptz, integer),
  app.planning_feedback_for_agent(uuid, timestamptz, uuid, integer) FROM PUBLIC;
-- The agent side (the API checks the agents:planning scope and passes the token's client id).
GRANT EXECUTE ON FUNCTION app.claim_planning_job(uuid, interval), app.heartbeat_planning_job(uuid, uuid, uuid, interval),
  app.fail_planning_job(uuid, uuid, uuid, text, boolean, interval), app.begin_planning_completion(uuid, uuid, uuid),
  app.complete_planning_job(uuid, uuid, uuid, uuid, text, integer, integer),
  app.planning_feedback_for_agent(uuid, timestamptz, uuid, integer) TO travel_app;
GRANT EXECUTE ON FUNCTION app.expire_planning_leases(timestamptz, integer) TO travel_maintenance;

-- Planning agents.
ALTER TABLE agent_clients DROP CONSTRAINT agent_clients_scopes_check;
ALTER TABLE agent_clients ADD CONSTRAINT agent_clients_scopes_check CHECK (cardinality(scopes) >= 1
  AND scopes <@ ARRAY['agents:logs', 'agents:search-cache', 'agents:chat', 'agents:catalog', 'agents:provider-keys',
                      'agents:exchange-rates', 'agents:notifications', 'agents:planning']::text[]);
