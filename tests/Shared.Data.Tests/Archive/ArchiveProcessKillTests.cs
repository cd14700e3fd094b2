using System.Diagnostics;
using TravelFunctions.Data.Archive;
using TravelFunctions.Data.Jobs;
using TravelFunctions.TestSupport;
using TravelFunctions.Tests.Blob;
using Xunit;

namespace TravelFunctions.Tests.Archive;

/// <summary>
/// The archiver runs in a real process (tests/ArchiveCrashHost) that is killed (SIGKILL) mid-archive, twice at
/// different steps; the job then resumes from the ledger: nothing lost, nothing dropped early, no duplicate blobs.
/// The same for the erasure rewrite of an archive.
/// </summary>
public sealed class ArchiveProcessKillTests : IClassFixture<ArchiveWorld>
{
    private readonly ArchiveWorld _w;

    public ArchiveProcessKillTests(ArchiveWorld world) => _w = world;

    private static string HostDll()
    {
        // Same configuration as this test assembly (…/bin/<Configuration>/net10.0/).
        var configuration = new DirectoryInfo(Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory)).Parent!.Name;
        var dll = Path.Combine(TestStack.RepoRoot, "tests", "ArchiveCrashHost", "bin", configuration, "net10.0", "ArchiveCrashHost.dll");
        Assert.True(File.Exists(dll), $"{dll} is missing (built with the test project)");
        return dll;
    }

    private Task KillAt(string partition, ArchiveStep step) => KillAt(partition, "--block-at", step.ToString());

    private Task KillAt(string partition, ErasureStep step) => KillAt(partition, "--erasure-block-at", step.ToString());

    private async Task KillAt(string partition, string option, string step)
    {
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { HostDll(), partition, option, step }) psi.ArgumentList.Add(a);
        psi.Environment["TravelDbDirect"] = _w.Database.Direct;
        psi.Environment["ArchiveStorage"] = AzuriteBlob.ConnectionString;
        psi.Environment["ArchiveContainer"] = _w.Container;
        using var process = new Process { StartInfo = psi, EnableRaisingEvents = true };
        var blocked = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null) return;
            output.Enqueue(e.Data);
            if (e.Data == $"BLOCKED {step}") blocked.TrySetResult();
        };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Enqueue(e.Data); };
        process.Exited += (_, _) => blocked.TrySetException(new Xunit.Sdk.XunitException(
            $"the host exited before {step}: " + string.Join("\n", output)));
        Assert.True(process.Start());
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await blocked.Task.WaitAsync(TimeSpan.FromMinutes(2));
        }
        finally
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        Assert.NotEqual(0, process.ExitCode);
    }

    [Fact]
    public async Task Killing_the_archiving_process_mid_archive_is_resumed_by_the_next_run()
    {
        var month = new DateOnly(2013, 9, 1);
        const string partition = "external_api_logs_p201309";
        await _w.OnlyRetentionOf("external_api_logs", 3);
        await _w.CreateMonth("external_api_logs", month);
        await _w.InsertApiLogs(month, 2000);
        await _w.Exec($"CREATE TABLE expected_201309 AS SELECT * FROM {partition}");

        await KillAt(partition, ArchiveStep.UploadRecorded);
        Assert.Equal(ArchiveState.Uploaded, (await _w.Ledger(partition))!.State);
        Assert.True(await _w.IsAttached(partition));
        await _w.AssertSameRows("expected_201309", partition);

        await KillAt(partition, ArchiveStep.Detached);  // the second process resumes at verify, then dies after the detach
        Assert.Equal(ArchiveState.Detached, (await _w.Ledger(partition))!.State);
        Assert.False(await _w.IsAttached(partition));
        await _w.AssertSameRows("expected_201309", partition);

        var results = await _w.Job().RunAsync(ArchiveWorld.Context());

        Assert.Equal(UnitOutcome.Done, Assert.Single(results, r => r.Unit == partition).Outcome);
        Assert.False(await _w.TableExists(partition));
        var ledger = await _w.Ledger(partition);
        Assert.Equal(ArchiveState.Dropped, ledger!.State);
        Assert.Equal(1, ledger.Attempts);
        Assert.Equal(2, (await _w.BlobNames("external_api_logs/2013/09/")).Count);
        await _w.Restorer().RestoreAsync(partition, false, "back_201309", default);
        await _w.AssertSameRows("expected_201309", "back_201309");
    }

    [Fact]
    public async Task Killing_the_erasure_rewrite_mid_way_is_resumed_by_the_next_run()
    {
        var month = new DateOnly(2013, 10, 1);
        const string partition = "external_api_logs_p201310";
        var erased = await _w.CreateUser();
        await _w.OnlyRetentionOf("external_api_logs", 3);
        await _w.CreateMonth("external_api_logs", month);
        await _w.InsertApiLogs(month, 2000);
        await _w.Exec($"UPDATE {partition} SET user_id = @erased WHERE duration_ms % 9 = 0", new { erased });
        await _w.Exec($"CREATE TABLE expected_201310 AS SELECT * FROM {partition} WHERE user_id IS DISTINCT FROM @erased", new { erased });
        Assert.Equal(UnitOutcome.Done, Assert.Single(await _w.Job().RunAsync(ArchiveWorld.Context()), r => r.Unit == partition).Outcome);
        await _w.Exec("DELETE FROM users WHERE id = @erased", new { erased });

        await KillAt(partition, ErasureStep.Uploaded);          // the new blob is committed, the ledger does not know it
        await KillAt(partition, ErasureStep.ManifestWritten);   // the manifest names the new blob, the ledger the old one

        var rewriter = new ErasureRewriter(_w.Direct, _w.Store);
        var results = await new ErasureRewriteJob(_w.Direct, rewriter, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance)
            .RunAsync(ArchiveWorld.Context());

        Assert.Equal(UnitOutcome.Done, Assert.Single(results, r => r.Unit == partition).Outcome);
        Assert.Equal([$"external_api_logs/2013/10/{partition}.g1.csv.gz", $"external_api_logs/2013/10/{partition}.manifest.json"],
            await _w.BlobNames("external_api_logs/2013/10/"));
        var back = await _w.Restorer().RestoreAsync(partition, false, "back_201310", default);
        Assert.Equal(0, back.ErasedRows);
        await _w.AssertSameRows("expected_201310", "back_201310");
    }
}
