using Dapper;
using Npgsql;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Itineraries;
using TravelFunctions.Data.Paging;

namespace TravelFunctions.Data.Planning;

/// <summary>
/// AI planning jobs (0023_planning_jobs.sql, docs/planning.md). Travellers queue and read them under row-level security
/// (as for the trip); agents claim, heartbeat, fail and complete them through owner-run functions in service context,
/// each call one short transaction on the pooled endpoint. Completing writes the itinerary version with
/// <see cref="ItineraryStore.CreateInAsync"/> in the job's transaction, under the job's row lock.
/// </summary>
public sealed class PlanningJobStore(Db db)
{
    /// <summary>Attempt n of a job that failed waits RetryBackoff·2^(n−1) before it is due again: 30 s, 60 s, 120 s…</summary>
    public static readonly TimeSpan RetryBackoff = TimeSpan.FromSeconds(30);

    private const string Columns = """
        id, trip_id, requested_by, status, input::text AS input_json, attempts, max_attempts, available_at, lease_expires_at, last_error,
        result_version_id, model_version, input_tokens, output_tokens, created_at, updated_at, completed_at
        """;

    // The trip's requirements when the job is queued: the trip, its destinations, its preferences and interests (as
    // TripPreferencesStore keeps them) and the requester's notes, read in the INSERT's own snapshot.
    private const string Snapshot = """
        jsonb_build_object(
          'trip', jsonb_build_object('id', t.id, 'title', t.title, 'description', t.description, 'tripType', t.trip_type,
                    'startDate', t.start_date, 'endDate', t.end_date, 'originCity', t.origin_city, 'originCountry', t.origin_country,
                    'travelerCount', t.traveler_count,
                    'budget', CASE WHEN t.budget_amount IS NULL THEN NULL
                                   ELSE jsonb_build_object('amount', t.budget_amount, 'currency', t.currency) END),
          'destinations', coalesce((SELECT jsonb_agg(jsonb_build_object('city', d.city, 'country', d.country,
                                             'arrivalDate', d.arrival_date, 'departureDate', d.departure_date) ORDER BY d.position)
                                      FROM trip_destinations d WHERE d.trip_id = t.id), '[]'),
          'preferences', (SELECT jsonb_build_object('customRestrictions', p.custom_restrictions,
                                    'accommodationTypes', to_jsonb(p.accommodation_types),
                                    'accommodationAmenities', to_jsonb(p.accommodation_amenities),
                                    'preferredActivityTimes', to_jsonb(p.preferred_activity_times),
                                    'avoidCrowds', p.avoid_crowds, 'preferOffbeat', p.prefer_offbeat, 'pace', p.pace,
                                    'dietaryRestrictions', to_jsonb(array(SELECT r.restriction FROM trip_dietary_restrictions r
                                                                           WHERE r.trip_id = t.id ORDER BY r.restriction)),
                                    'accessibilityNeeds', to_jsonb(array(SELECT n.need FROM trip_accessibility_needs n
                                                                          WHERE n.trip_id = t.id ORDER BY n.need)),
                                    'interests', coalesce((SELECT jsonb_agg(jsonb_build_object('category', i.category, 'priority', i.priority)
                                                                            ORDER BY i.priority DESC, i.category)
                                                             FROM trip_interests i WHERE i.trip_id = t.id), '[]'))
                            FROM trip_preferences p WHERE p.trip_id = t.id),
          'notes', @notes::text,
          'takenAt', now())
        """;

    /// <summary>
    /// Queues a job for the trip (owner and editors). With an Idempotency-Key, the same key and request again answer the
    /// job it queued; two racing with one key: the loser's insert hits the unique key and its retry finds the winner's job.
    /// </summary>
    public async Task<PlanningQueueing> QueueAsync(Guid userId, Guid tripId, string? notes, PlanningIdempotency? key, CancellationToken ct)
    {
        try
        {
            return await db.AsUserAsync(userId, tx => QueueInAsync(tx, tripId, notes, key), ct);
        }
        catch (PostgresException ex) when (key is not null && ex is { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: "planning_jobs_requested_by_idempotency_key_key" })
        {
            return await db.AsUserAsync(userId, tx => QueueInAsync(tx, tripId, notes, key), ct);
        }
    }

