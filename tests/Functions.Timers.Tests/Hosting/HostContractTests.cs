using System.Net;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Hosting;

/// <summary>Each function invoked as the Functions host invokes it: 200, the custom-handler JSON shape, a ledger row.</summary>
public sealed class HostContractTests(TimersFixture fx) : IClassFixture<TimersFixture>
{
    public static TheoryData<string, bool, bool> Invocations => new()
    {
        { "CacheExpiry", false, true },
        { "CacheExpiry", true, false },
        { "AnalyzeTables", false, true },
        { "AnalyzeTables", true, false },
        { "RetentionPurge", false, true },
        { "RetentionPurge", true, false },
        { "RefreshReporting", false, true },
        { "RefreshReporting", true, false },
        { "PartitionMaintenance", false, true },
        { "PartitionMaintenance", true, false },
    };

    [Theory]
    [MemberData(nameof(Invocations))]
    public async Task Host_invocation_answers_200_with_the_custom_handler_shape_and_writes_a_ledger_row(string function, bool isPastDue, bool withScheduleStatus)
    {
        var (response, body, invocationId) = await fx.InvokeAsync(function, isPastDue, withScheduleStatus);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var logs = TimersFixture.AssertInvocationShape(body);
        Assert.Contains(logs, l => l.StartsWith(function + ": ", StringComparison.Ordinal));
        Assert.Equal(isPastDue, logs.Any(l => l.Contains("past due", StringComparison.Ordinal)));

        var row = await fx.LedgerAsync(invocationId);
        Assert.Equal(function, row.Job);
        Assert.Contains(row.Outcome, new[] { "done", "nothing_to_do" });
        Assert.NotNull(row.FinishedAt);
        Assert.Null(row.Error);
        Assert.False(row.SummaryJson["dry_run"]!.GetValue<bool>());
    }

    [Fact]
    public async Task Invocation_without_Data_is_a_plain_invocation()
    {
        var (response, body, invocationId) = await fx.InvokeAsync("RefreshReporting", rawBody: """{"Metadata":{}}""");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        TimersFixture.AssertInvocationShape(body);
        Assert.Equal("done", (await fx.LedgerAsync(invocationId)).Outcome);
    }

    [Theory]
    [InlineData("{not json")]
    [InlineData("[1,2]")]
    [InlineData("""{"Data":"timer"}""")]
    public async Task Malformed_body_answers_400_with_the_same_shape_and_runs_nothing(string raw)
    {
        var (response, body, invocationId) = await fx.InvokeAsync("RefreshReporting", rawBody: raw);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        TimersFixture.AssertInvocationShape(body);
        Assert.Equal(0L, await fx.AdminScalarAsync<long>("SELECT count(*) FROM maintenance.job_runs WHERE invocation_id = @invocationId", new { invocationId }));
    }

    [Fact]
    public async Task Unknown_function_answers_404_with_the_same_shape()
    {
        var (response, body, _) = await fx.InvokeAsync("NoSuchJob");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        var logs = TimersFixture.AssertInvocationShape(body);
        Assert.Contains("CacheExpiry", logs[0]);
    }

    [Fact]
    public async Task Readiness_probe_answers()
    {
        var response = await fx.Factory.CreateClient().GetAsync("/");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }
}
