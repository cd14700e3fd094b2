using System.Net;
using System.Text;
using TravelFunctions.Timers.Jobs;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Hosting;

/// <summary>
/// Each job invoked as the Functions host invokes it, through the real worker: the invocation succeeds, its ledger row
/// is keyed by the host's invocation id, and the run's summary reaches the host's log.
/// </summary>
public sealed class HostContractTests(HostedTimersFixture fx) : IClassFixture<HostedTimersFixture>
{
    public static TheoryData<string, bool> Invocations()
    {
        var data = new TheoryData<string, bool>();
        foreach (var job in TimersApp.Jobs)
        {
            data.Add(job, false);
            data.Add(job, true);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Invocations))]
    public Task A_host_invocation_succeeds_and_writes_its_ledger_row_under_the_invocation_id(string function, bool isPastDue) => fx.Check(async () =>
    {
        var result = await fx.InvokeAsync(function, isPastDue);

        Assert.True(result.Succeeded, result.Exception);
        var invocationId = Assert.Single(result.InvocationIds); // no retry
        var row = await fx.Database.RowAsync(invocationId);
        Assert.Equal(function, row.Job);
        Assert.Contains(row.Outcome, new[] { "done", "nothing_to_do" });
        Assert.NotNull(row.FinishedAt);
        Assert.Null(row.Error);
        Assert.False(row.SummaryJson["dry_run"]!.GetValue<bool>());

        // Every line of the summary is logged through the worker's ILogger, tagged with the invocation.
        var logged = fx.Host.Output.Split('\n').Where(l => l.Contains($"[invocation {invocationId}]", StringComparison.Ordinal)).ToList();
        Assert.Contains(logged, l => l.Contains($"{function}: {row.Outcome} in ", StringComparison.Ordinal) && l.Contains($"(job_runs.id {row.Id})", StringComparison.Ordinal));
        foreach (var unit in row.SummaryJson["units"]!.AsArray())
            Assert.Contains(logged, l => l.Contains($"{function}/{unit!["unit"]!.GetValue<string>()}: ", StringComparison.Ordinal));
        // IsPastDue (from the host's timer input) only adds a line.
        Assert.Equal(isPastDue, fx.Host.Output.Contains($"{function}: timer is past due (a scheduled run was missed); running now, invocation {invocationId}", StringComparison.Ordinal));
    });

    /// <summary>
    /// What the worker needs from the host for a job: a timer trigger bound to the parameter "timer" (the host sends its
    /// input under that name), the schedule from the job's setting, the retry policy. Replaces the custom handler's
    /// readiness probe: the host loads every function or does not start.
    /// </summary>
    [Fact]
    public void The_worker_reports_every_job_as_a_timer_function_with_its_schedule_setting_and_retry_policy()
    {
        Assert.Equal(TimersApp.Jobs.Order(), fx.Host.Functions.Select(f => f.Name).Order());
        foreach (var function in fx.Host.Functions)
        {
            Assert.True(function.IsTimer, function.Name);
            Assert.Equal("timer", function.TriggerName);
            Assert.Contains($"\"schedule\":\"%{JobCatalog.ScheduleSetting(function.Name)}%\"", string.Concat(function.RawBindings).Replace(" ", ""));
            Assert.Equal(fx.Settings[JobCatalog.ScheduleSetting(function.Name)], function.Schedule);
            Assert.NotNull(function.Retry);
            Assert.Equal("fixedDelay", function.Retry.Strategy);
            Assert.Equal(2, function.Retry.MaxRetryCount);
            Assert.Equal(TimeSpan.FromMinutes(1), function.Retry.DelayInterval);
        }
    }

    /// <summary>
    /// The host's on-demand door (POST /admin/functions/{name}): what the custom handler's malformed-body (400) and
    /// unknown-function (404) answers became. A refused request runs nothing; an accepted one (202) runs the job.
    /// </summary>
    [Fact]
    public Task The_admin_endpoint_runs_a_job_now_and_refuses_malformed_requests_and_unknown_functions() => fx.Check(async () =>
    {
        using var client = new HttpClient { BaseAddress = fx.Host.BaseAddress };
        Task<HttpResponseMessage> Post(string function, string body) =>
            client.PostAsync($"admin/functions/{function}", new StringContent(body, Encoding.UTF8, "application/json"));
        const string refreshRuns = "SELECT count(*) FROM maintenance.job_runs WHERE job = 'RefreshReporting'";
        var before = await fx.Database.ScalarAsync<long>(refreshRuns);

        foreach (var malformed in new[] { "{not json", "[1,2]", "" })
            Assert.Equal(HttpStatusCode.BadRequest, (await Post("RefreshReporting", malformed)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await Post("NoSuchJob", "{}")).StatusCode);
        Assert.Equal(before, await fx.Database.ScalarAsync<long>(refreshRuns));

        Assert.Equal(HttpStatusCode.Accepted, (await Post("RefreshReporting", "{}")).StatusCode);
        await HostedTimersFixture.WaitForAsync(async () => await fx.Database.ScalarAsync<long>(refreshRuns + " AND outcome = 'done'") > before,
            "the accepted RefreshReporting run to finish 'done'");
    });
}