    private static async Task<PlanningQueueing> QueueInAsync(DbTx tx, Guid tripId, string? notes, PlanningIdempotency? key)
    {
        switch (await tx.QuerySingleOrDefaultAsync<string>("SELECT app.trip_role(@tripId)", new { tripId }))
        {
            case null: return new PlanningQueueing.TripNotFound();
            case "owner" or "editor": break;
            default: return new PlanningQueueing.Forbidden();
        }
        if (key is not null)
        {
            var previous = await tx.QuerySingleOrDefaultAsync<PlanningJobRowWithHash>($"""
                SELECT request_hash, {Columns} FROM planning_jobs
                 WHERE requested_by = app.current_user_id() AND idempotency_key = @Key
                """, new { key.Key });
            if (previous is not null)
                return previous.RequestHash.AsSpan().SequenceEqual(key.RequestHash)
                    ? new PlanningQueueing.Replayed(previous.ToRow()) : new PlanningQueueing.KeyReusedWithDifferentRequest();
        }
        var job = await tx.QuerySingleAsync<PlanningJobRow>($"""
            INSERT INTO planning_jobs (trip_id, requested_by, idempotency_key, request_hash, input)
            SELECT t.id, app.current_user_id(), @idempotencyKey, @requestHash, {Snapshot}
              FROM trips t WHERE t.id = @tripId
            RETURNING {Columns}
            """, new { tripId, notes, idempotencyKey = key?.Key, requestHash = key?.RequestHash });
        return new PlanningQueueing.Queued(job);
    }

    /// <returns>null when the caller cannot read the trip or it has no such job.</returns>
    public Task<PlanningJobRow?> GetAsync(Guid userId, Guid tripId, Guid jobId, CancellationToken ct) =>
        db.ReadAsUserAsync(userId, $"SELECT {Columns} FROM planning_jobs WHERE id = @jobId AND trip_id = @tripId",
            new { tripId, jobId }, grid => grid.ReadSingleOrDefaultAsync<PlanningJobRow>(), ct);

    /// <summary>The trip's jobs, newest first; null when the caller cannot read the trip.</summary>
    public Task<IReadOnlyList<PlanningJobRow>?> ListAsync(Guid userId, Guid tripId, PageRequest<DateTimeOffset> page, CancellationToken ct) =>
        db.ReadAsUserAsync<IReadOnlyList<PlanningJobRow>?>(userId, $"""
                SELECT app.can_read_trip(@tripId);
                SELECT {Columns} FROM planning_jobs
                 WHERE trip_id = @tripId
                   AND (@afterCreatedAt::timestamptz IS NULL OR (created_at, id) < (@afterCreatedAt, @afterId))
                 ORDER BY created_at DESC, id DESC
                 LIMIT @take
                """, new { tripId, afterCreatedAt = page.After?.Value, afterId = page.After?.Id, take = page.Take },
            async grid => await grid.ReadSingleAsync<bool>() ? (await grid.ReadAsync<PlanningJobRow>()).AsList() : null, ct);

    /// <summary>The next due job, leased to the agent for <paramref name="lease"/>; null when none is due.</summary>
    public Task<ClaimedPlanningJob?> ClaimAsync(Guid agent, TimeSpan lease, CancellationToken ct) =>
        db.AnonymousAsync(tx => tx.QuerySingleOrDefaultAsync<ClaimedPlanningJob>("""
            SELECT id, trip_id, input::text AS input_json, attempt, max_attempts, lease_token, lease_expires_at, created_at
              FROM app.claim_planning_job(@agent, @lease)
            """, new { agent, lease }), ct);

    public Task<LeaseOutcome> HeartbeatAsync(Guid agent, Guid jobId, Guid token, TimeSpan lease, CancellationToken ct) =>
        db.AnonymousAsync(async tx =>
        {
            var r = await tx.QuerySingleAsync<(string Outcome, DateTimeOffset? ExpiresAt)>(
                "SELECT outcome, expires_at FROM app.heartbeat_planning_job(@jobId, @agent, @token, @lease)", new { jobId, agent, token, lease });
            return Lease(r.Outcome, () => new LeaseOutcome.Held(r.ExpiresAt));
        }, ct);

