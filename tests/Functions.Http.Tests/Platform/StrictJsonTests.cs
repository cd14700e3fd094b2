using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Conversations;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Platform;

/// <summary>
/// Issue 13 item 6: repeated members are refused; JSON the API stores (chat metadata, event data, API-log bodies,
/// search results) is bounded in depth when written, and read back as stored.
/// </summary>
public sealed class StrictJsonTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    /// <summary>{"d":{"d":…{}…}}: an object nested <paramref name="levels"/> deep.</summary>
    internal static string Nested(int levels) => string.Concat(Enumerable.Repeat("{\"d\":", levels - 1)) + "{}" + new string('}', levels - 1);

    private static StringContent Json(string json) => HttpTestExtensions.RawJson(json);

    [Fact]
    public async Task Repeated_members_are_400_also_inside_free_json()
    {
        var user = await api.NewUserAsync();
        await (await user.Client.PostAsync("/api/conversations", Json("""{"agentType":"support","agentType":"experience"}""")))
            .ProblemAsync(HttpStatusCode.BadRequest);
        var id = (await user.StartConversationAsync())["id"]!.GetValue<Guid>();
        await (await user.Client.PostAsync($"/api/conversations/{id}/messages",
            Json("""{"role":"user","content":"hi","metadata":{"model":"a","model":"b"}}"""))).ProblemAsync(HttpStatusCode.BadRequest);
        await (await user.Client.PostAsync("/api/events", Json("""{"events":[{"eventType":"view","data":{"k":1,"k":2}}]}""")))
            .ProblemAsync(HttpStatusCode.BadRequest);
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM chat_messages WHERE conversation_id = @id", new { id }));
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM user_events WHERE user_id = @id", new { id = user.Id }));
    }

    [Fact]
    public async Task Metadata_nested_30_deep_is_400_and_history_stays_readable()
    {
        var user = await api.NewUserAsync();
        var id = (await user.StartConversationAsync())["id"]!.GetValue<Guid>();
        Task<HttpResponseMessage> Post(string metadata) =>
            user.Client.PostAsync($"/api/conversations/{id}/messages", Json($$"""{"role":"user","content":"hi","metadata":{{metadata}}}"""));

        await (await Post(Nested(30))).ValidationProblemAsync("metadata");
        await (await Post(Nested(17))).ValidationProblemAsync("metadata");
        await (await Post(Nested(16))).EnsureStatusAsync(HttpStatusCode.Created);

        var page = await user.Client.GetAsync($"/api/conversations/{id}/messages");
        await page.EnsureStatusAsync(HttpStatusCode.OK);
        var items = (await page.JsonAsync())["items"]!.AsArray();
        Assert.Equal(Nested(16), items.Single()!["metadata"]!.ToJsonString());
    }

    [Fact]
    public async Task A_message_stored_deeper_than_the_limit_is_read_back_as_stored()
    {
        // A row written before the limit existed (or by another writer): the history must still read.
        var user = await api.NewUserAsync();
        var id = (await user.StartConversationAsync())["id"]!.GetValue<Guid>();
        await api.AdminExecAsync("""
            INSERT INTO chat_messages (conversation_id, user_id, role, content, metadata)
            VALUES (@id, @user, 'user', 'old', @metadata::jsonb)
            """, new { id, user = user.Id, metadata = Nested(30) });

        var page = await user.Client.GetAsync($"/api/conversations/{id}/messages");
        await page.EnsureStatusAsync(HttpStatusCode.OK);
        var text = await page.Content.ReadAsStringAsync();
        Assert.Contains(Nested(30), text.Replace(" ", ""));
    }

    [Fact]
    public async Task Event_data_api_log_bodies_and_search_results_are_limited_to_16_levels()
    {
        var user = await api.NewUserAsync();
        await (await user.Client.PostAsync("/api/events", Json($$"""{"events":[{"eventType":"view"},{"eventType":"view","data":{{Nested(17)}}}]}""")))
            .ValidationProblemAsync("events[1].data");
        await (await user.Client.PostAsync("/api/events", Json($$"""{"events":[{"eventType":"view","data":{{Nested(16)}}}]}""")))
            .EnsureStatusAsync(HttpStatusCode.Accepted);

        var agent = await api.NewAgentAsync("agents:logs", "agents:search-cache");
        const string log = """{"provider":"amadeus","endpoint":"/x","method":"GET","durationMs":5""";
        await (await agent.Client.PostAsync("/api/api-logs", Json($$"""{"logs":[{{log}},"response":[{{Nested(16)}}]}]}""")))
            .ValidationProblemAsync("logs[0].response");
        await (await agent.Client.PostAsync("/api/api-logs", Json($$"""{"logs":[{{log}},"request":{{Nested(16)}}}]}""")))
            .EnsureStatusAsync(HttpStatusCode.Accepted);

        await (await agent.Client.PutAsync("/api/search-cache/hotel", Json($$"""{"parameters":{"city":"LIS"},"results":[{{Nested(16)}}]}""")))
            .ValidationProblemAsync("results");
        await (await agent.Client.PutAsync("/api/search-cache/hotel", Json($$"""{"parameters":{"city":"LIS"},"results":{{Nested(16)}}}""")))
            .EnsureStatusAsync(HttpStatusCode.NoContent);
        var cached = await agent.Client.GetAsync("/api/search-cache/hotel?city=LIS");
        await cached.EnsureStatusAsync(HttpStatusCode.OK);
        Assert.Equal(Nested(16), (await cached.JsonAsync())["results"]!.ToJsonString());
    }

    [Fact]
    public async Task A_result_that_fails_while_writing_is_a_logged_500_and_nothing_of_it_is_sent()
    {
        // The safety net under every function's result (ProblemMiddleware wraps each in a BufferedResult).
        var logs = new ListLogger();
        var http = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddLogging().AddProblemDetails().BuildServiceProvider(),
        };
        var sent = new MemoryStream();
        http.Response.Body = sent;
        var result = new TravelFunctions.Http.Infrastructure.BufferedResult(new FailsHalfway(), "Test", logs);

        await result.ExecuteAsync(http);

        Assert.Equal(500, http.Response.StatusCode);
        Assert.StartsWith("application/problem+json", http.Response.ContentType);
        var body = JsonNode.Parse(Encoding.UTF8.GetString(sent.ToArray()))!;
        Assert.Equal(500, body["status"]!.GetValue<int>());
        Assert.DoesNotContain("partial", Encoding.UTF8.GetString(sent.ToArray()));
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Error && e.Exception is InvalidOperationException);
    }

    private sealed class FailsHalfway : IResult
    {
        public async Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.StatusCode = 200;
            httpContext.Response.ContentType = "application/json";
            await httpContext.Response.StartAsync();
            await httpContext.Response.WriteAsync("[\"partial\"," + new string(' ', 64 * 1024));
            await httpContext.Response.Body.FlushAsync();
            throw new InvalidOperationException("the serializer gave up");
        }
    }

    private sealed class ListLogger : ILogger
    {
        public List<(LogLevel Level, Exception? Exception)> Entries { get; } = [];
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;
        public bool IsEnabled(LogLevel logLevel) => true;
        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Add((logLevel, exception));
    }
}
