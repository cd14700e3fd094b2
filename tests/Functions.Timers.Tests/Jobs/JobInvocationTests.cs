using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using TravelFunctions.Timers.Jobs;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Jobs;

/// <summary>What a timer function's body does with its invocation, called in-process with the app's registration.</summary>
public sealed class JobInvocationTests(JobsFixture fx) : IClassFixture<JobsFixture>
{
    [Fact]
    public async Task Cancelling_the_invocation_stops_the_run_mid_unit_records_it_as_partial_and_the_invocation_succeeds()
    {
        var (admin, hold) = await BookingsLock.TakeAsync(fx.Database);
        await using var connection = admin;
        await using var transaction = hold;
        using var cancel = new CancellationTokenSource();
        var invocationId = Guid.NewGuid().ToString();

        var run = fx.Services.GetRequiredService<JobInvocation>()
            .RunAsync("RefreshReporting", new TimerInfo(), new TestFunctionContext(invocationId, cancel.Token));
        await HostedTimersFixture.WaitForAsync(() => BookingsLock.RefreshWaitsInsideItsUnitAsync(fx.Database),
            "the run to wait inside its unit");
        cancel.Cancel();
        await run; // a partial run is not a failed invocation: nothing thrown
        await hold.RollbackAsync();

        var row = await fx.Database.RowAsync(invocationId);
        Assert.Equal("partial", row.Outcome);
        Assert.NotNull(row.FinishedAt);
        Assert.Contains("cancelled by the caller", row.Error);
        var unit = row.Unit("reporting.daily_booking_metrics");
        Assert.Equal("deferred", unit["outcome"]!.GetValue<string>());
        Assert.Contains("cancelled mid-unit", unit["detail"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_failed_run_throws_with_the_runs_line_so_the_host_retries_it()
    {
        await fx.Database.ExecAsync("DROP INDEX reporting.daily_booking_metrics_key");
        try
        {
            var invocationId = Guid.NewGuid().ToString();
            var failure = await Assert.ThrowsAsync<JobFailedException>(() => fx.Services.GetRequiredService<JobInvocation>()
                .RunAsync("RefreshReporting", new TimerInfo(), new TestFunctionContext(invocationId, CancellationToken.None)));

            var row = await fx.Database.RowAsync(invocationId);
            Assert.Equal("failed", row.Outcome);
            Assert.Equal(failure.Result.Lines()[^1], failure.Message);
            Assert.StartsWith("RefreshReporting: failed in ", failure.Message);
            Assert.Contains($"(job_runs.id {row.Id})", failure.Message);
        }
        finally
        {
            await fx.Database.ExecAsync("CREATE UNIQUE INDEX daily_booking_metrics_key ON reporting.daily_booking_metrics (day, booking_type, currency)");
        }
    }
}
