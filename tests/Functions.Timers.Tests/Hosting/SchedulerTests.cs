using TravelFunctions.TestSupport;
using System.Diagnostics;
using Dapper;
using Npgsql;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Hosting;

/// <summary>Without the Functions host the app runs the jobs itself, on the {Job}Schedule settings.</summary>
public sealed class SchedulerTests(SchedulerTests.EverySecondFixture fx) : IClassFixture<SchedulerTests.EverySecondFixture>
{
    public sealed class EverySecondFixture : TimersFixture
    {
        protected override IDictionary<string, string?> ExtraSettings => new Dictionary<string, string?>
        {
            ["Scheduler:Enabled"] = "true",
            ["RefreshReportingSchedule"] = "*/2 * * * * *",
            // The others far away: this test is about the scheduler, not those jobs.
            ["CacheExpirySchedule"] = "0 0 0 1 1 *",
            ["AnalyzeTablesSchedule"] = "0 0 0 1 1 *",
            ["RetentionPurgeSchedule"] = "0 0 0 1 1 *",
            ["PartitionMaintenanceSchedule"] = "0 0 0 1 1 *",
        };
    }

    [Fact]
    public async Task The_local_scheduler_runs_a_due_job_through_the_runner()
    {
        await using var admin = new NpgsqlConnection(fx.Database.Admin);
        for (var i = 0; i < 100; i++)
        {
            var runs = await admin.ExecuteScalarAsync<long>(
                "SELECT count(*) FROM maintenance.job_runs WHERE job = 'RefreshReporting' AND invocation_id LIKE 'local-%' AND outcome = 'done'");
            if (runs >= 2) return;
            await Task.Delay(100);
        }
        Assert.Fail("the scheduler did not run RefreshReporting twice within 10 s");
    }

    /// <summary>
    /// The real app in a process of its own: under WebApplicationFactory a failed start sometimes surfaces
    /// as an ObjectDisposedException from the already-disposed app instead of the startup error.
    /// </summary>
    [Fact]
    public async Task An_invalid_schedule_stops_the_app_at_startup()
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        psi.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Functions.Timers.dll"));
        psi.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        psi.Environment["TravelDb"] = fx.Database.Maintenance;
        psi.Environment["TravelDbDirect"] = fx.Database.Direct;
        psi.Environment["ArchiveStorage"] = TestStack.ArchiveStorage;
        psi.Environment["ArchiveContainer"] = "archive";
        psi.Environment["AnalyzeTablesSchedule"] = "0 99 * * * *";

        using var process = Process.Start(psi)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(hangGuard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail("the app kept running with an invalid AnalyzeTablesSchedule");
        }
        Assert.NotEqual(0, process.ExitCode);
        var output = await stdout + await stderr;
        Assert.Contains("AnalyzeTablesSchedule = '0 99 * * * *' is not a valid 6-field NCRONTAB expression", output);
    }
}
