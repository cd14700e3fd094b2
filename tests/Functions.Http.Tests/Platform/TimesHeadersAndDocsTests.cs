using System.Net;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Platform;

/// <summary>Issue 13 item 8: date-times carry their offset everywhere; personal data is not cached; docs answer when enabled.</summary>
public sealed class TimesHeadersAndDocsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static StringContent Json(string json) => HttpTestExtensions.RawJson(json);

    [Fact]
    public async Task Event_and_api_log_times_without_an_offset_are_400_naming_the_field()
    {
        var user = await api.NewUserAsync();
        var at = DateTimeOffset.UtcNow.AddDays(-1);
        var local = at.ToString("yyyy-MM-dd'T'HH:mm:ss");
        await (await user.Client.PostAsync("/api/events", Json($$"""{"events":[{"eventType":"view"},{"eventType":"view","occurredAt":"{{local}}"}]}""")))
            .ValidationProblemAsync("events[1].occurredAt");
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM user_events WHERE user_id = @id", new { id = user.Id }));
        var withOffset = at.ToOffset(TimeSpan.FromHours(2)).ToString("yyyy-MM-dd'T'HH:mm:sszzz");
        await (await user.Client.PostAsync("/api/events", Json($$"""{"events":[{"eventType":"view","occurredAt":"{{withOffset}}"}]}""")))
            .EnsureStatusAsync(HttpStatusCode.Accepted);
        Assert.Equal(at.ToUnixTimeSeconds(), await api.AdminScalarAsync<long>(
            "SELECT extract(epoch FROM occurred_at)::bigint FROM user_events WHERE user_id = @id", new { id = user.Id }));

        var agent = await api.NewAgentAsync("agents:logs");
        await (await agent.Client.PostAsync("/api/api-logs", Json($$"""{"logs":[{"provider":"amadeus","endpoint":"/x","method":"GET","durationMs":5,"occurredAt":"{{local}}"}]}""")))
            .ValidationProblemAsync("logs[0].occurredAt");
        await (await agent.Client.PostAsync("/api/api-logs", Json($$"""{"logs":[{"provider":"amadeus","endpoint":"/x","method":"GET","durationMs":5,"occurredAt":"{{withOffset}}"}]}""")))
            .EnsureStatusAsync(HttpStatusCode.Accepted);
    }

    [Fact]
    public async Task Profile_and_export_answers_are_not_stored_by_caches()
    {
        var user = await api.NewUserAsync();
        foreach (var response in new[]
        {
            await user.Client.GetAsync("/api/users/me"),
            await user.Client.PatchAsync("/api/users/me", Json("""{"firstName":"Ana"}""")),
            await user.Client.GetAsync("/api/users/me/export"),
        })
        {
            await response.EnsureStatusAsync(HttpStatusCode.OK);
            Assert.True(response.Headers.CacheControl?.NoStore, $"{response.RequestMessage!.RequestUri}: Cache-Control {response.Headers.CacheControl}");
        }
    }

    [Fact]
    public async Task Docs_are_served_when_enabled()
    {
        await (await api.Anonymous().GetAsync("/api/docs/index.html")).EnsureStatusAsync(HttpStatusCode.OK);
        await (await api.Anonymous().GetAsync("/api/openapi/v1.json")).EnsureStatusAsync(HttpStatusCode.OK);
    }
}

/// <summary>The app with its docs switched off, as the Bicep-deployed apps are unless enabled.</summary>
public sealed class DocsOffFixture : ApiFixture
{
    protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string> { ["Api__DocsEnabled"] = "false" };
}

public sealed class DocsOffTests(DocsOffFixture api) : IClassFixture<DocsOffFixture>
{
    [Fact]
    public async Task Switched_off_the_docs_ui_and_the_openapi_document_are_404_problems()
    {
        Assert.False(new TravelFunctions.Http.Docs.DocsOptions().DocsEnabled); // off when the setting is absent
        foreach (var path in new[] { "/api/docs/index.html", "/api/docs/", "/api/openapi/v1.json" })
        {
            var response = await api.Anonymous().GetAsync(path);
            await response.ProblemAsync(HttpStatusCode.NotFound);
        }
        await (await api.Anonymous().GetAsync("/api/health")).EnsureStatusAsync(HttpStatusCode.OK);
    }
}
