using Dapper;
using Npgsql;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Jobs;

/// <summary>RetentionPurge with a fake clock (the fixture's FakeTimeProvider): days pass without waiting for them.</summary>
public sealed class RetentionPurgeTests(JobsFixture fx) : IClassFixture<JobsFixture>
{
    // Every table a user's data reaches, directly or through a cascade.
    private const string UserFootprint = """
        SELECT (SELECT count(*) FROM users WHERE id = @u)
             + (SELECT count(*) FROM user_profiles WHERE user_id = @u)
             + (SELECT count(*) FROM refresh_sessions WHERE user_id = @u)
             + (SELECT count(*) FROM trips WHERE owner_id = @u)
             + (SELECT count(*) FROM bookings b JOIN trips t ON t.id = b.trip_id WHERE t.owner_id = @u)
             + (SELECT count(*) FROM trip_collaborators WHERE user_id = @u)
             + (SELECT count(*) FROM idempotency_keys WHERE user_id = @u)
             + (SELECT count(*) FROM conversations WHERE user_id = @u)
             + (SELECT count(*) FROM chat_messages WHERE user_id = @u)
             + (SELECT count(*) FROM user_events WHERE user_id = @u)
             + (SELECT count(*) FROM external_api_logs WHERE user_id = @u)
             + (SELECT count(*) FROM notifications WHERE user_id = @u)
             + (SELECT count(*) FROM agent_feedback WHERE user_id = @u)
        """;

    private static async Task SeedFootprintAsync(NpgsqlConnection admin, Guid user, Guid otherUsersTrip, DateTimeOffset sessionExpiry)
    {
        var trip = await Seed.TripAsync(admin, user);
        var booking = await Seed.BookingAsync(admin, trip, user);
        await admin.ExecuteAsync("""
            INSERT INTO user_profiles (user_id) VALUES (@user);
            INSERT INTO refresh_sessions (user_id, family_id, token_hash, expires_at) VALUES (@user, gen_random_uuid(), decode(md5(random()::text) || md5(random()::text), 'hex'), @sessionExpiry);
            INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id, expires_at) VALUES (@user, 'k1', decode(md5(random()::text) || md5(random()::text), 'hex'), @booking, @sessionExpiry);
            INSERT INTO trip_collaborators (trip_id, user_id, role, status, accepted_at) VALUES (@otherUsersTrip, @user, 'editor', 'accepted', now());
            WITH c AS (INSERT INTO conversations (user_id, agent_type) VALUES (@user, 'support') RETURNING id)
            INSERT INTO chat_messages (conversation_id, user_id, role, content) SELECT id, @user, 'user', 'hello, "world"' FROM c;
            INSERT INTO user_events (user_id, event_type) VALUES (@user, 'page.view');
            INSERT INTO external_api_logs (user_id, provider, endpoint, method, duration_ms) VALUES (@user, 'amadeus', '/flights', 'GET', 12);
            INSERT INTO notifications (user_id, kind, title) VALUES (@user, 'trip.reminder', 'Soon');
            INSERT INTO agent_feedback (user_id, rating) VALUES (@user, 5);
            """, new { user, booking, otherUsersTrip, sessionExpiry });
    }

    private Task<JobRunResult> RunAtAsync(DateTimeOffset now)
    {
        fx.Clock.SetUtcNow(now);
        return fx.RunAsync("RetentionPurge");
    }

