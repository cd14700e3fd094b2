using System.Net;
using System.Net.Http.Json;
using Dapper;
using Npgsql;
using TravelFunctions.Tests.Infrastructure;
using TravelFunctions.Tests.Trips;
using Xunit;

namespace TravelFunctions.Tests.Users;

public sealed class GdprExportTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Export_contains_every_kind_of_row_the_platform_holds_and_nothing_of_others()
    {
        var user = await api.NewUserAsync();
        var other = await api.NewUserAsync();
        await user.Client.PatchAsJsonAsync("/api/users/me", new { preferences = new { airlines = new[] { "KL" } } });
        var tripId = (await user.CreateTripAsync())["id"]!.GetValue<Guid>();
        var othersTrip = (await other.CreateTripAsync())["id"]!.GetValue<Guid>();
        await user.ShareAsync(tripId, other, "editor");

        // Feed rows are written by their own endpoints (issue 5); here they go straight into the tables.
        await using (var admin = new NpgsqlConnection(api.Database.Admin))
        {
            await admin.ExecuteAsync("""
                INSERT INTO bookings (trip_id, created_by, booking_type, confirmation_code, details, total_amount, currency, starts_at)
                  VALUES (@tripId, @me, 'activity', upper(substr(md5(random()::text), 1, 8)), '{"activityName":"Tour"}', 25, 'EUR', now());
                INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id)
                  SELECT @me, 'export-key', sha256('x'::bytea), id FROM bookings WHERE trip_id = @tripId;
                WITH c AS (INSERT INTO conversations (user_id, agent_type, title) VALUES (@me, 'trip_planning', 'Plan it') RETURNING id)
                INSERT INTO chat_messages (conversation_id, user_id, role, content) SELECT id, @me, 'user', 'Find me a beach' FROM c;
                INSERT INTO agent_feedback (user_id, rating, comment) VALUES (@me, 4, 'helpful');
                INSERT INTO user_events (user_id, event_type, occurred_at) VALUES (@me, 'trip.viewed', now());
                INSERT INTO notifications (user_id, kind, title) VALUES (@me, 'reminder', 'Check in opens');
                INSERT INTO external_api_logs (user_id, provider, endpoint, method, status_code, duration_ms) VALUES (@me, 'amadeus', '/v2/shopping', 'GET', 200, 120);
                """, new { tripId, me = user.Id });
        }

        var response = await user.Client.GetAsync("/api/users/me/export");
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var export = await response.JsonAsync();
        Assert.Equal(user.Email, export["account"]!["email"]!.GetValue<string>());
        Assert.Null(export["account"]!["password_hash"]);
        Assert.Equal("KL", export["profile"]!["preferred_airlines"]![0]!.GetValue<string>());
        foreach (var section in new[] { "refreshSessions", "trips", "bookings", "idempotencyKeys", "conversations", "userEvents", "notifications", "agentFeedback", "externalApiLogs" })
            Assert.True(export[section]!.AsArray().Count > 0, $"export section {section} is empty");
        Assert.Equal("Find me a beach", export["conversations"]![0]!["messages"]![0]!["content"]!.GetValue<string>());
        Assert.Equal(tripId, export["trips"]![0]!["id"]!.GetValue<Guid>());
        Assert.Equal(other.Id, export["trips"]![0]!["collaborators"]![0]!["user_id"]!.GetValue<Guid>());
        Assert.DoesNotContain(othersTrip.ToString(), export.ToJsonString());
        Assert.DoesNotContain(other.Email, export.ToJsonString());
    }
}
