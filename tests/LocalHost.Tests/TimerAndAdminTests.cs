using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;

namespace TravelFunctions.LocalHost.Tests;

/// <summary>What the host supplies for timer invocations (the timer input, the retry policy) and its admin endpoints.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class TimerAndAdminTests(SharedHost shared)
{
    [Fact]
    public Task The_functions_are_listed_with_trigger_route_methods_schedule_and_retry() => shared.Check(() =>
    {
        var functions = shared.Host.Functions.ToDictionary(f => f.Name);

        Assert.Equal("httpTrigger", functions["GetItem"].TriggerType);
        Assert.Equal("api/items/{id}", functions["GetItem"].Route);
        Assert.Equal(["GET"], functions["GetItem"].Methods);
        Assert.Empty(functions["AnyMethod"].Methods);
        Assert.Equal("timerTrigger", functions["Tick"].TriggerType);
        Assert.Equal(SampleApp.NeverDuringTests, functions["Tick"].Schedule);
        Assert.Equal(new RetryPolicy("fixedDelay", 2, TimeSpan.FromSeconds(10), null, null), functions["Tick"].Retry);
        Assert.Equal(new RetryPolicy("exponentialBackoff", 3, null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)), functions["Tock"].Retry);
        Assert.Null(functions["GetItem"].Retry);
        return Task.CompletedTask;
    });

    [Fact]
    public Task InvokeAsync_passes_the_timer_input_with_IsPastDue_and_the_retry_context() => shared.Check(async () =>
    {
        var result = await shared.Host.InvokeAsync("Tick", isPastDue: true);

        Assert.True(result.Succeeded, result.Exception);
        var run = Assert.Single(TimerRuns.Read(shared.StateDirectory, "Tick"), r => r.InvocationId == result.InvocationIds[0]);
        Assert.True(run.IsPastDue);
        Assert.Null(run.ScheduleStatus); // schedules are off in this host: nothing has fired on schedule yet
        Assert.Equal(0, run.RetryCount);
        Assert.Equal(2, run.MaxRetryCount);
    });

    [Fact]
    public Task A_failing_timer_function_is_retried_by_its_policy_until_it_succeeds() => shared.Check(async () =>
    {
        await File.WriteAllTextAsync(Path.Combine(shared.StateDirectory, "Tick.fail"), "2");

        var result = await shared.Host.InvokeAsync("Tick");

        Assert.True(result.Succeeded, result.Exception);
        Assert.Equal(3, result.Attempts);
        var runs = TimerRuns.Read(shared.StateDirectory, "Tick").Where(r => result.InvocationIds.Contains(r.InvocationId)).ToList();
        Assert.Equal([0, 1, 2], runs.Select(r => r.RetryCount ?? -1));
    });

    [Fact]
    public Task A_timer_function_that_keeps_failing_fails_after_its_retries() => shared.Check(async () =>
    {
        var failFile = Path.Combine(shared.StateDirectory, "Tick.fail");
        await File.WriteAllTextAsync(failFile, "5");
        try
        {
            var result = await shared.Host.InvokeAsync("Tick");

            Assert.False(result.Succeeded);
            Assert.Equal(3, result.Attempts); // the first attempt and FixedDelayRetry's 2 retries
            Assert.Contains("Tick failed on purpose", result.Exception);
        }
        finally
        {
            File.Delete(failFile);
        }
    });

    [Fact]
    public Task Host_status_says_running() => shared.Check(async () =>
    {
        var status = await shared.Client.GetFromJsonAsync<JsonElement>("admin/host/status");

        Assert.Equal("Running", status.GetProperty("state").GetString());
    });

    [Fact]
    public Task The_admin_endpoint_accepts_a_timer_function_and_runs_it() => shared.Check(async () =>
    {
        var before = TimerRuns.Read(shared.StateDirectory, "Tick").Count;

        using var response = await shared.Client.PostAsJsonAsync("admin/functions/Tick", new { input = "" });

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var runs = await TimerRuns.WaitFor(shared.StateDirectory, "Tick", r => r.Count > before);
        Assert.True(runs.Count > before, "the accepted invocation never ran");
    });

    [Fact]
    public Task The_admin_endpoint_answers_404_for_an_unknown_function_and_400_without_a_body_as_the_host_does() => shared.Check(async () =>
    {
        using var unknown = await shared.Client.PostAsJsonAsync("admin/functions/NoSuchFunction", new { input = "" });
        using var noBody = await shared.Client.PostAsync("admin/functions/Tick", null);

        Assert.Equal(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, noBody.StatusCode);
    });
}
