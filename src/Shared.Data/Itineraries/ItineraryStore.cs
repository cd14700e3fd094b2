using System.Globalization;
using System.Text.Json;
using Npgsql;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Paging;

namespace TravelFunctions.Data.Itineraries;

/// <summary>
/// Itinerary versions of a trip, their days and ordered items. Access is the trip's (app.trip_role under RLS): owner and
/// editors write, viewers read. Every change to a version's days or items happens under its row lock (FOR UPDATE), after
/// the caller's If-Match revision is compared with the locked row, so of two writers holding the same ETag one wins and
/// the other gets Stale; the database keeps positions dense (0018's deferred trigger) and bumps the revision.
/// </summary>
public sealed class ItineraryStore(Db db)
{
    /// <summary>A day holds at most this many items (0018's CHECK on position).</summary>
    public const int MaxItemsPerDay = 100;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    // One statement, so the version, its days and items and the totals are one snapshot.
    private const string Whole = """
        SELECT v.id, v.trip_id, v.number, v.title, v.generated_by, v.model_version, v.is_selected, v.revision, v.created_by,
               v.created_at, v.updated_at, t.traveler_count,
               (SELECT count(*)::int FROM itinerary_items i WHERE i.version_id = v.id) AS item_count,
               (SELECT count(*)::int FROM itinerary_items i WHERE i.version_id = v.id AND i.status IN ('planned', 'completed')) AS activity_count,
               (SELECT coalesce(json_agg(json_build_object(
                          'id', d.id, 'dayNumber', d.day_number, 'date', d.date, 'city', d.city, 'title', d.title,
                          'items', (SELECT coalesce(json_agg(json_build_object(
                                             'id', i.id, 'position', i.position, 'itemType', i.item_type, 'title', i.title,
                                             'description', i.description, 'startTime', to_char(i.start_time, 'HH24:MI'),
                                             'endTime', to_char(i.end_time, 'HH24:MI'), 'durationMinutes', i.duration_minutes,
                                             'costPerPerson', i.cost_per_person, 'currency', i.currency,
                                             'bookingRequired', i.booking_required, 'bookingId', i.booking_id,
                                             'attractionId', i.attraction_id, 'attractionName', a.name,
                                             'attractionLat', ST_Y(a.location::geometry), 'attractionLon', ST_X(a.location::geometry),
                                             'status', i.status, 'delayedToItemId', i.delayed_to_item_id, 'aiReason', i.ai_reason,
                                             'aiConfidence', i.ai_confidence, 'userRating', i.user_rating,
                                             'createdAt', i.created_at, 'updatedAt', i.updated_at) ORDER BY i.position), '[]')
                                      FROM itinerary_items i LEFT JOIN attractions a ON a.id = i.attraction_id
                                     WHERE i.day_id = d.id)) ORDER BY d.day_number), '[]')
                  FROM itinerary_days d WHERE d.version_id = v.id)::text AS days_json,
               (SELECT coalesce(json_agg(json_build_object('currency', c.currency, 'perPerson', c.per_person,
                                                           'total', c.per_person * t.traveler_count) ORDER BY c.currency), '[]')
                  FROM (SELECT i.currency, sum(i.cost_per_person) AS per_person FROM itinerary_items i
                         WHERE i.version_id = v.id AND i.status IN ('planned', 'completed') AND i.currency IS NOT NULL
                         GROUP BY i.currency) c)::text AS costs_json
          FROM itinerary_versions v JOIN trips t ON t.id = v.trip_id
         WHERE v.id = @versionId AND v.trip_id = @tripId
        """;

    /// <returns>null when the caller cannot read the trip or it has no such version.</returns>
    public Task<ItineraryRow?> GetAsync(Guid userId, Guid tripId, Guid versionId, CancellationToken ct) =>
        db.ReadAsUserAsync(userId, Whole, new { tripId, versionId }, grid => grid.ReadSingleOrDefaultAsync<ItineraryRow>(), ct);

