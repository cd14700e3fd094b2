using System.Text.Json.Nodes;
using Dapper;
using Npgsql;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.CommandLine;

/// <summary>`Functions.Timers policy [--json]` as a process of the built app, on a database of the class's own.</summary>
public sealed class PolicyCommandTests(JobsFixture fx) : IClassFixture<JobsFixture>
{
    [Fact]
    public async Task Policy_prints_each_tables_policy_and_the_effective_settings()
    {
        var settings = TimersApp.Settings(fx.Database);
        settings["Maintenance__PurgeBatchSize"] = "250";

        var result = await AppProcess.RunAsync(settings, "policy");

        Assert.True(result.ExitCode == 0, result.Error);
        var lines = result.Output.Split('\n').Select(l => l.TrimEnd()).ToList();
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+chat_messages\s+3\s+12\s+archive\s+yes$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+notifications\s+3\s+1\s+drop\s+yes$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+users\s+RetentionPurge\s+30\s+yes\s"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+attractions\s+CacheExpiry\s+7\s+yes\s"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+flight_search_cache\s+buckets of 6 h, longest TTL 24 h$"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+Maintenance__PurgeBatchSize\s+250\s"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+Maintenance__PurgeRestPercent\s+200\s"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+JobTimeBudgetSeconds\s+480\s"));
        Assert.Contains(lines, l => System.Text.RegularExpressions.Regex.IsMatch(l, @"^\s+RetentionPurgeSchedule\s+0 0 0 1 1 \*\s"));
        Assert.DoesNotContain("no job reads", result.Output);
    }

    [Fact]
    public async Task Policy_json_shows_a_table_settings_change_at_once()
    {
        await using (var admin = new NpgsqlConnection(fx.Database.Admin))
            await admin.ExecuteAsync("""
                UPDATE maintenance.table_settings SET hot_months = 6, enabled = false WHERE table_name = 'external_api_logs';
                UPDATE maintenance.table_settings SET retention_days = 20 WHERE table_name = 'job_runs';
                UPDATE maintenance.table_settings SET retention_days = NULL, hot_months = 1, retention_action = 'drop' WHERE table_name = 'attractions';
                INSERT INTO maintenance.table_settings (table_name, retention_days) VALUES ('no_such_table', 5);
                """);
        try
        {
            var result = await AppProcess.RunAsync(TimersApp.Settings(fx.Database), "policy", "--json");

            Assert.True(result.ExitCode == 0, result.Error);
            var doc = JsonNode.Parse(result.Output)!.AsObject();
            var logs = doc["partitioned_tables"]!.AsArray().Single(t => t!["table"]!.GetValue<string>() == "external_api_logs")!;
            Assert.Equal(6, logs["hot_months"]!.GetValue<int>());
            Assert.Equal("archive", logs["retention_action"]!.GetValue<string>());
            Assert.False(logs["enabled"]!.GetValue<bool>());
            JsonNode Row(string table) => doc["row_retention"]!.AsArray().Single(t => t!["table"]!.GetValue<string>() == table)!;
            Assert.Equal(20, Row("job_runs")["retention_days"]!.GetValue<int>());
            Assert.True(Row("job_runs")["from_table_settings"]!.GetValue<bool>());
            // No retention_days: the built-in default, and policy says so.
            Assert.Equal(7, Row("attractions")["retention_days"]!.GetValue<int>());
            Assert.False(Row("attractions")["from_table_settings"]!.GetValue<bool>());
            Assert.Equal(["no_such_table"], doc["unused_table_settings"]!.AsArray().Select(t => t!.GetValue<string>()));
            Assert.Equal(480, doc["settings"]!["JobTimeBudgetSeconds"]!.GetValue<long>());
            Assert.Equal(1000, doc["settings"]!["Maintenance__AnalyzeMinModifications"]!.GetValue<long>());
            Assert.Equal("0 0 0 1 1 *", doc["settings"]!["CacheExpirySchedule"]!.GetValue<string>());
        }
        finally
        {
            await using var admin = new NpgsqlConnection(fx.Database.Admin);
            await admin.ExecuteAsync("""
                UPDATE maintenance.table_settings SET hot_months = 3, enabled = true WHERE table_name = 'external_api_logs';
                UPDATE maintenance.table_settings SET retention_days = 90 WHERE table_name = 'job_runs';
                UPDATE maintenance.table_settings SET retention_days = 7, hot_months = NULL, retention_action = NULL WHERE table_name = 'attractions';
                DELETE FROM maintenance.table_settings WHERE table_name = 'no_such_table';
                """);
        }
    }

    [Fact]
    public async Task Policy_with_a_bad_setting_is_a_configuration_error_naming_it()
    {
        var settings = TimersApp.Settings(fx.Database);
        settings["Maintenance__AnalyzeModifiedPercent"] = "101";

        var result = await AppProcess.RunAsync(settings, "policy");

        Assert.Equal(2, result.ExitCode);
        Assert.Contains("Functions.Timers policy: Setting Maintenance__AnalyzeModifiedPercent = 101 must be a whole number from 0 to 100", result.Error);
        Assert.Equal("", result.Output);
    }
}
