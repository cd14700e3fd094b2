using Dapper;
using Npgsql;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Jobs;

/// <summary>
/// NotificationReminders: a cancellation deadline 48 hours away and a trip starting tomorrow (in each member's time
/// zone) are notified exactly once per booking or trip and member, however often the job runs and however runs overlap.
/// </summary>
public sealed class NotificationRemindersTests(JobsFixture fx) : IClassFixture<JobsFixture>
{
    private async Task<NpgsqlConnection> AdminAsync()
    {
        var admin = new NpgsqlConnection(fx.Database.Admin);
        await admin.OpenAsync();
        return admin;
    }

    private static Task<long> CountAsync(NpgsqlConnection admin, Guid user, string kind, Guid? about = null) =>
        admin.ExecuteScalarAsync<long>("""
            SELECT count(*) FROM notifications
             WHERE user_id = @user AND kind = @kind AND (@about::uuid IS NULL OR booking_id = @about OR (booking_id IS NULL AND trip_id = @about))
            """, new { user, kind, about });

    private static async Task<Guid> DeadlineBookingAsync(NpgsqlConnection admin, Guid trip, Guid user, DateTimeOffset deadline, string status = "confirmed")
    {
        var id = Guid.NewGuid();
        await admin.ExecuteAsync("""
            INSERT INTO bookings (id, trip_id, created_by, booking_type, status, confirmation_code, details, total_amount, currency,
                                  cancellable, cancellation_deadline, starts_at, confirmed_at, cancelled_at)
            VALUES (@id, @trip, @user, 'hotel', @status, upper(substr(md5(@id::text), 1, 8)), '{}', 100, 'EUR', true, @deadline,
                    @deadline + interval '3 days', CASE WHEN @status = 'confirmed' THEN now() END, CASE WHEN @status = 'cancelled' THEN now() END)
            """, new { id, trip, user, status, deadline });
        return id;
    }

    private static Task AddMemberAsync(NpgsqlConnection admin, Guid trip, Guid user, bool accepted = true) =>
        admin.ExecuteAsync("""
            INSERT INTO trip_collaborators (trip_id, user_id, role, status, accepted_at)
            VALUES (@trip, @user, 'viewer', CASE WHEN @accepted THEN 'accepted' ELSE 'pending' END, CASE WHEN @accepted THEN now() END)
            """, new { trip, user, accepted });

    [Fact]
    public async Task A_deadline_within_48_hours_is_reminded_once_to_each_member_and_later_ones_when_they_come_due()
    {
        await using var admin = await AdminAsync();
        var now = fx.Clock.GetUtcNow();
        var owner = await Seed.UserAsync(admin);
        var viewer = await Seed.UserAsync(admin);
        var pending = await Seed.UserAsync(admin);
        var trip = await Seed.TripAsync(admin, owner);
        await AddMemberAsync(admin, trip, viewer);
        await AddMemberAsync(admin, trip, pending, accepted: false);
        var soon = await DeadlineBookingAsync(admin, trip, owner, now.AddHours(47));
        var later = await DeadlineBookingAsync(admin, trip, owner, now.AddHours(49));
        var cancelled = await DeadlineBookingAsync(admin, trip, owner, now.AddHours(10), status: "cancelled");
        var passed = await DeadlineBookingAsync(admin, trip, owner, now.AddHours(-1));

        Assert.True((await fx.RunAsync("NotificationReminders")).Succeeded);
        Assert.True((await fx.RunAsync("NotificationReminders")).Succeeded);
        const string kind = "booking.cancellation_deadline";
        foreach (var member in new[] { owner, viewer })
        {
            Assert.Equal(1, await CountAsync(admin, member, kind, soon));
            Assert.Equal(0, await CountAsync(admin, member, kind, later));
            Assert.Equal(0, await CountAsync(admin, member, kind, cancelled));
            Assert.Equal(0, await CountAsync(admin, member, kind, passed));
        }
        Assert.Equal(0, await CountAsync(admin, pending, kind));

        fx.Clock.Advance(TimeSpan.FromHours(2));
        Assert.True((await fx.RunAsync("NotificationReminders")).Succeeded);
        Assert.Equal(1, await CountAsync(admin, owner, kind, later));
        Assert.Equal(1, await CountAsync(admin, owner, kind, soon));
    }

