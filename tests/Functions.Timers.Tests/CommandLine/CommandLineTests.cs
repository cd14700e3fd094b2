using TravelFunctions.TestSupport;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.CommandLine;

/// <summary>
/// The ops command line as a process of the built app: verbs dispatched before any worker starts, settings from
/// environment variables, exit 0 done / 1 failed / 2 usage or configuration error with a message naming what is wrong.
/// </summary>
public sealed class CommandLineTests(JobsFixture fx) : IClassFixture<JobsFixture>
{
    private Dictionary<string, string> Settings => TimersApp.Settings(fx.Database);

    private Dictionary<string, string> SettingsWith(string name, string? value)
    {
        var settings = Settings;
        if (value is null) settings.Remove(name);
        else settings[name] = value;
        return settings;
    }

    [Fact]
    public async Task Run_dry_run_prints_the_summary_and_writes_nothing()
    {
        var result = await AppProcess.RunAsync(Settings, "run", "CacheExpiry", "--dry-run");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("CacheExpiry/flight_search_cache: nothing_to_do", result.Output);
        Assert.Contains("CacheExpiry: nothing_to_do (dry run, nothing written)", result.Output);
        Assert.Contains("\"dry_run\":true", result.Output);
        Assert.Equal(0L, await fx.Database.ScalarAsync<long>("SELECT count(*) FROM maintenance.job_runs"));
    }

    [Fact]
    public async Task Migrate_needs_only_the_direct_connection_string()
    {
        var result = await AppProcess.RunAsync(SettingsWith("TravelDb", null), "migrate");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("migrate: up to date", result.Output); // the class's database is a clone of the migrated template
    }

    [Fact]
    public async Task Archive_list_reads_the_ledger_and_names_the_container()
    {
        var settings = Settings;
        var result = await AppProcess.RunAsync(settings, "archive", "list");

        Assert.True(result.ExitCode == 0, result.Error);
        Assert.Contains("container: " + settings["ArchiveContainer"], result.Output);
        Assert.Contains("no archived partitions", result.Output);
    }

    [Theory]
    [InlineData(new[] { "frobnicate" }, "Unrecognized command or argument 'frobnicate'")]
    [InlineData(new[] { "run", "CacheExpiry", "--force" }, "Unrecognized command or argument '--force'")]
    [InlineData(new[] { "run", "NoSuchJob" }, "Argument 'NoSuchJob' not recognized")]
    [InlineData(new[] { "run" }, "Required argument 'job' missing for command: 'run'")]
    [InlineData(new[] { "archive", "restore", "external_api_logs_p201108" }, "Give exactly one of --attach or --into <table>.")]
    [InlineData(new[] { "archive", "restore", "external_api_logs_p201108", "--attach", "--into", "side" }, "Give exactly one of --attach or --into <table>.")]
    [InlineData(new[] { "archive", "restore", "external_api_logs_p201108", "--into" }, "Required argument missing for option: '--into'")]
    [InlineData(new[] { "migrate", "--dir" }, "Required argument missing for option: '--dir'")]
    public async Task A_bad_verb_argument_or_option_is_a_usage_error_that_says_what_is_wrong(string[] args, string message)
    {
        var result = await AppProcess.RunAsync(Settings, args);

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error);
        Assert.Contains("--help", result.Error);
        Assert.Equal("", result.Output);
    }

    [Theory]
    [InlineData("TravelDb", null, "Setting TravelDb (the pooled connection string) is missing.")]
    [InlineData("TravelDbDirect", null, "Setting TravelDbDirect (the direct connection string, role travel_owner) is missing.")]
    [InlineData("TravelDb", "Host=127.0.0.1;Options=-c statement_timeout=0", "Setting TravelDb is not a usable connection string")]
    [InlineData("TravelDbDirect", "@Microsoft.KeyVault(SecretUri=https://kv.example/secrets/TravelDbDirect)", "Setting TravelDbDirect is an unresolved Key Vault reference")]
    [InlineData("JobTimeBudgetSeconds", "0", "Setting JobTimeBudgetSeconds = 0 must be a whole number of seconds from 1 to 560")]
    [InlineData("JobTimeBudgetSeconds", "eight minutes", "'JobTimeBudgetSeconds'")]
    [InlineData("Maintenance__PurgeBatchSize", "0", "Setting Maintenance__PurgeBatchSize = 0 must be a whole number from 1 to 100000")]
    [InlineData("Maintenance__PurgeRestPercent", "fast", "'Maintenance:PurgeRestPercent'")]
    public async Task A_missing_or_unusable_setting_is_a_configuration_error_naming_the_setting(string setting, string? value, string message)
    {
        var result = await AppProcess.RunAsync(SettingsWith(setting, value), "run", "RefreshReporting", "--dry-run");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Error);
        if (value is not null && setting.StartsWith("TravelDb", StringComparison.Ordinal)) Assert.DoesNotContain(value, result.Error);
        Assert.Equal("", result.Output);
    }

    [Theory]
    [InlineData("ArchiveStorage", null, "Setting ArchiveStorage (the archive's account URL, or a storage connection string locally) is missing.")]
    [InlineData("ArchiveStorage", "http://archive.example/", "Setting ArchiveStorage is an account URL but not https")]
    [InlineData("ArchiveContainer", "Archive_2026", "Setting ArchiveContainer = 'Archive_2026' is not a valid container name")]
    public async Task The_archive_verbs_and_PartitionMaintenance_need_the_archive_settings(string setting, string? value, string message)
    {
        foreach (var args in new[] { new[] { "archive", "list" }, new[] { "run", "PartitionMaintenance", "--dry-run" } })
        {
            var result = await AppProcess.RunAsync(SettingsWith(setting, value), args);
            Assert.Equal(2, result.ExitCode);
            Assert.Contains(message, result.Error);
        }
        // A job that does not archive runs without them.
        var cacheExpiry = await AppProcess.RunAsync(SettingsWith(setting, value), "run", "CacheExpiry", "--dry-run");
        Assert.True(cacheExpiry.ExitCode == 0, cacheExpiry.Error);
    }

    [Fact]
    public async Task Help_lists_the_verbs_and_needs_no_settings()
    {
        var result = await AppProcess.RunAsync(new Dictionary<string, string>(), "--help");

        Assert.Equal(0, result.ExitCode);
        foreach (var verb in new[] { "migrate", "run", "archive", "policy" }) Assert.Contains(verb, result.Output);
    }
}
