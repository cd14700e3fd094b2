using Microsoft.Extensions.Time.Testing;
using TravelFunctions.Data.Archive;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Tests.Archive;
using Xunit;

namespace TravelFunctions.Tests.Partitions;

/// <summary>Two overlapping invocations: one does the work, the other reports contended and changes nothing.</summary>
public sealed class ContentionTests : IClassFixture<ArchiveWorld>
{
    private readonly ArchiveWorld _w;

    public ContentionTests(ArchiveWorld world) => _w = world;

    [Fact]
    public async Task The_second_overlapping_run_reports_contended_and_the_first_finishes()
    {
        const string partition = "external_api_logs_p201702";
        await _w.OnlyRetentionOf("external_api_logs", 3);
        await _w.CreateMonth("external_api_logs", new DateOnly(2017, 2, 1));
        await _w.InsertApiLogs(new DateOnly(2017, 2, 1), 100);

        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var pause = new ArchiveStepHook(async (step, p, _) =>
        {
            if (p != partition || step != ArchiveStep.Verified) return;
            reached.TrySetResult();
            await release.Task;
        });

        var first = Task.Run(() => _w.Job(pause).RunAsync(ArchiveWorld.Context()));
        await reached.Task.WaitAsync(TimeSpan.FromSeconds(120));

        var second = await _w.Job().RunAsync(ArchiveWorld.Context());
        Assert.NotEmpty(second);
        Assert.All(second, r => Assert.Equal(UnitOutcome.Contended, r.Outcome));
        Assert.Equal(ArchiveState.Verified, (await _w.Ledger(partition))!.State);

        release.SetResult();
        var results = await first.WaitAsync(TimeSpan.FromSeconds(120));
        Assert.Equal(UnitOutcome.Done, Assert.Single(results, r => r.Unit == partition).Outcome);
        Assert.DoesNotContain(results, r => r.Outcome == UnitOutcome.Contended);

        // Lock released: the next run works (nothing left to do for that month).
        var third = await _w.Job().RunAsync(ArchiveWorld.Context());
        Assert.DoesNotContain(third, r => r.Outcome == UnitOutcome.Contended);
    }

    [Fact]
    public async Task Out_of_time_stops_between_steps_and_the_next_run_resumes()
    {
        const string partition = "external_api_logs_p201705";
        await _w.OnlyRetentionOf("external_api_logs", 3);
        await _w.CreateMonth("external_api_logs", new DateOnly(2017, 5, 1));
        await _w.InsertApiLogs(new DateOnly(2017, 5, 1), 100);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var ctx = new JobContext("PartitionMaintenance", "t", clock.GetUtcNow().AddMinutes(5), false, clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance, default);
        // The budget runs out right after the verification of our partition.
        var expire = new ArchiveStepHook((step, p, _) =>
        {
            if (p == partition && step == ArchiveStep.Verified) clock.Advance(TimeSpan.FromHours(1));
            return Task.CompletedTask;
        });

        var results = await _w.Job(expire).RunAsync(ctx);

        Assert.Equal(UnitOutcome.Deferred, Assert.Single(results, r => r.Unit == partition).Outcome);
        Assert.Equal(ArchiveState.Verified, (await _w.Ledger(partition))!.State);
        Assert.True(await _w.IsAttached(partition));

        var next = await _w.Job().RunAsync(ArchiveWorld.Context());
        Assert.Equal(UnitOutcome.Done, Assert.Single(next, r => r.Unit == partition).Outcome);
        Assert.Equal(1, (await _w.Ledger(partition))!.Attempts);
    }
}
