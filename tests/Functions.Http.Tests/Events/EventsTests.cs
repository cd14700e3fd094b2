using System.Net;
using System.Net.Http.Json;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Events;

public sealed class EventsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static object Event(int i, object? occurredAt = null) => new
    {
        eventType = "page_view", category = "search", data = new { page = "/flights", n = i },
        sessionId = "s-1", deviceType = "mobile", occurredAt = occurredAt ?? DateTimeOffset.UtcNow.AddMinutes(-i),
    };

    private Task<long> CountAsync(Guid userId) =>
        api.AdminScalarAsync<long>("SELECT count(*) FROM user_events WHERE user_id = @userId", new { userId });

    [Fact]
    public async Task A_batch_is_written_for_the_caller_with_every_field()
    {
        var user = await api.NewUserAsync();
        var past = DateTimeOffset.UtcNow.AddDays(-200); // an older month that still has a partition
        var response = await user.Client.PostAsJsonAsync("/api/events", new
        {
            events = Enumerable.Range(0, 500).Select(i => i == 7 ? Event(i, past) : Event(i))
                .Append(new { eventType = "app:open" }).ToArray(),
        });
        await response.EnsureStatusAsync(HttpStatusCode.Accepted);
        Assert.Equal(501, (await response.JsonAsync())["accepted"]!.GetValue<int>());
        Assert.Equal(501L, await CountAsync(user.Id));

        var minimal = await api.AdminScalarAsync<string>(
            "SELECT concat_ws('|', category, data, session_id, device_type, occurred_at > now() - interval '1 minute') FROM user_events WHERE user_id = @id AND event_type = 'app:open'",
            new { id = user.Id });
        Assert.Equal("t", minimal);
        var full = await api.AdminScalarAsync<string>(
            "SELECT concat_ws('|', category, data ->> 'page', session_id, device_type) FROM user_events WHERE user_id = @id AND (data ->> 'n')::int = 3",
            new { id = user.Id });
        Assert.Equal("search|/flights|s-1|mobile", full);
        Assert.Equal(1L, await api.AdminScalarAsync<long>(
            "SELECT count(*) FROM user_events WHERE user_id = @id AND abs(extract(epoch FROM occurred_at - @past)) < 0.001", new { id = user.Id, past }));
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM user_events_default"));
    }

    [Fact]
    public async Task One_bad_event_rejects_the_whole_batch_and_names_its_index()
    {
        var user = await api.NewUserAsync();
        var events = Enumerable.Range(0, 10).Select(i => (object)Event(i)).ToList();
        events[3] = new { eventType = "bad type!" };
        var body = await (await user.Client.PostAsJsonAsync("/api/events", new { events })).ValidationProblemAsync("events[3].eventType");
        Assert.Single(body["errors"]!.AsObject());
        Assert.Equal(0L, await CountAsync(user.Id));

        // A JSON type error names the element too.
        await (await user.Client.PostAsync("/api/events", HttpTestExtensions.RawJson(
            """{"events":[{"eventType":"a"},{"eventType":"b","deviceType":"fridge"}]}"""))).ValidationProblemAsync("events[1].deviceType");
        Assert.Equal(0L, await CountAsync(user.Id));
    }

    [Fact]
    public async Task Occurred_at_outside_the_existing_partitions_is_400_and_writes_nothing()
    {
        var user = await api.NewUserAsync();
        var events = new[] { Event(0), Event(1, "2019-06-01T12:00:00Z"), Event(2) };
        var body = await (await user.Client.PostAsJsonAsync("/api/events", new { events })).ValidationProblemAsync("events[1].occurredAt");
        Assert.Contains("outside", body["errors"]!["events[1].occurredAt"]![0]!.GetValue<string>());
        Assert.Equal(0L, await CountAsync(user.Id));
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM user_events_default"));

        // A full batch whose last event has no month: the 999 good ones are not written either.
        var full = Enumerable.Range(0, 1000).Select(i => i == 999 ? Event(i, "2019-06-01T12:00:00Z") : Event(i)).ToArray();
        await (await user.Client.PostAsJsonAsync("/api/events", new { events = full })).ValidationProblemAsync("events[999].occurredAt");
        Assert.Equal(0L, await CountAsync(user.Id));
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM user_events_default"));

        // The future is refused before the database: an event cannot have happened yet.
        await (await user.Client.PostAsJsonAsync("/api/events", new { events = new[] { Event(0, DateTimeOffset.UtcNow.AddDays(40)) } }))
            .ValidationProblemAsync("events[0].occurredAt");
    }

    [Fact]
    public async Task A_batch_never_carries_rows_from_the_previous_one_on_the_same_server_connection()
    {
        // Batches share pooled server connections; each must see only its own rows, whoever sent the batch
        // before it and whether that batch was written or refused (rolled back after reaching the DEFAULT partition).
        var alice = await api.NewUserAsync();
        var bob = await api.NewUserAsync();
        for (var round = 0; round < 5; round++)
        {
            var written = await alice.Client.PostAsJsonAsync("/api/events", new { events = Enumerable.Range(0, 3).Select(i => Event(i)).ToArray() });
            await written.EnsureStatusAsync(HttpStatusCode.Accepted);
            Assert.Equal(3, (await written.JsonAsync())["accepted"]!.GetValue<int>());

            await (await bob.Client.PostAsJsonAsync("/api/events", new { events = new[] { Event(0), Event(1, "2019-06-01T12:00:00Z") } }))
                .ValidationProblemAsync("events[1].occurredAt");

            var next = await bob.Client.PostAsJsonAsync("/api/events", new { events = new[] { Event(0), Event(1) } });
            await next.EnsureStatusAsync(HttpStatusCode.Accepted);
            Assert.Equal(2, (await next.JsonAsync())["accepted"]!.GetValue<int>());
        }
        Assert.Equal(15L, await CountAsync(alice.Id));
        Assert.Equal(10L, await CountAsync(bob.Id));
    }

    [Fact]
    public async Task Every_validation_rule()
    {
        var user = await api.NewUserAsync();
        async Task Rejects(object body, string field) =>
            await (await user.Client.PostAsJsonAsync("/api/events", body)).ValidationProblemAsync(field);

        await Rejects(new { }, "events");
        await Rejects(new { events = Array.Empty<object>() }, "events");
        await Rejects(new { events = Enumerable.Range(0, 1001).Select(_ => new { eventType = "x" }) }, "events");
        await Rejects(new { events = new object?[] { null } }, "events[0]");
        await Rejects(new { events = new[] { new { category = "c" } } }, "events[0].eventType");
        await Rejects(new { events = new[] { new { eventType = new string('e', 101) } } }, "events[0].eventType");
        await Rejects(new { events = new[] { new { eventType = "e", category = "no spaces" } } }, "events[0].category");
        await Rejects(new { events = new[] { new { eventType = "e", category = new string('c', 51) } } }, "events[0].category");
        await Rejects(new { events = new[] { new { eventType = "e", data = new[] { 1 } } } }, "events[0].data");
        await Rejects(new { events = new[] { new { eventType = "e", data = new { big = new string('d', 17 * 1024) } } } }, "events[0].data");
        await Rejects(new { events = new[] { new { eventType = "e", sessionId = "" } } }, "events[0].sessionId");
        await Rejects(new { events = new[] { new { eventType = "e", sessionId = new string('s', 129) } } }, "events[0].sessionId");
        await Rejects(new { events = new[] { new { eventType = "e", deviceType = "watch" } } }, "events[0].deviceType");
        await Rejects(new { events = new[] { new { eventType = "e", occurredAt = "yesterday" } } }, "events[0].occurredAt");
        await Rejects(new { events = new[] { new { eventType = "e", color = "red" } } }, "events[0].color");
        await (await user.Client.PostAsync("/api/events", HttpTestExtensions.RawJson("""[{"eventType":"e"}]"""))).ValidationProblemAsync("body");
        Assert.Equal(0L, await CountAsync(user.Id));
    }

    [Fact]
    public async Task Events_need_a_user_token_and_stay_private()
    {
        await (await api.Anonymous().PostAsJsonAsync("/api/events", new { events = new[] { Event(0) } })).ProblemAsync(HttpStatusCode.Unauthorized);
        var a = await api.NewUserAsync();
        var b = await api.NewUserAsync();
        await (await a.Client.PostAsJsonAsync("/api/events", new { events = new[] { Event(0), Event(1) } })).EnsureStatusAsync(HttpStatusCode.Accepted);
        await (await b.Client.PostAsJsonAsync("/api/events", new { events = new[] { Event(0) } })).EnsureStatusAsync(HttpStatusCode.Accepted);
        Assert.Equal(2L, await CountAsync(a.Id));
        Assert.Equal(1L, await CountAsync(b.Id));
    }
}
