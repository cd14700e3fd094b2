using Dapper;
using Npgsql;
using TravelFunctions.TestSupport;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Hosting;

/// <summary>The host fires the jobs on their {Job}Schedule settings; a schedule or setting it cannot use stops the start, named.</summary>
public sealed class SchedulerTests(SchedulerTests.EverySecondFixture fx) : IClassFixture<SchedulerTests.EverySecondFixture>
{
    public sealed class EverySecondFixture : HostedTimersFixture
    {
        protected override bool RunSchedules => true;

        // The others stay far away: this class is about the schedule, not those jobs.
        protected override void Adjust(Dictionary<string, string> settings) => settings["RefreshReportingSchedule"] = "* * * * * *";
    }

    [Fact]
    public Task A_valid_every_second_schedule_fires_the_job_on_its_own() => fx.Check(async () =>
    {
        await using var admin = new NpgsqlConnection(fx.Database.Admin);
        const string scheduledRuns = "SELECT invocation_id FROM maintenance.job_runs WHERE job = 'RefreshReporting' AND outcome = 'done'";
        await HostedTimersFixture.WaitForAsync(async () => (await admin.QueryAsync<string>(scheduledRuns)).Count() >= 2,
            "two scheduled RefreshReporting runs");

        // Nobody invoked it: the host did, under invocation ids of its own.
        Assert.All(await admin.QueryAsync<string>(scheduledRuns), id => Assert.True(Guid.TryParse(id, out _), id));
        Assert.Equal(0L, await admin.ExecuteScalarAsync<long>("SELECT count(*) FROM maintenance.job_runs WHERE job <> 'RefreshReporting'"));
    });

    [Theory]
    [InlineData("*/10 * * * *")]   // 5 fields: the host needs seconds
    [InlineData("0 61 * * * *")]
    [InlineData("every ten minutes")]
    public async Task An_invalid_schedule_stops_the_host_at_start_naming_the_function_the_setting_and_the_expression(string expression)
    {
        var settings = TimersApp.Settings(new TestDatabase());
        settings["AnalyzeTablesSchedule"] = expression;

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => HostedTimersFixture.StartAsync(settings));

        Assert.Contains($"Function 'AnalyzeTables': schedule '%AnalyzeTablesSchedule%' = '{expression}' is not a six-field NCRONTAB expression", failure.Message);
    }

    [Fact]
    public async Task A_missing_schedule_setting_stops_the_host_at_start_naming_the_setting()
    {
        var settings = TimersApp.Settings(new TestDatabase());
        settings.Remove("CacheExpirySchedule");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => HostedTimersFixture.StartAsync(settings));

        Assert.Contains("'%CacheExpirySchedule%' names the app setting 'CacheExpirySchedule', which is not set", failure.Message);
    }

    [Theory]
    [InlineData("JobTimeBudgetSeconds", "0", "Setting JobTimeBudgetSeconds = 0 must be a whole number of seconds from 1 to 560")]
    [InlineData("TravelDb", null, "Setting TravelDb (the pooled connection string) is missing.")]
    [InlineData("TravelDbDirect", "@Microsoft.KeyVault(SecretUri=https://kv.example/secrets/TravelDbDirect)", "Setting TravelDbDirect is an unresolved Key Vault reference")]
    [InlineData("ArchiveContainer", null, "Setting ArchiveContainer (the archive's blob container) is missing.")]
    [InlineData("Maintenance__PurgeRestPercent", "-1", "Setting Maintenance__PurgeRestPercent = -1 must be a whole number from 0 to 1000")]
    public async Task A_missing_or_unusable_setting_stops_the_worker_at_start_naming_the_setting(string setting, string? value, string message)
    {
        var settings = TimersApp.Settings(new TestDatabase());
        if (value is null) settings.Remove(setting);
        else settings[setting] = value;

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => HostedTimersFixture.StartAsync(settings));

        Assert.Contains("Functions.Timers cannot start: " + message, failure.Message);
    }
}
