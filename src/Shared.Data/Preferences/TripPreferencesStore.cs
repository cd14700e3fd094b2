using Dapper;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.Preferences;

/// <summary>
/// A trip's preferences and interests, read and replaced as one document (PUT semantics) under row-level security:
/// members read, the owner and editors write. The document's version is its ETag; a save with an expected version
/// that is no longer current changes nothing.
/// </summary>
public sealed class TripPreferencesStore(Db db)
{
    // One batch: who I am on the trip, then the document's parts.
    private const string ReadSql = """
        SELECT app.trip_role(@tripId);
        SELECT custom_restrictions, accommodation_types, accommodation_amenities, preferred_activity_times,
               avoid_crowds, prefer_offbeat, pace, version, updated_at
          FROM trip_preferences WHERE trip_id = @tripId;
        SELECT restriction FROM trip_dietary_restrictions WHERE trip_id = @tripId ORDER BY restriction;
        SELECT need FROM trip_accessibility_needs WHERE trip_id = @tripId ORDER BY need;
        SELECT category, priority FROM trip_interests WHERE trip_id = @tripId ORDER BY priority DESC, category;
        """;

    /// <summary>The trip's preferences (<see cref="TripPreferences.None"/> when none are saved), or null when the trip is not the user's to see.</summary>
    public Task<TripPreferences?> GetAsync(Guid userId, Guid tripId, CancellationToken ct) =>
        db.ReadAsUserAsync(userId, ReadSql, new { tripId }, async grid =>
            await grid.ReadSingleOrDefaultAsync<string>() is null ? null : await ReadDocumentAsync(grid), ct);

    /// <summary>Replaces the whole document. <paramref name="expectedVersion"/> null: whatever is there; 0: only if none is saved yet.</summary>
    public Task<PreferencesChange> SaveAsync(Guid userId, Guid tripId, int? expectedVersion, TripPreferences input, CancellationToken ct) =>
        db.AsUserAsync<PreferencesChange>(userId, async tx =>
        {
            var role = await tx.QuerySingleOrDefaultAsync<string>("SELECT app.trip_role(@tripId)", new { tripId });
            if (role is null) return new PreferencesChange.TripNotFound();
            if (role == "viewer") return new PreferencesChange.Forbidden();

            var lists = new
            {
                tripId,
                dietary = input.DietaryRestrictions.ToArray(),
                needs = input.AccessibilityNeeds.ToArray(),
                categories = input.Interests.Select(i => i.Category).ToArray(),
                priorities = input.Interests.Select(i => i.Priority).ToArray(),
            };
            if (await tx.QuerySingleOrDefaultAsync<UnknownKeysRow>(UnknownKeysSql, lists) is { } unknown)
                return new PreferencesChange.UnknownKeys(unknown.Field, unknown.Keys);

            var current = await tx.QuerySingleOrDefaultAsync<int?>(
                "SELECT version FROM trip_preferences WHERE trip_id = @tripId FOR UPDATE", new { tripId });
            if (expectedVersion is { } expected && expected != (current ?? 0)) return new PreferencesChange.Stale();

            // A racing first save inserts between our read and this statement: the conflict arm then finds a version
            // we did not expect and returns nothing (stale), unless the caller said "whatever is there".
            var saved = await tx.QuerySingleOrDefaultAsync<int?>(UpsertSql, new
            {
                tripId, current = current ?? 0, anyVersion = expectedVersion is null, input.CustomRestrictions,
                accommodationTypes = input.AccommodationTypes.ToArray(), amenities = input.AccommodationAmenities.ToArray(),
                activityTimes = input.PreferredActivityTimes.ToArray(), input.AvoidCrowds, input.PreferOffbeat, input.Pace,
            });
            if (saved is null) return new PreferencesChange.Stale();
            await tx.ExecuteAsync(ReplaceListsSql, lists);

            await using var grid = await tx.Connection.QueryMultipleAsync(new CommandDefinition(
                ReadSql, new { tripId }, tx.Transaction, cancellationToken: tx.CancellationToken));
            await grid.ReadSingleAsync<string>();
            return new PreferencesChange.Saved(await ReadDocumentAsync(grid));
        }, ct);