    /// <summary>The holder gives up its attempt: queued again after the backoff, or failed for good (last attempt, or retry false).</summary>
    public Task<LeaseOutcome> FailAsync(Guid agent, Guid jobId, Guid token, string error, bool retry, CancellationToken ct) =>
        db.AnonymousAsync(async tx =>
        {
            var r = await tx.QuerySingleAsync<(string Outcome, string? Status, DateTimeOffset? AvailableAt)>(
                "SELECT outcome, status, available_at FROM app.fail_planning_job(@jobId, @agent, @token, @error, @retry, @backoff)",
                new { jobId, agent, token, error, retry, backoff = RetryBackoff });
            return Lease(r.Outcome, () => new LeaseOutcome.Held(null, r.Status, r.AvailableAt));
        }, ct);

    private static LeaseOutcome Lease(string outcome, Func<LeaseOutcome> held) => outcome switch
    {
        "held" => held(),
        "not_held" => new LeaseOutcome.NotHeld(),
        _ => new LeaseOutcome.NotFound(),
    };

    /// <summary>
    /// Completes the job with a new itinerary version written from <paramref name="result"/>, in one transaction that holds
    /// the job's row lock from the lease check to the status change: a requeue by the timer job, another claim or a second
    /// completion waits for it and then finds the job completed. The version is written as the requester while they may
    /// still write to the trip, else as its owner. A result that is not valid for the trip writes nothing and leaves the
    /// job held; completing again with the same lease token answers the version made the first time.
    /// </summary>
    public async Task<PlanningCompletion> CompleteAsync(Guid agent, Guid jobId, Guid token, NewItinerary result, int? inputTokens,
        int? outputTokens, CancellationToken ct)
    {
        try
        {
            return await db.AnonymousAsync<PlanningCompletion>(async tx =>
            {
                var begin = await tx.QuerySingleAsync<(string Outcome, Guid? TripId, Guid? ActAs, Guid? ResultVersionId)>(
                    "SELECT outcome, trip_id, act_as, result_version_id FROM app.begin_planning_completion(@jobId, @agent, @token)",
                    new { jobId, agent, token });
                switch (begin.Outcome)
                {
                    case "not_found": return new PlanningCompletion.NotFound();
                    case "not_held": return new PlanningCompletion.NotHeld();
                    case "completed": return new PlanningCompletion.AlreadyCompleted(begin.ResultVersionId);
                }
                await tx.ExecuteAsync("SELECT set_config('app.user_id', @actAs, true)", new { actAs = begin.ActAs!.Value.ToString() });
                var change = await ItineraryStore.CreateInAsync(tx, begin.TripId!.Value, result);
                if (change is not ItineraryChange.Done done)
                {
                    tx.RollbackWhenDone();
                    return change switch
                    {
                        ItineraryChange.Invalid i => new PlanningCompletion.Invalid(i.Field, i.Message),
                        // The act-as user is a writer by construction; anything else means the trip changed under us.
                        var other => new PlanningCompletion.Invalid("itinerary", $"The itinerary could not be written ({other.GetType().Name})."),
                    };
                }
                if (!await tx.ExecuteScalarAsync<bool>(
                        "SELECT app.complete_planning_job(@jobId, @agent, @token, @versionId, @model, @inputTokens, @outputTokens)",
                        new { jobId, agent, token, versionId = done.Itinerary.Id, model = result.ModelVersion, inputTokens, outputTokens }))
                    throw new InvalidOperationException($"Planning job {jobId} was held under its row lock but could not be completed.");
                return new PlanningCompletion.Completed(done.Itinerary);
            }, ct);
        }
        catch (PostgresException ex) when (ItineraryStore.ReferenceError(ex) is { } invalid)
        {
            return new PlanningCompletion.Invalid(invalid.Field, invalid.Message);
        }
    }

