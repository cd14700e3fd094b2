using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;
using TravelFunctions.TestSupport;
using Xunit;

namespace TravelFunctions.Timers.Tests.Infrastructure;

/// <summary>
/// The real timers app in-process on a database of its own, wired as in production: TravelDb is the
/// pooled endpoint (PgBouncer, transaction mode) as travel_maintenance, TravelDbDirect the direct
/// endpoint as travel_owner. The local scheduler is off unless a test class turns it on.
/// </summary>
public class TimersFixture : IAsyncLifetime
{
    public TestDatabase Database { get; } = new();
    private WebApplicationFactory<Program>? _factory;

    protected virtual IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>();

    public WebApplicationFactory<Program> Factory => _factory ?? throw new InvalidOperationException("Fixture not initialized.");
    public IServiceProvider Services => Factory.Services;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        var settings = new Dictionary<string, string?>
        {
            ["TravelDb"] = Database.Maintenance,
            ["TravelDbDirect"] = Database.Direct,
            ["Scheduler:Enabled"] = "false",
            ["ArchiveStorage"] = TestStack.ArchiveStorage,
            ["ArchiveContainer"] = "timers-" + Guid.NewGuid().ToString("N")[..12],
        };
        foreach (var (k, v) in ExtraSettings) settings[k] = v;
        _factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            foreach (var (k, v) in settings) b.UseSetting(k, v);
        });
        _ = _factory.Server; // start now so a configuration error fails here, clearly
    }

    public async Task DisposeAsync()
    {
        if (_factory is not null) await _factory.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>POSTs a timer invocation exactly as the Functions host does.</summary>
    public async Task<(HttpResponseMessage Response, JsonObject Body, string InvocationId)> InvokeAsync(
        string function, bool isPastDue = false, bool withScheduleStatus = true, string? rawBody = null)
    {
        var invocationId = Guid.NewGuid().ToString();
        var client = Factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/" + function)
        {
            Content = new StringContent(rawBody ?? HostPayload(function, isPastDue, withScheduleStatus), System.Text.Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("x-azure-functions-invocationid", invocationId);
        var response = await client.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        Assert.False(string.IsNullOrWhiteSpace(text), "the handler must never answer with an empty body");
        var body = JsonNode.Parse(text)!.AsObject();
        return (response, body, invocationId);
    }

    /// <summary>The body the Functions host sends for a timerTrigger invocation.</summary>
    public static string HostPayload(string function, bool isPastDue, bool withScheduleStatus)
    {
        var now = DateTimeOffset.UtcNow;
        JsonNode? status = withScheduleStatus
            ? new JsonObject { ["Last"] = now.AddMinutes(-10).ToString("O"), ["Next"] = now.AddMinutes(10).ToString("O"), ["LastUpdated"] = now.AddMinutes(-10).ToString("O") }
            : null;
        var payload = new JsonObject
        {
            ["Data"] = new JsonObject
            {
                ["timer"] = new JsonObject
                {
                    ["Schedule"] = new JsonObject { ["AdjustForDST"] = true },
                    ["ScheduleStatus"] = status,
                    ["IsPastDue"] = isPastDue,
                },
            },
            ["Metadata"] = new JsonObject
            {
                ["sys"] = new JsonObject { ["MethodName"] = function, ["UtcNow"] = now.ToString("O"), ["RandGuid"] = Guid.NewGuid().ToString() },
            },
        };
        return payload.ToJsonString(); // "ScheduleStatus":null is written, as the host does
    }

    /// <summary>Asserts {"Outputs":{},"Logs":[…strings…],"ReturnValue":null} and returns the log lines.</summary>
    public static List<string> AssertInvocationShape(JsonObject body)
    {
        Assert.True(body.ContainsKey("Outputs") && body.ContainsKey("Logs") && body.ContainsKey("ReturnValue"), body.ToJsonString());
        Assert.Empty(body["Outputs"]!.AsObject());
        Assert.Null(body["ReturnValue"]);
        var logs = body["Logs"]!.AsArray().Select(l => l!.GetValue<string>()).ToList();
        Assert.NotEmpty(logs);
        return logs;
    }

    public async Task<T> AdminScalarAsync<T>(string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(Database.Admin);
        return (await conn.ExecuteScalarAsync<T>(sql, args))!;
    }

    public async Task AdminExecAsync(string sql, object? args = null)
    {
        await using var conn = new NpgsqlConnection(Database.Admin);
        await conn.ExecuteAsync(sql, args);
    }

    public async Task<LedgerRow> LedgerAsync(string invocationId)
    {
        await using var conn = new NpgsqlConnection(Database.Admin);
        return await conn.QuerySingleAsync<LedgerRow>(
            "SELECT id, job, outcome, finished_at AS finishedat, summary::text AS summary, error FROM maintenance.job_runs WHERE invocation_id = @invocationId",
            new { invocationId });
    }

    /// <summary>A runner on this database with its own clock (RetentionPurge's 30 days without waiting).</summary>
    public JobRunner RunnerWithClock(TimeProvider clock) =>
        new(Services.GetRequiredService<TravelDataSources>(), new JobRunnerOptions(TimeSpan.FromSeconds(120)), clock, NullLoggerFactory.Instance);

    public T Job<T>() where T : IMaintenanceJob => Services.GetServices<IMaintenanceJob>().OfType<T>().Single();
}

public sealed record LedgerRow(long Id, string Job, string Outcome, DateTime? FinishedAt, string Summary, string? Error)
{
    public JsonObject SummaryJson => JsonNode.Parse(Summary)!.AsObject();

    public JsonObject Unit(string name) =>
        SummaryJson["units"]!.AsArray().Select(u => u!.AsObject()).Single(u => u["unit"]!.GetValue<string>() == name);
}

/// <summary>A clock that says what the test wants it to say.</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;
    public override DateTimeOffset GetUtcNow() => Now;
}
