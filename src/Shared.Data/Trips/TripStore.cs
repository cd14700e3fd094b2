using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Paging;

namespace TravelFunctions.Data.Trips;

/// <summary>Trips and their destinations. Access is decided by app.trip_role (owner / editor / viewer) under RLS.</summary>
public sealed class TripStore(Db db)
{
    private const string Columns = """
        t.id, t.owner_id, t.title, t.description, t.trip_type, t.status, t.start_date, t.end_date,
        t.origin_city, t.origin_country, t.currency, t.budget_amount, t.spent_amount, t.traveler_count,
        t.version, t.created_at, t.updated_at, app.trip_role(t.id) AS my_role,
        (SELECT coalesce(json_agg(json_build_object('city', d.city, 'country', d.country,
                                                    'arrivalDate', d.arrival_date, 'departureDate', d.departure_date)
                                  ORDER BY d.position), '[]')
           FROM trip_destinations d WHERE d.trip_id = t.id)::text AS destinations_json,
        (SELECT coalesce(json_agg(json_build_object('currency', s.currency, 'amount', s.amount, 'rate', c.rate, 'rateAsOf', c.as_of)
                                  ORDER BY s.currency), '[]')
           FROM trip_spending s LEFT JOIN LATERAL app.conversion(s.currency, t.currency) AS c ON true
          WHERE s.trip_id = t.id)::text AS spending_json
        """;

    public Task<TripRow> CreateAsync(Guid userId, NewTrip trip, CancellationToken ct) =>
        db.AsUserAsync(userId, async tx =>
        {
            await tx.ExecuteAsync("""
                INSERT INTO trips (id, owner_id, title, description, trip_type, start_date, end_date,
                                   origin_city, origin_country, currency, budget_amount, traveler_count)
                VALUES (@Id, app.current_user_id(), @Title, @Description, @TripType, @StartDate, @EndDate,
                        @OriginCity, @OriginCountry, @Currency, @BudgetAmount, @TravelerCount)
                """, trip);
            await InsertDestinationsAsync(tx, trip.Id, trip.Destinations);
            return (await ReadAsync(tx, trip.Id))!;
        }, ct);

    public Task<TripRow?> GetAsync(Guid userId, Guid tripId, CancellationToken ct) =>
        db.ReadAsUserAsync(userId, $"SELECT {Columns} FROM trips t WHERE t.id = @tripId", new { tripId },
            grid => grid.ReadSingleOrDefaultAsync<TripRow>(), ct);

    /// <summary>Newest start date first; <see cref="PageRequest{T}.Take"/> rows after the keyset.</summary>
    public Task<IReadOnlyList<TripRow>> ListAsync(Guid userId, TripFilter q, PageRequest<DateOnly> page, CancellationToken ct) =>
        db.ReadAsUserAsync<IReadOnlyList<TripRow>>(userId, $"""
                SELECT {Columns}
                  FROM trips t
                 WHERE (t.owner_id = app.current_user_id()
                        OR EXISTS (SELECT 1 FROM trip_collaborators c
                                    WHERE c.trip_id = t.id AND c.user_id = app.current_user_id() AND c.status = 'accepted'))
                   AND (@Status::text IS NULL OR t.status = @Status)
                   AND (@pattern::text IS NULL OR t.title ILIKE @pattern
                        OR EXISTS (SELECT 1 FROM trip_destinations d
                                    WHERE d.trip_id = t.id AND (d.city ILIKE @pattern OR d.country = upper(@Text))))
                   AND (@From::date IS NULL OR t.end_date >= @From)
                   AND (@To::date IS NULL OR t.start_date <= @To)
                   AND (@afterStartDate::date IS NULL OR (t.start_date, t.id) < (@afterStartDate, @afterId))
                 ORDER BY t.start_date DESC, t.id DESC
                 LIMIT @take
                """, new { q.Status, pattern = q.Text is null ? null : "%" + EscapeLike(q.Text) + "%", q.Text, q.From, q.To,
                    afterStartDate = page.After?.Value, afterId = page.After?.Id, take = page.Take },
            async grid => (await grid.ReadAsync<TripRow>()).ToList(), ct);

