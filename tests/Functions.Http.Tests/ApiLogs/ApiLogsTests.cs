using System.Net;
using System.Net.Http.Json;
using TravelFunctions.Tests.AgentAuth;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.ApiLogs;

public sealed class ApiLogsTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    private static object Log(int i = 0) => new
    {
        provider = "amadeus", endpoint = "/v2/shopping/flight-offers?originLocationCode=CDG", method = "get", status = 200,
        durationMs = 100 + i, request = new { origin = "CDG", n = i }, response = new[] { new { price = 120.5 } },
    };

    private Task<long> CountAsync() => api.AdminScalarAsync<long>("SELECT count(*) FROM external_api_logs");

    [Fact]
    public async Task A_batch_is_written_with_every_field()
    {
        var agent = await api.NewAgentAsync("agents:logs");
        var user = await api.NewUserAsync();
        var before = await CountAsync();
        var when = DateTimeOffset.UtcNow.AddDays(-20);
        var response = await agent.Client.PostAsJsonAsync("/api/api-logs", new
        {
            logs = Enumerable.Range(0, 50).Select(i => Log(i)).Append(new
            {
                provider = "sabre", endpoint = "/pnr", method = "POST", status = (int?)null, durationMs = 30000,
                request = (object?)null, response = (object?)null, error = "timeout after 30 s", userId = (Guid?)user.Id, occurredAt = (DateTimeOffset?)when,
            } as object).ToArray(),
        });
        await response.EnsureStatusAsync(HttpStatusCode.Accepted);
        Assert.Equal(51, (await response.JsonAsync())["accepted"]!.GetValue<int>());
        Assert.Equal(before + 51, await CountAsync());

        Assert.Equal("GET|200|CDG|120.5", await api.AdminScalarAsync<string>(
            "SELECT concat_ws('|', method, status_code, request ->> 'origin', response -> 0 ->> 'price') FROM external_api_logs WHERE duration_ms = 103"));
        Assert.Equal("POST|timeout after 30 s|t", await api.AdminScalarAsync<string>(
            "SELECT concat_ws('|', method, error, abs(extract(epoch FROM created_at - @when)) < 0.001) FROM external_api_logs WHERE user_id = @id AND status_code IS NULL",
            new { id = user.Id, when }));
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM external_api_logs_default"));
    }

    [Fact]
    public async Task One_bad_entry_rejects_the_batch_and_names_its_index()
    {
        var agent = await api.NewAgentAsync("agents:logs");
        var before = await CountAsync();
        var logs = Enumerable.Range(0, 5).Select(i => Log(i)).ToList();
        logs[2] = new { provider = "amadeus", endpoint = "/x", method = "GET", durationMs = 1, request = new { blob = new string('x', 65 * 1024) } };
        await (await agent.Client.PostAsJsonAsync("/api/api-logs", new { logs })).ValidationProblemAsync("logs[2].request");

        logs[2] = new { provider = "amadeus", endpoint = "/x", method = "GET", durationMs = 1, userId = Guid.NewGuid() };
        await (await agent.Client.PostAsJsonAsync("/api/api-logs", new { logs })).ValidationProblemAsync("logs[2].userId");

        logs[2] = new { provider = "amadeus", endpoint = "/x", method = "GET", durationMs = 1, occurredAt = "2018-01-01T00:00:00Z" };
        await (await agent.Client.PostAsJsonAsync("/api/api-logs", new { logs })).ValidationProblemAsync("logs[2].occurredAt");
        Assert.Equal(before, await CountAsync());
        Assert.Equal(0L, await api.AdminScalarAsync<long>("SELECT count(*) FROM external_api_logs_default"));
    }

    [Fact]
    public async Task Every_validation_rule()
    {
        var agent = await api.NewAgentAsync("agents:logs");
        var before = await CountAsync();
        async Task Rejects(object entry, string field) =>
            await (await agent.Client.PostAsJsonAsync("/api/api-logs", new { logs = new[] { entry } })).ValidationProblemAsync("logs[0]." + field);

        await (await agent.Client.PostAsJsonAsync("/api/api-logs", new { })).ValidationProblemAsync("logs");
        await (await agent.Client.PostAsJsonAsync("/api/api-logs", new { logs = Array.Empty<object>() })).ValidationProblemAsync("logs");
        await (await agent.Client.PostAsJsonAsync("/api/api-logs", new { logs = Enumerable.Range(0, 501).Select(i => Log(i)) })).ValidationProblemAsync("logs");
        await Rejects(new { endpoint = "/x", method = "GET", durationMs = 1 }, "provider");
        await Rejects(new { provider = "a b", endpoint = "/x", method = "GET", durationMs = 1 }, "provider");
        await Rejects(new { provider = "a", method = "GET", durationMs = 1 }, "endpoint");
        await Rejects(new { provider = "a", endpoint = new string('e', 2049), method = "GET", durationMs = 1 }, "endpoint");
        await Rejects(new { provider = "a", endpoint = "/x", durationMs = 1 }, "method");
        await Rejects(new { provider = "a", endpoint = "/x", method = "FETCH", durationMs = 1 }, "method");
        await Rejects(new { provider = "a", endpoint = "/x", method = "GET", durationMs = 1, status = 99 }, "status");
        await Rejects(new { provider = "a", endpoint = "/x", method = "GET", durationMs = 1, status = 600 }, "status");
        await Rejects(new { provider = "a", endpoint = "/x", method = "GET" }, "durationMs");
        await Rejects(new { provider = "a", endpoint = "/x", method = "GET", durationMs = -1 }, "durationMs");
        await Rejects(new { provider = "a", endpoint = "/x", method = "GET", durationMs = 1, response = new { blob = new string('x', 65 * 1024) } }, "response");
        await Rejects(new { provider = "a", endpoint = "/x", method = "GET", durationMs = 1, error = "" }, "error");
        await Rejects(new { provider = "a", endpoint = "/x", method = "GET", durationMs = 1, error = new string('e', 8001) }, "error");
        await Rejects(new { provider = "a", endpoint = "/x", method = "GET", durationMs = 1, userId = "nobody" }, "userId");
        await Rejects(new { provider = "a", endpoint = "/x", method = "GET", durationMs = 1, occurredAt = DateTimeOffset.UtcNow.AddDays(2) }, "occurredAt");
        await Rejects(new { provider = "a", endpoint = "/x", method = "GET", durationMs = 1, extra = true }, "extra");
        Assert.Equal(before, await CountAsync());
    }
}
