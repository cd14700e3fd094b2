using System.Net;
using System.Text.Json.Nodes;
using Npgsql;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Bookings;

/// <summary>
/// Trips and collaborators written straight into the test database as superuser (the trips API is
/// built elsewhere), valid booking bodies per type, and row counts for "nothing was written".
/// </summary>
public static class BookingTestData
{
    public static async Task<Guid> NewTripAsync(this ApiFixture api, Guid ownerId, string? currency = null)
    {
        var id = await api.ScalarAsync<Guid>("""
            INSERT INTO trips (owner_id, title, trip_type, start_date, end_date, currency)
            VALUES (@owner, 'Summer in New York', 'leisure', DATE '2026-07-01', DATE '2026-07-10', @currency)
            RETURNING id
            """, ("owner", ownerId), ("currency", (object?)currency ?? DBNull.Value));
        return id;
    }

    public static Task AddCollaboratorAsync(this ApiFixture api, Guid tripId, Guid userId, string role, bool accepted = true) =>
        api.ExecAsync("""
            INSERT INTO trip_collaborators (trip_id, user_id, role, status, accepted_at)
            VALUES (@trip, @user, @role, @status, CASE WHEN @status = 'accepted' THEN now() END)
            """, ("trip", tripId), ("user", userId), ("role", role), ("status", accepted ? "accepted" : "pending"));

    public static async Task<T> ScalarAsync<T>(this ApiFixture api, string sql, params (string Name, object Value)[] args)
    {
        await using var conn = new NpgsqlConnection(api.Database.Admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public static async Task ExecAsync(this ApiFixture api, string sql, params (string Name, object Value)[] args)
    {
        await using var conn = new NpgsqlConnection(api.Database.Admin);
        await conn.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var (name, value) in args) cmd.Parameters.AddWithValue(name, value);
        await cmd.ExecuteNonQueryAsync();
    }

    public static Task<long> BookingCountAsync(this ApiFixture api, Guid tripId) =>
        api.ScalarAsync<long>("SELECT count(*) FROM bookings WHERE trip_id = @trip", ("trip", tripId));

    public static Task<long> KeyCountAsync(this ApiFixture api, Guid userId) =>
        api.ScalarAsync<long>("SELECT count(*) FROM idempotency_keys WHERE user_id = @user", ("user", userId));

    public static Task<decimal> SpentAsync(this ApiFixture api, Guid tripId) =>
        api.ScalarAsync<decimal>("SELECT spent_amount FROM trips WHERE id = @trip", ("trip", tripId));

    /// <summary>What the trigger must keep spent_amount equal to.</summary>
    public static Task<decimal> SumOfLiveBookingsAsync(this ApiFixture api, Guid tripId) =>
        api.ScalarAsync<decimal>("SELECT coalesce(sum(total_amount), 0) FROM bookings WHERE trip_id = @trip AND status <> 'cancelled'", ("trip", tripId));

    public static readonly string[] Types = ["flight", "hotel", "activity", "car_rental"];

    /// <summary>A valid create body for the type; tests change what they need.</summary>
    public static JsonObject Body(string type = "flight", decimal total = 850.50m, string currency = "EUR") => new()
    {
        ["bookingType"] = type,
        ["details"] = Details(type),
        ["totalAmount"] = total,
        ["currency"] = currency,
        ["supplierName"] = "Acme Travel",
        ["cancellable"] = true,
        ["cancellationDeadline"] = "2099-06-25T00:00:00Z",
        ["cancellationFee"] = Math.Min(25m, total),
    };

    public static JsonObject Details(string type) => type switch
    {
        "flight" => new JsonObject
        {
            ["origin"] = "LIS", ["destination"] = "JFK",
            ["departureTime"] = "2026-07-01T10:00:00+01:00", ["arrivalTime"] = "2026-07-01T13:30:00-04:00",
            ["airline"] = "TP", ["flightNumber"] = "TP201", ["passengers"] = 2, ["cabinClass"] = "premium_economy",
            ["seats"] = new JsonArray("12A", "12B"),
        },
        "hotel" => new JsonObject
        {
            ["hotelName"] = "The Standard", ["address"] = "848 Washington St, New York", ["checkIn"] = "2026-07-01",
            ["checkOut"] = "2026-07-05", ["roomType"] = "King", ["guests"] = 2, ["rooms"] = 1,
        },
        "activity" => new JsonObject
        {
            ["activityName"] = "Statue of Liberty tour", ["date"] = "2026-07-02", ["time"] = "09:30",
            ["location"] = "Battery Park", ["participants"] = 2,
        },
        "car_rental" => new JsonObject
        {
            ["company"] = "Hertz", ["pickupLocation"] = "JFK Terminal 4", ["dropoffLocation"] = "Newark Airport",
            ["pickupTime"] = "2026-07-01T15:00:00-04:00", ["dropoffTime"] = "2026-07-04T10:00:00-04:00", ["carClass"] = "compact",
        },
        _ => throw new ArgumentOutOfRangeException(nameof(type)),
    };

    public static StringContent Json(this JsonNode body) => HttpTestExtensions.RawJson(body.ToJsonString());

    public static async Task<JsonNode> CreateBookingAsync(this TestUser user, Guid tripId, JsonObject? body = null)
    {
        var response = await user.Client.PostAsync($"/api/trips/{tripId}/bookings", (body ?? Body()).Json());
        await response.EnsureStatusAsync(HttpStatusCode.Created);
        return await response.JsonAsync();
    }

    public static Guid Id(this JsonNode node) => node["id"]!.GetValue<Guid>();
}