    public Task<TripStats> StatsAsync(Guid userId, CancellationToken ct) =>
        db.AsUserAsync(userId, async tx =>
        {
            // RLS limits both to the trips the user can read (own and accepted shares).
            var byStatus = (await tx.QueryAsync<StatusCount>(
                "SELECT status, count(*) AS trips FROM trips GROUP BY status ORDER BY status")).ToList();
            var byCurrency = (await tx.QueryAsync<CurrencyTotals>("""
                WITH budgets AS (SELECT currency, count(*) AS trips, coalesce(sum(budget_amount), 0) AS budget
                                   FROM trips WHERE currency IS NOT NULL GROUP BY currency),
                     spent AS (SELECT currency, sum(amount) AS spent FROM trip_spending GROUP BY currency)
                SELECT currency, coalesce(b.trips, 0) AS trips, coalesce(b.budget, 0) AS budget, coalesce(s.spent, 0) AS spent
                  FROM budgets b FULL JOIN spent s USING (currency)
                 ORDER BY currency
                """)).ToList();
            return new TripStats(byStatus.Sum(s => s.Trips), byStatus, byCurrency);
        }, ct);

    public Task<TripChange> UpdateAsync(Guid userId, Guid tripId, int? expectedVersion, TripPatch p, CancellationToken ct) =>
        db.AsUserAsync<TripChange>(userId, async tx =>
        {
            // The role first: under RLS, FOR UPDATE hides rows the user may read but not write (a viewer gets 403, not 404).
            var role = await tx.QuerySingleOrDefaultAsync<string>("SELECT app.trip_role(@tripId)", new { tripId });
            if (role is null) return new TripChange.NotFound();
            if (role is not ("owner" or "editor")) return new TripChange.Forbidden();
            var current = await tx.QuerySingleOrDefaultAsync<TripRow>($"SELECT {Columns} FROM trips t WHERE t.id = @tripId FOR UPDATE", new { tripId });
            if (current is null) return new TripChange.NotFound();
            if (expectedVersion is { } v && v != current.Version) return new TripChange.Stale();

            var start = p.StartDate ?? current.StartDate;
            var end = p.EndDate ?? current.EndDate;
            if (end < start) return new TripChange.Invalid(p.EndDate is null ? "startDate" : "endDate", "The end date must be on or after the start date.");
            var destinations = p.Destinations ?? current.Destinations.Select(d => new NewDestination(d.City, d.Country, d.ArrivalDate, d.DepartureDate)).ToList();
            if (TripRules.DestinationOutside(destinations, start, end) is { } bad) return new TripChange.Invalid(bad.Field, bad.Message);
            // Itinerary days keep the trip's dates from shrinking past them (0018's trigger refuses it too): delete the version
            // holding them first. The trip row lock above keeps new days out until this commits (their trigger share-locks the trip).
            if ((start > current.StartDate || end < current.EndDate) && await tx.QuerySingleOrDefaultAsync<string>(
                    "SELECT to_char(min(date), 'YYYY-MM-DD') FROM itinerary_days WHERE trip_id = @tripId AND (date < @start OR date > @end)",
                    new { tripId, start, end }) is { } stranded)
                return new TripChange.Conflict($"An itinerary of this trip has a day on {stranded}, outside the new dates; delete that itinerary version first.");
            // Clearing the budget frees the currency too, unless bookings gave the trip money to count in it. A new
            // budget currency is fine under bookings: what the trip spent in it is read from its per-currency spending.
            var currency = p.ClearBudget ? (current.Spending.Count > 0 ? current.Currency : null) : p.Currency ?? current.Currency;
            if (p.BudgetAmount is not null && currency is null) return new TripChange.Invalid("budget.currency", "A budget needs a currency.");

            await tx.ExecuteAsync("""
                UPDATE trips SET
                    title = coalesce(@Title, title),
                    description = CASE WHEN @ClearDescription THEN NULL ELSE coalesce(@Description, description) END,
                    trip_type = coalesce(@TripType, trip_type), status = coalesce(@Status, status),
                    start_date = @start, end_date = @end,
                    origin_city = CASE WHEN @ClearOriginCity THEN NULL ELSE coalesce(@OriginCity, origin_city) END,
                    origin_country = CASE WHEN @ClearOriginCountry THEN NULL ELSE coalesce(@OriginCountry, origin_country) END,
                    currency = @currency,
                    budget_amount = CASE WHEN @ClearBudget THEN NULL ELSE coalesce(@BudgetAmount, budget_amount) END,
                    traveler_count = coalesce(@TravelerCount, traveler_count)
                 WHERE id = @tripId
                """, new
                {
                    p.Title, p.Description, p.ClearDescription, p.TripType, p.Status, start, end, p.OriginCity, p.ClearOriginCity,
                    p.OriginCountry, p.ClearOriginCountry, currency, p.BudgetAmount, p.ClearBudget, p.TravelerCount, tripId,
                });
            if (p.Destinations is not null)
            {
                await tx.ExecuteAsync("DELETE FROM trip_destinations WHERE trip_id = @tripId", new { tripId });
                await InsertDestinationsAsync(tx, tripId, p.Destinations);
            }
            return new TripChange.Updated((await ReadAsync(tx, tripId))!);
        }, ct);