    /// <summary>Newest first by creation; null when the caller cannot read the trip.</summary>
    public Task<IReadOnlyList<ItinerarySummaryRow>?> ListAsync(Guid userId, Guid tripId, PageRequest<DateTimeOffset> page, CancellationToken ct) =>
        db.ReadAsUserAsync<IReadOnlyList<ItinerarySummaryRow>?>(userId, """
                SELECT app.can_read_trip(@tripId);
                SELECT v.id, v.trip_id, v.number, v.title, v.generated_by, v.model_version, v.is_selected, v.revision,
                       (SELECT count(*)::int FROM itinerary_days d WHERE d.version_id = v.id) AS day_count,
                       (SELECT count(*)::int FROM itinerary_items i WHERE i.version_id = v.id) AS item_count,
                       v.created_at, v.updated_at
                  FROM itinerary_versions v
                 WHERE v.trip_id = @tripId
                   AND (@afterCreatedAt::timestamptz IS NULL OR (v.created_at, v.id) < (@afterCreatedAt, @afterId))
                 ORDER BY v.created_at DESC, v.id DESC
                 LIMIT @take
                """, new { tripId, afterCreatedAt = page.After?.Value, afterId = page.After?.Id, take = page.Take },
            async grid => await grid.ReadSingleAsync<bool>() ? (await grid.ReadAsync<ItinerarySummaryRow>()).ToList() : null, ct);

    /// <summary>A whole version in one request. The trip's first version is selected; a later one when <see cref="NewItinerary.Select"/>.</summary>
    public Task<ItineraryChange> CreateAsync(Guid userId, Guid tripId, NewItinerary doc, CancellationToken ct) =>
        WithReferenceErrorsAsync(() => db.AsUserAsync(userId, tx => CreateInAsync(tx, tripId, doc), ct));

