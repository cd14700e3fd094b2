using TravelFunctions.TestSupport;
using Dapper;
using Microsoft.AspNetCore.Mvc.Testing;
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

    [Fact]
    public async Task An_invalid_schedule_stops_the_app_at_startup()
    {
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("TravelDb", fx.Database.Maintenance);
            b.UseSetting("TravelDbDirect", fx.Database.Direct);
            b.UseSetting("ArchiveStorage", TestStack.ArchiveStorage);
            b.UseSetting("ArchiveContainer", "archive");
            b.UseSetting("AnalyzeTablesSchedule", "0 99 * * * *");
        });
        var ex = Assert.ThrowsAny<Exception>(() => factory.Server);
        Assert.Contains("AnalyzeTablesSchedule", ex.ToString());
    }
}