    public Task<TripDeletion> DeleteAsync(Guid userId, Guid tripId, CancellationToken ct) =>
        db.AsUserAsync<TripDeletion>(userId, async tx =>
        {
            // The row lock serializes with a booking being confirmed on this trip (its trigger updates the trip row).
            var role = await tx.QuerySingleOrDefaultAsync<string>("SELECT app.trip_role(@tripId)", new { tripId });
            if (role is null) return new TripDeletion.NotFound();
            if (role != "owner") return new TripDeletion.Forbidden();
            await tx.ExecuteAsync("SELECT 1 FROM trips WHERE id = @tripId FOR UPDATE", new { tripId });
            var confirmed = await tx.ExecuteScalarAsync<bool>(
                "SELECT EXISTS (SELECT 1 FROM bookings WHERE trip_id = @tripId AND status = 'confirmed')", new { tripId });
            if (confirmed) return new TripDeletion.HasConfirmedBookings();
            await tx.ExecuteAsync("DELETE FROM trips WHERE id = @tripId", new { tripId });
            return new TripDeletion.Deleted();
        }, ct);

    private static Task<TripRow?> ReadAsync(DbTx tx, Guid tripId) =>
        tx.QuerySingleOrDefaultAsync<TripRow>($"SELECT {Columns} FROM trips t WHERE t.id = @tripId", new { tripId });

    private static Task InsertDestinationsAsync(DbTx tx, Guid tripId, IReadOnlyList<NewDestination> destinations) =>
        destinations.Count == 0 ? Task.CompletedTask : tx.ExecuteAsync("""
            INSERT INTO trip_destinations (trip_id, position, city, country, arrival_date, departure_date)
            VALUES (@tripId, @Position, @City, @Country, @ArrivalDate, @DepartureDate)
            """, destinations.Select((d, i) => new { tripId, Position = (short)i, d.City, d.Country, d.ArrivalDate, d.DepartureDate }));

    private static string EscapeLike(string text) => text.Replace(@"\", @"\\").Replace("%", @"\%").Replace("_", @"\_");
}

public static class TripRules
{
    /// <summary>A destination's dates must fall inside the trip's dates.</summary>
    public static (string Field, string Message)? DestinationOutside(IReadOnlyList<NewDestination> destinations, DateOnly start, DateOnly end)
    {
        for (var i = 0; i < destinations.Count; i++)
        {
            var d = destinations[i];
            if (d.ArrivalDate is { } a && (a < start || a > end))
                return ($"destinations[{i}].arrivalDate", "The arrival date must fall within the trip's dates.");
            if (d.DepartureDate is { } dep && (dep < start || dep > end))
                return ($"destinations[{i}].departureDate", "The departure date must fall within the trip's dates.");
        }
        return null;
    }
}
