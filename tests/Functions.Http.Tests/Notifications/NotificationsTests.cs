using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Bookings;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Notifications;

/// <summary>
/// Notifications as travellers and the delivery agent see them: created by the database when a booking is confirmed or
/// cancelled, for the trip's members, on the channels each member chose; an inbox with unread first; delivery reports.
/// </summary>
public sealed class NotificationsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private const string DeliveryScope = "agents:notifications";

    private static StringContent Reference(string reference) => new JsonObject { ["supplierReference"] = reference }.Json();

    private static async Task<JsonNode> InboxAsync(TestUser user, string query = "") =>
        await (await user.Client.GetAsync($"/api/notifications{query}")).JsonAsync();

    private static List<string> Kinds(JsonNode page) => page["items"]!.AsArray().Select(n => n!["kind"]!.GetValue<string>()).ToList();

    [Fact]
    public async Task Confirming_and_cancelling_a_booking_notify_every_member_once_and_no_one_else()
    {
        var owner = await api.NewUserAsync();
        var editor = await api.NewUserAsync();
        var invited = await api.NewUserAsync();
        var stranger = await api.NewUserAsync();
        var trip = await api.NewTripAsync(owner.Id, currency: "EUR");
        await api.AddCollaboratorAsync(trip, editor.Id, "editor");
        await api.AddCollaboratorAsync(trip, invited.Id, "viewer", accepted: false);

        var booking = (await editor.CreateBookingAsync(trip)).Id();
        await (await editor.Client.PostAsync($"/api/bookings/{booking}/confirm", Reference("PNR-1"))).EnsureStatusAsync(HttpStatusCode.OK);
        // Confirming again changes no status, so it notifies no one again.
        await editor.Client.PostAsync($"/api/bookings/{booking}/confirm", Reference("PNR-1"));
        await (await owner.Client.PostAsync($"/api/bookings/{booking}/cancel", null)).EnsureStatusAsync(HttpStatusCode.OK);

        foreach (var member in new[] { owner, editor })
        {
            var inbox = await InboxAsync(member);
            Assert.Equal(["booking.cancelled", "booking.confirmed"], Kinds(inbox));
            Assert.Equal(2, inbox["unread"]!.GetValue<long>());
            var cancelled = inbox["items"]![0]!;
            Assert.Equal("high", cancelled["priority"]!.GetValue<string>());
            Assert.Equal(booking, cancelled["bookingId"]!.GetValue<Guid>());
            Assert.Equal(trip, cancelled["tripId"]!.GetValue<Guid>());
            Assert.Equal(booking, cancelled["data"]!["bookingId"]!.GetValue<Guid>());
            Assert.Contains("cancelled", cancelled["body"]!.GetValue<string>());
            Assert.False(cancelled["read"]!.GetValue<bool>());
        }
        Assert.Empty(Kinds(await InboxAsync(invited)));
        Assert.Empty(Kinds(await InboxAsync(stranger)));
    }

    [Fact]
    public async Task Delivery_channels_follow_each_users_preferences()
    {
        var owner = await api.NewUserAsync();
        var trip = await api.NewTripAsync(owner.Id, currency: "EUR");
        // sms on, but without a phone number nothing can go by sms; push off.
        await (await owner.Client.PatchAsJsonAsync("/api/users/me",
            new { preferences = new { notifications = new { email = true, sms = true, push = false } } })).EnsureStatusAsync(HttpStatusCode.OK);
        var booking = (await owner.CreateBookingAsync(trip)).Id();
        await (await owner.Client.PostAsync($"/api/bookings/{booking}/confirm", Reference("PNR-2"))).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal("email", await api.ScalarAsync<string>(
            "SELECT array_to_string(channels, ',') FROM notifications WHERE user_id = @u AND booking_id = @b", ("u", owner.Id), ("b", booking)));

        await (await owner.Client.PatchAsJsonAsync("/api/users/me", new { phone = "+351 21 000 0000" })).EnsureStatusAsync(HttpStatusCode.OK);
        await (await owner.Client.PostAsync($"/api/bookings/{booking}/cancel", null)).EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal("email,sms", await api.ScalarAsync<string>("""
            SELECT array_to_string(channels, ',') FROM notifications WHERE user_id = @u AND booking_id = @b AND kind = 'booking.cancelled'
            """, ("u", owner.Id), ("b", booking)));
    }

    [Fact]
    public async Task The_inbox_lists_unread_first_newest_first_in_keyset_pages_and_marks_read()
    {
        var user = await api.NewUserAsync();
        // Seven notifications a second apart, made the way the platform makes them.
        for (var i = 0; i < 7; i++)
            await api.ExecAsync("""
                SELECT app.notify(@u, 'test.n' || @i, 'normal', 'N' || @i, NULL, NULL, NULL, NULL, 'test:' || @u || ':' || @i);
                UPDATE notifications SET created_at = now() - make_interval(secs => 100 - @i) WHERE user_id = @u AND kind = 'test.n' || @i;
                """, ("u", user.Id), ("i", i));
        // Read 1, 4 and 6.
        foreach (var i in new[] { 1, 4, 6 })
        {
            var id = await api.ScalarAsync<Guid>("SELECT id FROM notifications WHERE user_id = @u AND kind = 'test.n' || @i", ("u", user.Id), ("i", i));
            await (await user.Client.PostAsync($"/api/notifications/{id}/read", null)).EnsureStatusAsync(HttpStatusCode.NoContent);
            // Reading again is the same.
            await (await user.Client.PostAsync($"/api/notifications/{id}/read", null)).EnsureStatusAsync(HttpStatusCode.NoContent);
        }

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await InboxAsync(user, "?limit=2" + (cursor is null ? "" : $"&cursor={cursor}"));
            Assert.Equal(4, page["unread"]!.GetValue<long>());
            seen.AddRange(Kinds(page));
            cursor = page["nextCursor"]?.GetValue<string>();
        } while (cursor is not null);
        Assert.Equal(["test.n5", "test.n3", "test.n2", "test.n0", "test.n6", "test.n4", "test.n1"], seen);

        Assert.Equal(["test.n5", "test.n3", "test.n2", "test.n0"], Kinds(await InboxAsync(user, "?filter=unread")));
        var marked = await (await user.Client.PostAsync("/api/notifications/read-all", null)).JsonAsync();
        Assert.Equal(4, marked["marked"]!.GetValue<int>());
        var after = await InboxAsync(user);
        Assert.Equal(0, after["unread"]!.GetValue<long>());
        Assert.Equal(["test.n6", "test.n5", "test.n4", "test.n3", "test.n2", "test.n1", "test.n0"], Kinds(after));

        await (await user.Client.GetAsync("/api/notifications?cursor=garbage")).ValidationProblemAsync("cursor");
        await (await user.Client.GetAsync("/api/notifications?filter=some")).ValidationProblemAsync("filter");
    }

    [Fact]
    public async Task Nobody_reads_or_marks_anyone_elses_notifications()
    {
        var user = await api.NewUserAsync();
        var other = await api.NewUserAsync();
        await api.ExecAsync("SELECT app.notify(@u, 'test.private', 'normal', 'Mine', NULL, NULL, NULL, NULL, 'test:private:' || @u)", ("u", user.Id));
        var id = await api.ScalarAsync<Guid>("SELECT id FROM notifications WHERE user_id = @u", ("u", user.Id));
        await (await other.Client.PostAsync($"/api/notifications/{id}/read", null)).ProblemAsync(HttpStatusCode.NotFound);
        Assert.Empty(Kinds(await InboxAsync(other)));
        Assert.Equal(0, (await (await other.Client.PostAsync("/api/notifications/read-all", null)).JsonAsync())["marked"]!.GetValue<int>());
        Assert.Equal(1, (await InboxAsync(user))["unread"]!.GetValue<long>());
        await (await api.Anonymous().GetAsync("/api/notifications")).ProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task The_delivery_agent_lists_what_is_pending_per_channel_and_records_each_outcome_once()
    {
        var agent = await api.NewAgentAsync(DeliveryScope);
        var user = await api.NewUserAsync();
        await api.ExecAsync("SELECT app.notify(@u, 'test.delivery', 'normal', 'Deliver me', 'Body', '{\"x\":1}', NULL, NULL, 'test:delivery:' || @u)",
            ("u", user.Id));
        var id = await api.ScalarAsync<Guid>("SELECT id FROM notifications WHERE user_id = @u", ("u", user.Id));

        async Task<List<Guid>> PendingAsync(string channel) =>
            (await (await agent.Client.GetAsync($"/api/agents/notifications/pending?channel={channel}&limit=200")).JsonAsync())["items"]!
                .AsArray().Select(n => n!["id"]!.GetValue<Guid>()).ToList();

        var pending = await (await agent.Client.GetAsync("/api/agents/notifications/pending?channel=email&limit=200")).JsonAsync();
        var mine = pending["items"]!.AsArray().Single(n => n!["id"]!.GetValue<Guid>() == id)!;
        Assert.Equal(user.Email, mine["email"]!.GetValue<string>());
        Assert.Equal(1, mine["data"]!["x"]!.GetValue<int>());
        Assert.Contains(id, await PendingAsync("push"));     // the default preferences: email and push
        Assert.DoesNotContain(id, await PendingAsync("sms"));

        var report = $"/api/agents/notifications/{id}/deliveries";
        await (await agent.Client.PostAsJsonAsync(report, new { channel = "email", status = "sent" })).EnsureStatusAsync(HttpStatusCode.OK);
        await (await agent.Client.PostAsJsonAsync(report, new { channel = "email", status = "sent" })).EnsureStatusAsync(HttpStatusCode.OK);
        await (await agent.Client.PostAsJsonAsync(report, new { channel = "email", status = "failed", error = "bounce" })).ProblemAsync(HttpStatusCode.Conflict);
        await (await agent.Client.PostAsJsonAsync(report, new { channel = "push", status = "failed", error = "no device" })).EnsureStatusAsync(HttpStatusCode.OK);
        await (await agent.Client.PostAsJsonAsync(report, new { channel = "sms", status = "sent" })).ProblemAsync(HttpStatusCode.NotFound);
        await (await agent.Client.PostAsJsonAsync($"/api/agents/notifications/{Guid.NewGuid()}/deliveries", new { channel = "email", status = "sent" }))
            .ProblemAsync(HttpStatusCode.NotFound);
        await (await agent.Client.PostAsJsonAsync(report, new { channel = "email", status = "sent", error = "x" })).ValidationProblemAsync("error");
        Assert.DoesNotContain(id, await PendingAsync("email"));
        Assert.DoesNotContain(id, await PendingAsync("push"));
        Assert.Equal("""{"push": {"at": "X", "error": "no device", "status": "failed"}, "email": {"at": "X", "status": "sent"}}""",
            await api.ScalarAsync<string>("""
                SELECT (SELECT jsonb_object_agg(k, v || '{"at": "X"}') FROM jsonb_each(deliveries) AS d (k, v))::text
                  FROM notifications WHERE id = @id
                """, ("id", id)));

        // Users and agents without the scope have no access.
        await (await user.Client.GetAsync("/api/agents/notifications/pending?channel=email")).ProblemAsync(HttpStatusCode.Unauthorized);
        var other = await api.NewAgentAsync("agents:chat");
        await (await other.Client.GetAsync("/api/agents/notifications/pending?channel=email")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await agent.Client.GetAsync("/api/agents/notifications/pending")).ValidationProblemAsync("channel");
    }

    [Fact]
    public async Task The_GDPR_export_holds_the_users_notifications_and_their_keys()
    {
        var user = await api.NewUserAsync();
        await api.ExecAsync("SELECT app.notify(@u, 'test.export', 'normal', 'Exported', NULL, NULL, NULL, NULL, 'test:export:' || @u)", ("u", user.Id));
        var export = await (await user.Client.GetAsync("/api/users/me/export")).JsonAsync();
        Assert.Equal("test.export", export["notifications"]![0]!["kind"]!.GetValue<string>());
        Assert.Equal($"test:export:{user.Id}", export["notificationKeys"]![0]!["key"]!.GetValue<string>());
    }
}
