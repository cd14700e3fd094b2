using TravelFunctions.Data.Archive;
using TravelFunctions.Data.Jobs;
using Xunit;

namespace TravelFunctions.Tests.Archive;

/// <summary>
/// The archive "crashes" (the test seam throws) after each step in turn; the next run resumes from the ledger:
/// zero rows lost, nothing dropped early, no step repeated that was recorded, no duplicate blobs.
/// </summary>
public sealed class ArchiveCrashInjectionTests : IClassFixture<ArchiveWorld>
{
    private readonly ArchiveWorld _w;

    public ArchiveCrashInjectionTests(ArchiveWorld world) => _w = world;

    public static TheoryData<ArchiveStep> Steps() => new(Enum.GetValues<ArchiveStep>());

    private sealed class CrashAt(ArchiveStep at, string partition) : IArchiveStepHook
    {
        public Task AfterAsync(ArchiveStep step, string p, CancellationToken ct) =>
            step == at && p == partition ? throw new InvalidOperationException($"simulated crash after {step}") : Task.CompletedTask;
    }

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task A_crash_after_each_step_is_resumed_by_the_next_run(ArchiveStep step)
    {
        var month = new DateOnly(2015, 1, 1).AddMonths((int)step);
        var partition = $"external_api_logs_p{month:yyyyMM}";
        var expected = $"expected_{month:yyyyMM}";
        await _w.OnlyRetentionOf("external_api_logs", 3);
        await _w.CreateMonth("external_api_logs", month);
        await _w.InsertApiLogs(month, 500);
        await _w.Exec($"CREATE TABLE {expected} AS SELECT * FROM {partition}");

        var crashed = await _w.Job(new CrashAt(step, partition)).RunAsync(ArchiveWorld.Context());

        var unit = Assert.Single(crashed, r => r.Unit == partition);
        Assert.Equal(UnitOutcome.Failed, unit.Outcome);
        Assert.Contains("simulated crash", unit.Detail);
        var afterCrash = await _w.Ledger(partition);
        var expectedState = step switch
        {
            ArchiveStep.Uploaded => ArchiveState.Exporting,
            ArchiveStep.UploadRecorded => ArchiveState.Uploaded,
            ArchiveStep.Verified or ArchiveStep.ManifestWritten => ArchiveState.Verified,
            ArchiveStep.Manifested => ArchiveState.Manifested,
            ArchiveStep.Detached => ArchiveState.Detached,
            _ => ArchiveState.Dropped,
        };
        Assert.Equal(expectedState, afterCrash!.State);
        // Nothing dropped early: before 'dropped' the rows are all still in the database (attached, or detached after 'detached').
        if (step < ArchiveStep.Dropped)
        {
            Assert.True(await _w.TableExists(partition));
            Assert.Equal(step < ArchiveStep.Detached, await _w.IsAttached(partition));
            await _w.AssertSameRows(expected, partition);
        }

        var resumed = await _w.Job().RunAsync(ArchiveWorld.Context());

        if (step == ArchiveStep.Dropped)
            Assert.DoesNotContain(resumed, r => r.Unit == partition);  // already complete: nothing left to do
        else
        {
            var done = Assert.Single(resumed, r => r.Unit == partition);
            Assert.True(done.Outcome == UnitOutcome.Done, done.Detail);
        }
        Assert.False(await _w.TableExists(partition));
        var final = await _w.Ledger(partition);
        Assert.Equal(ArchiveState.Dropped, final!.State);
        // Only a crash before the upload was recorded repeats the export (overwriting the same blob name).
        Assert.Equal(step == ArchiveStep.Uploaded ? 2 : 1, final.Attempts);
        Assert.Equal(
            [$"external_api_logs/{month:yyyy}/{month:MM}/{partition}.csv.gz", $"external_api_logs/{month:yyyy}/{month:MM}/{partition}.manifest.json"],
            await _w.BlobNames($"external_api_logs/{month:yyyy}/{month:MM}/"));
        // Zero rows lost: the archive restores to exactly the original rows.
        await _w.Restorer().RestoreAsync(partition, attach: false, intoTable: $"back_{month:yyyyMM}", default);
        await _w.AssertSameRows(expected, $"back_{month:yyyyMM}");
    }

    [Fact]
    public async Task Rows_that_reach_the_partition_after_the_export_force_a_re_export_before_anything_is_dropped()
    {
        var month = new DateOnly(2014, 6, 1);
        const string partition = "external_api_logs_p201406";
        await _w.OnlyRetentionOf("external_api_logs", 3);
        await _w.CreateMonth("external_api_logs", month);
        await _w.InsertApiLogs(month, 200);
        var inserted = 0;
        var late = new ArchiveStepHook(async (step, p, _) =>
        {
            if (p == partition && step == ArchiveStep.UploadRecorded && Interlocked.Exchange(ref inserted, 1) == 0)
                await _w.Exec("INSERT INTO external_api_logs (provider, endpoint, method, duration_ms, created_at) VALUES ('late', '/late', 'GET', 1, '2014-06-30Z')");
        });

        var results = await _w.Job(late).RunAsync(ArchiveWorld.Context());

        Assert.Equal(UnitOutcome.Done, Assert.Single(results, r => r.Unit == partition).Outcome);
        var ledger = await _w.Ledger(partition);
        Assert.Equal(201, ledger!.RowCount);
        Assert.Equal(2, ledger.Attempts);
        var back = await _w.Restorer().RestoreAsync(partition, attach: false, intoTable: "late_back", default);
        Assert.Equal(201, back.Rows);
        Assert.Equal(1, await _w.Scalar<long>("SELECT count(*) FROM late_back WHERE provider = 'late'"));
    }
}