    /// <summary>A traveller who can read the trip gives feedback on a version of it, or on one of its items.</summary>
    public Task<FeedbackCreation> GiveFeedbackAsync(Guid userId, Guid tripId, Guid versionId, NewItineraryFeedback f, CancellationToken ct) =>
        db.AsUserAsync<FeedbackCreation>(userId, async tx =>
        {
            if (!await tx.ExecuteScalarAsync<bool>("SELECT app.can_read_trip(@tripId)", new { tripId }))
                return new FeedbackCreation.NotFound("The trip");
            if (!await tx.ExecuteScalarAsync<bool>(
                    "SELECT EXISTS (SELECT 1 FROM itinerary_versions WHERE id = @versionId AND trip_id = @tripId)", new { tripId, versionId }))
                return new FeedbackCreation.NotFound("The itinerary");
            if (f.ItemId is { } itemId && !await tx.ExecuteScalarAsync<bool>(
                    "SELECT EXISTS (SELECT 1 FROM itinerary_items WHERE id = @itemId AND version_id = @versionId)", new { itemId, versionId }))
                return new FeedbackCreation.Invalid("itemId", "This itinerary has no item with that id.");
            return new FeedbackCreation.Created(await tx.QuerySingleAsync<ItineraryFeedbackRow>("""
                INSERT INTO itinerary_feedback (version_id, trip_id, item_id, user_id, feedback_type, rating, comment)
                VALUES (@versionId, @tripId, @ItemId, app.current_user_id(), @FeedbackType, @Rating, @Comment)
                RETURNING id, trip_id, version_id, item_id, user_id, feedback_type, rating::int AS rating, comment, created_at
                """, new { versionId, tripId, f.ItemId, f.FeedbackType, Rating = (short?)f.Rating, f.Comment }));
        }, ct);

    /// <summary>A version's feedback, oldest first; null when the caller cannot read the trip.</summary>
    public Task<IReadOnlyList<ItineraryFeedbackRow>?> ListFeedbackAsync(Guid userId, Guid tripId, Guid versionId, PageRequest<DateTimeOffset> page,
        CancellationToken ct) =>
        db.ReadAsUserAsync<IReadOnlyList<ItineraryFeedbackRow>?>(userId, """
                SELECT app.can_read_trip(@tripId);
                SELECT id, trip_id, version_id, item_id, user_id, feedback_type, rating::int AS rating, comment, created_at
                  FROM itinerary_feedback
                 WHERE version_id = @versionId AND trip_id = @tripId
                   AND (@afterAt::timestamptz IS NULL OR (created_at, id) > (@afterAt, @afterId))
                 ORDER BY created_at, id
                 LIMIT @take
                """, new { tripId, versionId, afterAt = page.After?.Value, afterId = page.After?.Id, take = page.Take },
            async grid => await grid.ReadSingleAsync<bool>() ? (await grid.ReadAsync<ItineraryFeedbackRow>()).AsList() : null, ct);

    /// <summary>Feedback on the versions this agent's completed jobs made, oldest first after the keyset.</summary>
    public Task<List<AgentFeedbackRow>> AgentFeedbackAsync(Guid agent, PageRequest<DateTimeOffset> page, CancellationToken ct) =>
        db.AnonymousAsync(async tx => (await tx.QueryAsync<AgentFeedbackRow>("""
            SELECT id, job_id, trip_id, version_id, item_id, feedback_type, rating::int AS rating, comment, created_at
              FROM app.planning_feedback_for_agent(@agent, @afterAt, @afterId, @take)
            """, new { agent, afterAt = page.After?.Value, afterId = page.After?.Id, take = page.Take })).AsList(), ct);

    private sealed record PlanningJobRowWithHash(
        byte[] RequestHash, Guid Id, Guid TripId, Guid RequestedBy, string Status, string InputJson, int Attempts, int MaxAttempts,
        DateTimeOffset AvailableAt, DateTimeOffset? LeaseExpiresAt, string? LastError, Guid? ResultVersionId, string? ModelVersion,
        int? InputTokens, int? OutputTokens, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? CompletedAt)
    {
        public PlanningJobRow ToRow() => new(Id, TripId, RequestedBy, Status, InputJson, Attempts, MaxAttempts, AvailableAt, LeaseExpiresAt,
            LastError, ResultVersionId, ModelVersion, InputTokens, OutputTokens, CreatedAt, UpdatedAt, CompletedAt);
    }
}