    [Fact]
    public async Task Soft_deleted_user_is_kept_29_days_and_gone_with_everything_after_31()
    {
        await using var admin = new NpgsqlConnection(fx.Database.Admin);
        await admin.OpenAsync();
        var t0 = DateTimeOffset.UtcNow;
        var farFuture = t0.AddDays(90);

        var other = await Seed.UserAsync(admin);
        var otherTrip = await Seed.TripAsync(admin, other);
        var gone = await Seed.UserAsync(admin, deletedAt: t0);
        await SeedFootprintAsync(admin, gone, otherTrip, farFuture);      // gone collaborates on other's trip
        var gonesTrip = await Seed.TripAsync(admin, gone);
        await SeedFootprintAsync(admin, other, gonesTrip, farFuture);     // other collaborates on gone's trip
        var bookedByGone = await Seed.BookingAsync(admin, otherTrip, gone); // gone booked on other's trip
        var goneFootprint = await admin.ExecuteScalarAsync<long>(UserFootprint, new { u = gone });
        var otherFootprint = await admin.ExecuteScalarAsync<long>(UserFootprint, new { u = other });
        Assert.Equal(14L, goneFootprint); // a row in every table above, two trips

        var day29 = await RunAtAsync(t0.AddDays(29));
        Assert.True(day29.Succeeded);
        Assert.Equal(UnitOutcome.NothingToDo, day29.Units.Single(u => u.Unit == "users").Outcome);
        Assert.Equal(goneFootprint, await admin.ExecuteScalarAsync<long>(UserFootprint, new { u = gone }));

        var day31 = await RunAtAsync(t0.AddDays(31));
        Assert.True(day31.Succeeded);
        var users = day31.Units.Single(u => u.Unit == "users");
        Assert.Equal(UnitOutcome.Done, users.Outcome);
        Assert.Equal(1L, users.Data!["rows"]);
        Assert.Equal(0L, await admin.ExecuteScalarAsync<long>(UserFootprint, new { u = gone }));

        // Everything of the other user stays, except its collaborator row on the purged user's trip.
        Assert.Equal(otherFootprint - 1, await admin.ExecuteScalarAsync<long>(UserFootprint, new { u = other }));
        Assert.Equal(0L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM trip_collaborators WHERE trip_id = @gonesTrip", new { gonesTrip }));
        Assert.Equal("active", await admin.ExecuteScalarAsync<string>("SELECT status FROM users WHERE id = @other", new { other }));
        // The booking stays with its trip; only the link to the purged user is cleared.
        Assert.Null(await admin.ExecuteScalarAsync<Guid?>("SELECT created_by FROM bookings WHERE id = @bookedByGone", new { bookedByGone }));
    }

    [Fact]
    public async Task Expired_and_long_revoked_sessions_expired_keys_and_old_ledger_rows_go_the_rest_stays()
    {
        await using var admin = new NpgsqlConnection(fx.Database.Admin);
        await admin.OpenAsync();
        var now = DateTimeOffset.UtcNow;
        var user = await Seed.UserAsync(admin);
        var booking = await Seed.BookingAsync(admin, await Seed.TripAsync(admin, user), user);
        await admin.ExecuteAsync("""
            INSERT INTO refresh_sessions (user_id, family_id, token_hash, created_at, expires_at, revoked_at, revoked_reason) VALUES
              (@user, gen_random_uuid(), decode(md5(random()::text) || md5(random()::text), 'hex'), @now - interval '2 days',  @now - interval '1 hour', NULL, NULL),                 -- expired: goes
              (@user, gen_random_uuid(), decode(md5(random()::text) || md5(random()::text), 'hex'), @now - interval '40 days', @now + interval '10 days', @now - interval '31 days', 'rotated'), -- revoked long ago: goes
              (@user, gen_random_uuid(), decode(md5(random()::text) || md5(random()::text), 'hex'), @now - interval '2 days',  @now + interval '10 days', @now - interval '1 day', 'rotated'),   -- revoked recently: stays (reuse detection)
              (@user, gen_random_uuid(), decode(md5(random()::text) || md5(random()::text), 'hex'), @now - interval '1 day',   @now + interval '10 days', NULL, NULL);                 -- live: stays
            INSERT INTO idempotency_keys (user_id, key, request_hash, booking_id, expires_at) VALUES
              (@user, 'old', decode(md5(random()::text) || md5(random()::text), 'hex'), @booking, @now - interval '1 hour'),
              (@user, 'new', decode(md5(random()::text) || md5(random()::text), 'hex'), @booking, @now + interval '1 day');
            INSERT INTO maintenance.job_runs (job, started_at, finished_at, outcome) VALUES
              ('CacheExpiry', @now - interval '91 days', @now - interval '91 days', 'done'),
              ('CacheExpiry', @now - interval '89 days', @now - interval '89 days', 'done');
            """, new { user, booking, now });

        var result = await RunAtAsync(now);

        Assert.Equal(JobOutcome.Done, result.Outcome);
        long Rows(string unit) => (long)result.Units.Single(u => u.Unit == unit).Data!["rows"]!;
        Assert.Equal(2L, Rows("refresh_sessions"));
        Assert.Equal(1L, Rows("idempotency_keys"));
        Assert.Equal(1L, Rows("job_runs"));
        Assert.Equal(2L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM refresh_sessions WHERE user_id = @user", new { user }));
        Assert.Equal("new", await admin.ExecuteScalarAsync<string>("SELECT key FROM idempotency_keys WHERE user_id = @user", new { user }));
        Assert.Equal(1L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM maintenance.job_runs WHERE started_at < @cutoff", new { cutoff = now.AddDays(-80) }));
    }
}