    [Fact]
    public async Task Overlapping_runs_and_concurrent_sweeps_never_notify_twice()
    {
        await using var admin = await AdminAsync();
        var now = fx.Clock.GetUtcNow();
        var owner = await Seed.UserAsync(admin);
        var members = new List<Guid> { owner };
        var trip = await Seed.TripAsync(admin, owner);
        for (var i = 0; i < 3; i++)
        {
            var member = await Seed.UserAsync(admin);
            await AddMemberAsync(admin, trip, member);
            members.Add(member);
        }
        var bookings = new List<Guid>();
        for (var i = 0; i < 30; i++) bookings.Add(await DeadlineBookingAsync(admin, trip, owner, now.AddHours(1 + i)));

        // Whole runs at once (the lock lets one sweep each unit; the others report contention) ...
        var runs = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => fx.RunAsync("NotificationReminders")));
        Assert.All(runs, r => Assert.True(r.Succeeded));
        // ... and the sweep itself from many connections with no lock at all: only the keys stand between them.
        var sweeps = await Task.WhenAll(Enumerable.Range(0, 6).Select(async _ =>
        {
            await using var conn = new NpgsqlConnection(fx.Database.Admin);
            return await conn.ExecuteScalarAsync<int>("SELECT app.remind_cancellation_deadlines(@now, interval '48 hours', 7)", new { now });
        }));
        Assert.All(sweeps, created => Assert.Equal(0, created));

        var counts = await admin.QueryAsync<long>("""
            SELECT count(n.id) FROM unnest(@bookings) AS b (id) CROSS JOIN unnest(@members) AS m (id)
              LEFT JOIN notifications n ON n.booking_id = b.id AND n.user_id = m.id AND n.kind = 'booking.cancellation_deadline'
             GROUP BY b.id, m.id
            """, new { bookings = bookings.ToArray(), members = members.ToArray() });
        Assert.Equal(bookings.Count * members.Count, counts.Count());
        Assert.All(counts, c => Assert.Equal(1, c));
    }

    [Fact]
    public async Task Racing_sweeps_on_fresh_work_still_create_each_notification_once()
    {
        await using var admin = await AdminAsync();
        var now = fx.Clock.GetUtcNow();
        var owner = await Seed.UserAsync(admin);
        var trip = await Seed.TripAsync(admin, owner);
        var bookings = new List<Guid>();
        for (var i = 0; i < 40; i++) bookings.Add(await DeadlineBookingAsync(admin, trip, owner, now.AddMinutes(30 + i)));

        var created = await Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            await using var conn = new NpgsqlConnection(fx.Database.Admin);
            var total = 0;
            int n;
            do total += n = await conn.ExecuteScalarAsync<int>("SELECT app.remind_cancellation_deadlines(@now, interval '48 hours', 5)", new { now });
            while (n > 0);
            return total;
        }));
        Assert.Equal(bookings.Count, created.Sum());
        Assert.Equal(bookings.Count, await CountAsync(admin, owner, "booking.cancellation_deadline"));
    }

    [Fact]
    public async Task A_trip_starting_tomorrow_is_announced_on_each_members_own_tomorrow()
    {
        await using var admin = await AdminAsync();
        // At 12:00 UTC it is already midnight or later in Auckland (UTC+12, +13 in summer): its tomorrow is UTC's day after.
        var now = fx.Clock.GetUtcNow();
        fx.Clock.Advance(new DateTimeOffset(now.UtcDateTime.Date.AddDays(1).AddHours(12), TimeSpan.Zero) - now);
        var today = DateOnly.FromDateTime(fx.Clock.GetUtcNow().UtcDateTime);
        var london = await Seed.UserAsync(admin);
        var auckland = await Seed.UserAsync(admin);
        await admin.ExecuteAsync("""
            INSERT INTO user_profiles (user_id, timezone) VALUES (@london, 'Europe/London'), (@auckland, 'Pacific/Auckland')
            ON CONFLICT (user_id) DO UPDATE SET timezone = EXCLUDED.timezone
            """, new { london, auckland });
        async Task<Guid> TripStartingAsync(DateOnly start, string status = "planning")
        {
            var id = Guid.NewGuid();
            await admin.ExecuteAsync("""
                INSERT INTO trips (id, owner_id, title, trip_type, status, start_date, end_date)
                VALUES (@id, @london, 'Spring', 'leisure', @status, @start, @start + 5)
                """, new { id, london, start, status });
            await AddMemberAsync(admin, id, auckland);
            return id;
        }
        var dayAfter = await TripStartingAsync(today.AddDays(1));
        var twoDaysOn = await TripStartingAsync(today.AddDays(2));
        var cancelledTrip = await TripStartingAsync(today.AddDays(1), status: "cancelled");

        Assert.True((await fx.RunAsync("NotificationReminders")).Succeeded);
        Assert.True((await fx.RunAsync("NotificationReminders")).Succeeded);
        const string kind = "trip.starts_tomorrow";
        Assert.Equal(1, await CountAsync(admin, london, kind, dayAfter));
        Assert.Equal(0, await CountAsync(admin, london, kind, twoDaysOn));
        Assert.Equal(0, await CountAsync(admin, auckland, kind, dayAfter));
        Assert.Equal(1, await CountAsync(admin, auckland, kind, twoDaysOn));
        Assert.Equal(0, await CountAsync(admin, london, kind, cancelledTrip));

        // A day later London's tomorrow is the later trip's first day too.
        fx.Clock.Advance(TimeSpan.FromDays(1));
        Assert.True((await fx.RunAsync("NotificationReminders")).Succeeded);
        Assert.Equal(1, await CountAsync(admin, london, kind, twoDaysOn));
        Assert.Equal(1, await CountAsync(admin, auckland, kind, twoDaysOn));
    }

    [Fact]
    public async Task Keys_older_than_the_retention_are_forgotten()
    {
        await using var admin = await AdminAsync();
        var user = await Seed.UserAsync(admin);
        await admin.ExecuteAsync("""
            INSERT INTO notification_keys (key, user_id, created_at) VALUES
              ('test:old:' || @user, @user, now() - interval '91 days'), ('test:recent:' || @user, @user, now() - interval '89 days')
            """, new { user });
        Assert.True((await fx.RunAsync("NotificationReminders")).Succeeded);
        Assert.Equal(["test:recent:" + user], await admin.QueryAsync<string>("SELECT key FROM notification_keys WHERE user_id = @user", new { user }));
    }
}