    private const string UnknownKeysSql = """
        SELECT field, keys FROM (
          SELECT 1 AS n, 'dietaryRestrictions' AS field, array_agg(k ORDER BY k) AS keys
            FROM unnest(@dietary::text[]) AS k WHERE NOT EXISTS (SELECT 1 FROM dietary_restrictions d WHERE d.key = k)
          UNION ALL
          SELECT 2, 'accessibilityNeeds', array_agg(k ORDER BY k)
            FROM unnest(@needs::text[]) AS k WHERE NOT EXISTS (SELECT 1 FROM accessibility_needs a WHERE a.key = k)
          UNION ALL
          SELECT 3, 'interests', array_agg(k ORDER BY k)
            FROM unnest(@categories::text[]) AS k WHERE NOT EXISTS (SELECT 1 FROM interest_categories c WHERE c.key = k)
        ) AS unknown
        WHERE keys IS NOT NULL
        ORDER BY n LIMIT 1
        """;

    private const string UpsertSql = """
        INSERT INTO trip_preferences AS p (trip_id, custom_restrictions, accommodation_types, accommodation_amenities,
                                           preferred_activity_times, avoid_crowds, prefer_offbeat, pace, updated_by)
        VALUES (@tripId, @CustomRestrictions, @accommodationTypes, @amenities, @activityTimes, @AvoidCrowds, @PreferOffbeat,
                @Pace, app.current_user_id())
        ON CONFLICT (trip_id) DO UPDATE
           SET custom_restrictions = EXCLUDED.custom_restrictions, accommodation_types = EXCLUDED.accommodation_types,
               accommodation_amenities = EXCLUDED.accommodation_amenities,
               preferred_activity_times = EXCLUDED.preferred_activity_times, avoid_crowds = EXCLUDED.avoid_crowds,
               prefer_offbeat = EXCLUDED.prefer_offbeat, pace = EXCLUDED.pace, updated_by = EXCLUDED.updated_by,
               version = p.version + 1, updated_at = now()
         WHERE @anyVersion OR p.version = @current
        RETURNING version
        """;

    private const string ReplaceListsSql = """
        DELETE FROM trip_dietary_restrictions WHERE trip_id = @tripId;
        INSERT INTO trip_dietary_restrictions (trip_id, restriction) SELECT @tripId, k FROM unnest(@dietary::text[]) AS k;
        DELETE FROM trip_accessibility_needs WHERE trip_id = @tripId;
        INSERT INTO trip_accessibility_needs (trip_id, need) SELECT @tripId, k FROM unnest(@needs::text[]) AS k;
        DELETE FROM trip_interests WHERE trip_id = @tripId;
        INSERT INTO trip_interests (trip_id, category, priority)
        SELECT @tripId, c, p FROM unnest(@categories::text[], @priorities::integer[]) AS i (c, p);
        """;

    private static async Task<TripPreferences> ReadDocumentAsync(SqlMapper.GridReader grid)
    {
        var row = await grid.ReadSingleOrDefaultAsync<PreferencesRow>();
        var dietary = (await grid.ReadAsync<string>()).AsList();
        var needs = (await grid.ReadAsync<string>()).AsList();
        var interests = (await grid.ReadAsync<TripInterest>()).AsList();
        return row is null ? TripPreferences.None : new TripPreferences(dietary, needs, row.CustomRestrictions,
            row.AccommodationTypes, row.AccommodationAmenities, row.PreferredActivityTimes, row.AvoidCrowds, row.PreferOffbeat,
            row.Pace, interests, row.Version, row.UpdatedAt);
    }

    // Classes, not positional records: Dapper matches a constructor only on exact column types (text[] reads as
    // System.Array, timestamptz as DateTime), while properties take the values through casts and type handlers.
    private sealed class PreferencesRow
    {
        public string? CustomRestrictions { get; init; }
        public string[] AccommodationTypes { get; init; } = [];
        public string[] AccommodationAmenities { get; init; } = [];
        public string[] PreferredActivityTimes { get; init; } = [];
        public bool AvoidCrowds { get; init; }
        public bool PreferOffbeat { get; init; }
        public string? Pace { get; init; }
        public int Version { get; init; }
        public DateTimeOffset UpdatedAt { get; init; }
    }

    private sealed class UnknownKeysRow
    {
        public string Field { get; init; } = "";
        public string[] Keys { get; init; } = [];
    }
}