    /// <summary>
    /// <see cref="CreateAsync"/> inside the caller's transaction, as whoever its app.user_id names (a completed planning job
    /// writes its version so, in the job's transaction). Refusals come before the first write; a reference a concurrent
    /// delete removed throws the foreign key's <see cref="PostgresException"/> (<see cref="WithReferenceErrorsAsync"/> maps it).
    /// </summary>
    public static async Task<ItineraryChange> CreateInAsync(DbTx tx, Guid tripId, NewItinerary doc)
    {
        if (await WriterAsync(tx, tripId) is { } refused) return refused;
        // Every refusal below comes before the first write. The trip row lock orders version creation and selection
        // per trip (numbers, the one selected version) and holds the trip's dates still while the days are checked.
        var trip = await tx.QuerySingleAsync<TripDates>(
            "SELECT start_date, end_date FROM trips WHERE id = @tripId FOR NO KEY UPDATE", new { tripId });
        for (var d = 0; d < doc.Days.Count; d++)
            if (doc.Days[d].Date < trip.StartDate || doc.Days[d].Date > trip.EndDate)
                return new ItineraryChange.Invalid($"days[{d}].date", $"The date must fall within the trip's dates ({trip.StartDate:yyyy-MM-dd} to {trip.EndDate:yyyy-MM-dd}).");
        var items = doc.Days.SelectMany((day, d) => day.Items.Select((item, i) => (Field: $"days[{d}].items[{i}]", Item: item))).ToList();
        if (await ReferencesAsync(tx, tripId, items) is { } bad) return bad;

        var versionId = Guid.NewGuid();
        var first = await tx.ExecuteScalarAsync<int>("SELECT count(*)::int FROM itinerary_versions WHERE trip_id = @tripId", new { tripId }) == 0;
        if (doc.Select && !first)
            await tx.ExecuteAsync("UPDATE itinerary_versions SET is_selected = false WHERE trip_id = @tripId AND is_selected", new { tripId });
        await tx.ExecuteAsync("""
            INSERT INTO itinerary_versions (id, trip_id, number, title, generated_by, model_version, is_selected, created_by)
            SELECT @versionId, @tripId, coalesce(max(number), 0) + 1, @Title, @GeneratedBy, @ModelVersion, @selected, app.current_user_id()
              FROM itinerary_versions WHERE trip_id = @tripId
            """, new { versionId, tripId, doc.Title, doc.GeneratedBy, doc.ModelVersion, selected = first || doc.Select });

        var days = doc.Days.Select(d => (Id: Guid.NewGuid(), Day: d)).ToList();
        await tx.ExecuteAsync("""
            INSERT INTO itinerary_days (id, version_id, trip_id, day_number, date, city, title)
            SELECT x.id, @versionId, @tripId, x.day_number, x.date, x.city, x.title
              FROM json_to_recordset(@days::json) AS x(id uuid, day_number smallint, date date, city text, title text)
            """, new
        {
            versionId, tripId,
            days = JsonSerializer.Serialize(days.Select(d => new Dictionary<string, object?>
            {
                ["id"] = d.Id, ["day_number"] = d.Day.DayNumber, ["date"] = d.Day.Date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), ["city"] = d.Day.City, ["title"] = d.Day.Title,
            })),
        });
        var rows = days.SelectMany(d => d.Day.Items.Select((item, i) => ItemJson(Guid.NewGuid(), d.Id, i + 1, item))).ToList();
        if (rows.Count > 0) await InsertItemsAsync(tx, versionId, tripId, rows);
        return new ItineraryChange.Done((await ReadAsync(tx, tripId, versionId))!);
    }

    /// <summary>Makes the version the trip's selected one (one transaction: the previous one is unselected with it).</summary>
    public Task<ItineraryChange> SelectAsync(Guid userId, Guid tripId, Guid versionId, CancellationToken ct) =>
        db.AsUserAsync<ItineraryChange>(userId, async tx =>
        {
            if (await WriterAsync(tx, tripId) is { } refused) return refused;
            await tx.ExecuteAsync("SELECT 1 FROM trips WHERE id = @tripId FOR NO KEY UPDATE", new { tripId });
            var selected = await tx.QuerySingleOrDefaultAsync<bool?>(
                "SELECT is_selected FROM itinerary_versions WHERE id = @versionId AND trip_id = @tripId", new { tripId, versionId });
            if (selected is null) return new ItineraryChange.NotFound("The itinerary");
            if (selected == false)
            {
                await tx.ExecuteAsync("UPDATE itinerary_versions SET is_selected = false WHERE trip_id = @tripId AND is_selected", new { tripId });
                await tx.ExecuteAsync("UPDATE itinerary_versions SET is_selected = true WHERE id = @versionId", new { versionId });
            }
            return new ItineraryChange.Done((await ReadAsync(tx, tripId, versionId))!);
        }, ct);

    /// <summary>
    /// Deletes a version with its days and items. The selected one goes only when it is the trip's last version: otherwise
    /// another is selected first (Conflict), so the trip never has versions and none selected.
    /// </summary>
    public Task<ItineraryChange?> DeleteAsync(Guid userId, Guid tripId, Guid versionId, CancellationToken ct) =>
        db.AsUserAsync<ItineraryChange?>(userId, async tx =>
        {
            if (await WriterAsync(tx, tripId) is { } refused) return refused;
            await tx.ExecuteAsync("SELECT 1 FROM trips WHERE id = @tripId FOR NO KEY UPDATE", new { tripId });
            var selected = await tx.QuerySingleOrDefaultAsync<bool?>(
                "SELECT is_selected FROM itinerary_versions WHERE id = @versionId AND trip_id = @tripId", new { tripId, versionId });
            if (selected is null) return new ItineraryChange.NotFound("The itinerary");
            if (selected == true && await tx.ExecuteScalarAsync<bool>(
                    "SELECT EXISTS (SELECT 1 FROM itinerary_versions WHERE trip_id = @tripId AND id <> @versionId)", new { tripId, versionId }))
                return new ItineraryChange.Conflict("This is the trip's selected itinerary; select another version before deleting it.");
            await tx.ExecuteAsync("DELETE FROM itinerary_versions WHERE id = @versionId", new { versionId });
            return null;
        }, ct);

    /// <summary>A new item in a day, at a position (absent: last); the items from there on move down one.</summary>
    public Task<ItineraryChange> AddItemAsync(Guid userId, Guid tripId, Guid versionId, int? expected, DayRef to, int? position,
        NewItineraryItem item, CancellationToken ct) =>
        WriteAsync(userId, tripId, versionId, expected, async tx =>
        {
            if (await DayAsync(tx, versionId, to) is not { } day) return MissingDay(to, target: false);
            if (await ReferencesAsync(tx, tripId, [(Field: "", Item: item)]) is { } bad) return bad;
            if (await OpenAsync(tx, day, position) is { } refused) return refused;
            var itemId = Guid.NewGuid();
            await InsertItemsAsync(tx, versionId, tripId, [ItemJson(itemId, day.Id, position ?? day.Count + 1, item)]);
            return new ItineraryChange.Done((await ReadAsync(tx, tripId, versionId))!, itemId);
        }, ct);

    public Task<ItineraryChange> UpdateItemAsync(Guid userId, Guid tripId, Guid versionId, Guid itemId, int? expected, ItineraryItemPatch p,
        CancellationToken ct) =>
        WriteAsync(userId, tripId, versionId, expected, async tx =>
        {
            var current = await tx.QuerySingleOrDefaultAsync<ItemState>(
                """
                SELECT item_type, status, attraction_id, to_char(start_time, 'HH24:MI') AS start_time, to_char(end_time, 'HH24:MI') AS end_time
                  FROM itinerary_items WHERE id = @itemId AND version_id = @versionId
                """,
                new { itemId, versionId });
            if (current is null) return new ItineraryChange.NotFound("The item");
            var type = p.ItemType ?? current.ItemType;
            var attraction = p.ClearAttraction ? null : p.AttractionId ?? current.AttractionId;
            if (attraction is not null && type != "attraction")
                return new ItineraryChange.Invalid(p.ItemType is null ? "attractionId" : "itemType", "Only an item of type attraction points at an attraction.");
            // Times as they end up (one may be set, the other kept), "HH:mm" comparing as text does as times.
            var start = p.ClearStartTime ? null : p.StartTime ?? current.StartTime;
            var end = p.ClearEndTime ? null : p.EndTime ?? current.EndTime;
            if (start is not null && end is not null && string.CompareOrdinal(end, start) < 0)
                return new ItineraryChange.Invalid(p.EndTime is null ? "startTime" : "endTime", "The end time must not be before the start time.");
            if (p.Status == "delayed" && current.Status != "delayed")
                return new ItineraryChange.Invalid("status", "An item is delayed with POST .../items/{itemId}/delay, which makes its copy.");
            var probe = new NewItineraryItem(type, "-", BookingId: p.BookingId, AttractionId: p.AttractionId);
            if (await ReferencesAsync(tx, tripId, [(Field: "", Item: probe)]) is { } bad) return bad;
            await tx.ExecuteAsync("""
                UPDATE itinerary_items SET
                    item_type = coalesce(@ItemType, item_type),
                    title = coalesce(@Title, title),
                    description = CASE WHEN @ClearDescription THEN NULL ELSE coalesce(@Description, description) END,
                    start_time = CASE WHEN @ClearStartTime THEN NULL ELSE coalesce(@StartTime::time, start_time) END,
                    end_time = CASE WHEN @ClearEndTime THEN NULL ELSE coalesce(@EndTime::time, end_time) END,
                    duration_minutes = CASE WHEN @ClearDuration THEN NULL ELSE coalesce(@DurationMinutes, duration_minutes) END,
                    cost_per_person = CASE WHEN @ClearCost THEN NULL ELSE coalesce(@CostPerPerson, cost_per_person) END,
                    currency = CASE WHEN @ClearCost THEN NULL ELSE coalesce(@Currency, currency) END,
                    booking_required = coalesce(@BookingRequired, booking_required),
                    booking_id = CASE WHEN @ClearBooking THEN NULL ELSE coalesce(@BookingId, booking_id) END,
                    attraction_id = CASE WHEN @ClearAttraction THEN NULL ELSE coalesce(@AttractionId, attraction_id) END,
                    status = coalesce(@Status, status),
                    delayed_to_item_id = CASE WHEN coalesce(@Status, status) = 'delayed' THEN delayed_to_item_id END,
                    ai_reason = CASE WHEN @ClearAiReason THEN NULL ELSE coalesce(@AiReason, ai_reason) END,
                    ai_confidence = CASE WHEN @ClearAiConfidence THEN NULL ELSE coalesce(@AiConfidence, ai_confidence) END,
                    user_rating = CASE WHEN @ClearUserRating THEN NULL ELSE coalesce(@UserRating, user_rating) END
                 WHERE id = @itemId
                """, new
            {
                p.ItemType, p.Title, p.Description, p.ClearDescription, p.StartTime, p.ClearStartTime, p.EndTime, p.ClearEndTime,
                p.DurationMinutes, p.ClearDuration, p.CostPerPerson, p.Currency, p.ClearCost, p.BookingRequired, p.BookingId, p.ClearBooking,
                p.AttractionId, p.ClearAttraction, p.Status, p.AiReason, p.ClearAiReason, p.AiConfidence, p.ClearAiConfidence,
                UserRating = (short?)p.UserRating, p.ClearUserRating, itemId,
            });
            return new ItineraryChange.Done((await ReadAsync(tx, tripId, versionId))!, itemId);
        }, ct);

    /// <summary>Removes an item; the items after it in its day move up one.</summary>
    public Task<ItineraryChange> RemoveItemAsync(Guid userId, Guid tripId, Guid versionId, Guid itemId, int? expected, CancellationToken ct) =>
        WriteAsync(userId, tripId, versionId, expected, async tx =>
        {
            var removed = await tx.QuerySingleOrDefaultAsync<Placed>(
                "DELETE FROM itinerary_items WHERE id = @itemId AND version_id = @versionId RETURNING day_id, position", new { itemId, versionId });
            if (removed is null) return new ItineraryChange.NotFound("The item");
            await tx.ExecuteAsync("UPDATE itinerary_items SET position = position - 1 WHERE day_id = @DayId AND position > @Position", removed);
            return new ItineraryChange.Done((await ReadAsync(tx, tripId, versionId))!);
        }, ct);

    /// <summary>
    /// Moves an item to a position of the same day or of another day of the version (absent position: last). Both days
    /// stay dense: the source closes its gap, the target opens one.
    /// </summary>
    public Task<ItineraryChange> MoveItemAsync(Guid userId, Guid tripId, Guid versionId, Guid itemId, int? expected, DayRef to, int? position,
        CancellationToken ct) =>
        WriteAsync(userId, tripId, versionId, expected, async tx =>
        {
            var from = await tx.QuerySingleOrDefaultAsync<Placed>(
                "SELECT day_id, position FROM itinerary_items WHERE id = @itemId AND version_id = @versionId", new { itemId, versionId });
            if (from is null) return new ItineraryChange.NotFound("The item");
            if (await DayAsync(tx, versionId, to) is not { } day) return MissingDay(to);
            if (day.Id == from.DayId)
            {
                var target = position ?? day.Count;
                if (target > day.Count) return new ItineraryChange.Invalid("position", $"The day has {day.Count} items: a position from 1 to {day.Count}.");
                // One statement: the unique (day, position) is deferrable, so it is checked once the whole shift is done.
                await tx.ExecuteAsync("""
                    UPDATE itinerary_items SET position = CASE WHEN id = @itemId THEN @target
                                                               WHEN @target > @from THEN position - 1 ELSE position + 1 END
                     WHERE day_id = @day AND position BETWEEN least(@from, @target) AND greatest(@from, @target)
                    """, new { itemId, target = (short)target, from = (short)from.Position, day = day.Id });
            }
            else
            {
                if (await OpenAsync(tx, day, position) is { } refused) return refused;
                await tx.ExecuteAsync("UPDATE itinerary_items SET day_id = @day, position = @target WHERE id = @itemId",
                    new { day = day.Id, target = (short)(position ?? day.Count + 1), itemId });
                await tx.ExecuteAsync("UPDATE itinerary_items SET position = position - 1 WHERE day_id = @DayId AND position > @Position", from);
            }
            return new ItineraryChange.Done((await ReadAsync(tx, tripId, versionId))!, itemId);
        }, ct);

    /// <summary>A day's items in a new order: the ids of all its items, each once.</summary>
    public Task<ItineraryChange> ReorderDayAsync(Guid userId, Guid tripId, Guid versionId, Guid dayId, int? expected, IReadOnlyList<Guid> itemIds,
        CancellationToken ct) =>
        WriteAsync(userId, tripId, versionId, expected, async tx =>
        {
            if (await DayAsync(tx, versionId, new DayRef(dayId, null)) is null) return new ItineraryChange.NotFound("The day");
            var current = (await tx.QueryAsync<Guid>("SELECT id FROM itinerary_items WHERE day_id = @dayId", new { dayId })).ToHashSet();
            if (current.Count != itemIds.Count || !current.SetEquals(itemIds))
                return new ItineraryChange.Invalid("itemIds", $"List every item of the day exactly once ({current.Count} items).");
            await tx.ExecuteAsync("""
                UPDATE itinerary_items i SET position = o.ord
                  FROM unnest(@itemIds::uuid[]) WITH ORDINALITY AS o(id, ord)
                 WHERE i.id = o.id AND i.day_id = @dayId AND i.position <> o.ord
                """, new { itemIds = itemIds.ToArray(), dayId });
            return new ItineraryChange.Done((await ReadAsync(tx, tripId, versionId))!);
        }, ct);

    /// <summary>
    /// Delays an item to another day: the original stays where it is with status delayed and a pointer to its copy, made
    /// planned in the target day at the position (absent: last).
    /// </summary>
    public Task<ItineraryChange> DelayItemAsync(Guid userId, Guid tripId, Guid versionId, Guid itemId, int? expected, DayRef to, int? position,
        CancellationToken ct) =>
        WriteAsync(userId, tripId, versionId, expected, async tx =>
        {
            var from = await tx.QuerySingleOrDefaultAsync<DelaySource>(
                "SELECT day_id, status FROM itinerary_items WHERE id = @itemId AND version_id = @versionId", new { itemId, versionId });
            if (from is null) return new ItineraryChange.NotFound("The item");
            if (from.Status == "delayed") return new ItineraryChange.Conflict("The item is already delayed; delay its copy instead.");
            if (from.Status == "completed") return new ItineraryChange.Conflict("A completed item cannot be delayed.");
            if (await DayAsync(tx, versionId, to) is not { } day) return MissingDay(to);
            if (day.Id == from.DayId)
                return new ItineraryChange.Invalid(to.DayId is null ? "toDayNumber" : "toDayId", "Delay to another day; to change the order within the day, move the item.");
            if (await OpenAsync(tx, day, position) is { } refused) return refused;
            var copyId = Guid.NewGuid();
            await tx.ExecuteAsync("""
                INSERT INTO itinerary_items (id, day_id, version_id, trip_id, position, item_type, title, description, start_time, end_time,
                                             duration_minutes, cost_per_person, currency, booking_required, booking_id, attraction_id, status,
                                             ai_reason, ai_confidence, user_rating)
                SELECT @copyId, @day, version_id, trip_id, @target, item_type, title, description, start_time, end_time,
                       duration_minutes, cost_per_person, currency, booking_required, booking_id, attraction_id, 'planned',
                       ai_reason, ai_confidence, NULL
                  FROM itinerary_items WHERE id = @itemId
                """, new { copyId, day = day.Id, target = (short)(position ?? day.Count + 1), itemId });
            await tx.ExecuteAsync("UPDATE itinerary_items SET status = 'delayed', delayed_to_item_id = @copyId WHERE id = @itemId", new { copyId, itemId });
            return new ItineraryChange.Done((await ReadAsync(tx, tripId, versionId))!, copyId);
        }, ct);

    // ---------------------------------------------------------------------------------------------

    private sealed record TripDates(DateOnly StartDate, DateOnly EndDate);
    private sealed record ItemState(string ItemType, string Status, Guid? AttractionId, string? StartTime, string? EndTime);
    private sealed record Placed(Guid DayId, short Position);
    private sealed record DelaySource(Guid DayId, string Status);
    private sealed record DayState(Guid Id, int Count);

    /// <summary>null when the caller may write the trip; else why not (404 for those who cannot read it, 403 for viewers).</summary>
    private static async Task<ItineraryChange?> WriterAsync(DbTx tx, Guid tripId) =>
        await tx.QuerySingleOrDefaultAsync<string>("SELECT app.trip_role(@tripId)", new { tripId }) switch
        {
            null => new ItineraryChange.NotFound("The trip"),
            "owner" or "editor" => null,
            _ => new ItineraryChange.Forbidden(),
        };

    /// <summary>A change to a version's days or items: the trip's writers only, under the version's row lock, at the expected revision.</summary>
    private Task<ItineraryChange> WriteAsync(Guid userId, Guid tripId, Guid versionId, int? expected, Func<DbTx, Task<ItineraryChange>> change,
        CancellationToken ct) =>
        WithReferenceErrorsAsync(() => db.AsUserAsync<ItineraryChange>(userId, async tx =>
        {
            if (await WriterAsync(tx, tripId) is { } refused) return refused;
            var revision = await tx.QuerySingleOrDefaultAsync<int?>(
                "SELECT revision FROM itinerary_versions WHERE id = @versionId AND trip_id = @tripId FOR UPDATE", new { versionId, tripId });
            if (revision is null) return new ItineraryChange.NotFound("The itinerary");
            if (expected is { } e && e != revision) return new ItineraryChange.Stale();
            var result = await change(tx);
            if (result is not ItineraryChange.Done) tx.RollbackWhenDone();
            return result;
        }, ct));

    /// <summary>A reference the pre-checks passed but a concurrent delete removed (the attraction, the booking): the foreign key's 400.</summary>
    public static async Task<ItineraryChange> WithReferenceErrorsAsync(Func<Task<ItineraryChange>> work)
    {
        try
        {
            return await work();
        }
        catch (PostgresException ex) when (ReferenceError(ex) is { } invalid)
        {
            // Nothing was written: the transaction rolled back with the failed statement.
            return invalid;
        }
    }

    /// <summary>The 400 for an item reference's foreign key failing (a concurrent delete); null for any other error.</summary>
    public static ItineraryChange.Invalid? ReferenceError(PostgresException ex) => ex switch
    {
        { SqlState: PostgresErrorCodes.ForeignKeyViolation, ConstraintName: "itinerary_items_booking_same_trip" } =>
            new("bookingId", "No booking of this trip has that id."),
        { SqlState: PostgresErrorCodes.ForeignKeyViolation, ConstraintName: "itinerary_items_attraction_id_fkey" } =>
            new("attractionId", "No attraction in the catalog has that id."),
        _ => null,
    };

    private static Task<DayState?> DayAsync(DbTx tx, Guid versionId, DayRef to) =>
        tx.QuerySingleOrDefaultAsync<DayState>("""
            SELECT d.id, (SELECT count(*)::int FROM itinerary_items i WHERE i.day_id = d.id) AS count
              FROM itinerary_days d
             WHERE d.version_id = @versionId AND (d.id = @DayId OR d.day_number = @DayNumber)
            """, new { versionId, to.DayId, DayNumber = (short?)to.DayNumber });

    /// <param name="target">The members naming the day: "dayId"/"dayNumber" (add) or "toDayId"/"toDayNumber" (move, delay).</param>
    private static ItineraryChange MissingDay(DayRef to, bool target = true) => to.DayId is null
        ? new ItineraryChange.Invalid(target ? "toDayNumber" : "dayNumber", "The itinerary has no day with that number.")
        : new ItineraryChange.Invalid(target ? "toDayId" : "dayId", "The itinerary has no day with that id.");

    /// <summary>Opens a place at the position (absent: after the last item) of a day: the items from there on move down one.</summary>
    private static async Task<ItineraryChange?> OpenAsync(DbTx tx, DayState day, int? position)
    {
        if (day.Count >= MaxItemsPerDay) return new ItineraryChange.Conflict($"The day already holds {MaxItemsPerDay} items.");
        if (position > day.Count + 1) return new ItineraryChange.Invalid("position", $"The day has {day.Count} items: a position from 1 to {day.Count + 1}.");
        if (position is { } p)
            await tx.ExecuteAsync("UPDATE itinerary_items SET position = position + 1 WHERE day_id = @day AND position >= @p",
                new { day = day.Id, p = (short)p });
        return null;
    }

    /// <summary>Attractions must be in the catalog and bookings of this trip (the foreign keys say so too; this names the field).</summary>
    private static async Task<ItineraryChange?> ReferencesAsync(DbTx tx, Guid tripId, IReadOnlyList<(string Field, NewItineraryItem Item)> items)
    {
        static string Name(string prefix, string member) => prefix.Length == 0 ? member : prefix + "." + member;
        var attractions = items.Where(x => x.Item.AttractionId is not null).Select(x => x.Item.AttractionId!.Value).Distinct().ToArray();
        if (attractions.Length > 0)
        {
            var known = (await tx.QueryAsync<Guid>("SELECT id FROM attractions WHERE id = ANY(@attractions)", new { attractions })).ToHashSet();
            if (items.FirstOrDefault(x => x.Item.AttractionId is { } a && !known.Contains(a)) is { Field: { } f })
                return new ItineraryChange.Invalid(Name(f, "attractionId"), "No attraction in the catalog has that id.");
        }
        var bookings = items.Where(x => x.Item.BookingId is not null).Select(x => x.Item.BookingId!.Value).Distinct().ToArray();
        if (bookings.Length > 0)
        {
            var known = (await tx.QueryAsync<Guid>("SELECT id FROM bookings WHERE trip_id = @tripId AND id = ANY(@bookings)", new { tripId, bookings })).ToHashSet();
            if (items.FirstOrDefault(x => x.Item.BookingId is { } b && !known.Contains(b)) is { Field: { } f })
                return new ItineraryChange.Invalid(Name(f, "bookingId"), "No booking of this trip has that id.");
        }
        return null;
    }

    private static Dictionary<string, object?> ItemJson(Guid id, Guid dayId, int position, NewItineraryItem i) => new()
    {
        ["id"] = id, ["day_id"] = dayId, ["position"] = position, ["item_type"] = i.ItemType, ["title"] = i.Title, ["description"] = i.Description,
        ["start_time"] = i.StartTime, ["end_time"] = i.EndTime, ["duration_minutes"] = i.DurationMinutes, ["cost_per_person"] = i.CostPerPerson,
        ["currency"] = i.Currency, ["booking_required"] = i.BookingRequired, ["booking_id"] = i.BookingId, ["attraction_id"] = i.AttractionId,
        ["status"] = i.Status, ["ai_reason"] = i.AiReason, ["ai_confidence"] = i.AiConfidence, ["user_rating"] = i.UserRating,
    };

    /// <summary>Items as one JSON parameter: one statement (one round trip) however many.</summary>
    private static Task InsertItemsAsync(DbTx tx, Guid versionId, Guid tripId, IReadOnlyList<Dictionary<string, object?>> items) =>
        tx.ExecuteAsync("""
            INSERT INTO itinerary_items (id, day_id, version_id, trip_id, position, item_type, title, description, start_time, end_time,
                                         duration_minutes, cost_per_person, currency, booking_required, booking_id, attraction_id, status,
                                         ai_reason, ai_confidence, user_rating)
            SELECT x.id, x.day_id, @versionId, @tripId, x.position, x.item_type, x.title, x.description, x.start_time, x.end_time,
                   x.duration_minutes, x.cost_per_person, x.currency, x.booking_required, x.booking_id, x.attraction_id, x.status,
                   x.ai_reason, x.ai_confidence, x.user_rating
              FROM json_to_recordset(@items::json) AS x(id uuid, day_id uuid, position smallint, item_type text, title text, description text,
                   start_time time, end_time time, duration_minutes integer, cost_per_person numeric, currency text, booking_required boolean,
                   booking_id uuid, attraction_id uuid, status text, ai_reason text, ai_confidence numeric, user_rating smallint)
            """, new { versionId, tripId, items = JsonSerializer.Serialize(items, Json) });

    private static Task<ItineraryRow?> ReadAsync(DbTx tx, Guid tripId, Guid versionId) =>
        tx.QuerySingleOrDefaultAsync<ItineraryRow>(Whole, new { tripId, versionId });
}
