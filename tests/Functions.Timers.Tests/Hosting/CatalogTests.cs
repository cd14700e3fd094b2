using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TravelFunctions.Data.Jobs;
using TravelFunctions.TestSupport;
using TravelFunctions.Timers.Ops;
using TravelFunctions.Timers.Scheduling;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Hosting;

/// <summary>Function metadata, schedule settings and the registered jobs agree.</summary>
public sealed class CatalogTests(TimersFixture fx) : IClassFixture<TimersFixture>
{
    private static readonly string[] OwnJobs = ["CacheExpiry", "AnalyzeTables", "RetentionPurge", "RefreshReporting"];

    private IReadOnlyList<IMaintenanceJob> Registered => fx.Services.GetServices<IMaintenanceJob>().ToList();

    [Fact]
    public void The_four_row_maintenance_jobs_are_registered()
    {
        foreach (var name in OwnJobs) Assert.Contains(Registered, j => j.Name == name);
    }

    [Fact]
    public async Task Emit_functions_writes_exactly_one_timer_function_per_registered_job()
    {
        var dir = Directory.CreateTempSubdirectory("tf-emit-").FullName;
        try
        {
            // A function folder from an older build must not survive.
            Directory.CreateDirectory(Path.Combine(dir, "RetiredJob"));
            await File.WriteAllTextAsync(Path.Combine(dir, "RetiredJob", "function.json"), """{"bindings":[{"type":"timerTrigger","name":"timer","direction":"in","schedule":"%RetiredJobSchedule%"}]}""");

            var stdout = new StringWriter();
            Assert.Equal(0, await TimerCli.RunAsync(["emit-functions", dir], fx.Services, stdout, new StringWriter(), CancellationToken.None));

            var emitted = Directory.GetDirectories(dir).Select(Path.GetFileName).Order().ToList();
            Assert.Equal(Registered.Select(j => j.Name).Order().ToList(), emitted);
            foreach (var job in Registered)
            {
                Assert.Matches("^[A-Za-z][A-Za-z0-9_-]{0,127}$", job.Name);
                var json = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(dir, job.Name, "function.json")))!;
                var expected = JsonNode.Parse($$"""
                    {"bindings":[{"type":"timerTrigger","name":"timer","direction":"in","schedule":"%{{job.Name}}Schedule%","useMonitor":true,"runOnStartup":false}]}
                    """);
                Assert.True(JsonNode.DeepEquals(expected, json), json.ToJsonString());
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void Every_schedule_setting_has_a_valid_default_and_is_a_declared_app_setting()
    {
        var appSettings = JsonNode.Parse(File.ReadAllText(Path.Combine(TestStack.RepoRoot, "infra", "app-settings.json")))!["Functions.Timers"]!
            .AsArray().Select(n => n!.GetValue<string>()).ToHashSet();
        var sample = JsonNode.Parse(File.ReadAllText(Path.Combine(TestStack.RepoRoot, "local.settings.sample.json")))!["Values"]!.AsObject();
        foreach (var job in Registered)
        {
            Assert.False(string.IsNullOrWhiteSpace(job.DefaultSchedule), job.Name);
            var parsed = CronSchedules.Parse(JobCatalog.SettingName(job.Name), job.DefaultSchedule); // what the local scheduler does
            Assert.True(parsed.GetNextOccurrence(DateTime.UtcNow) > DateTime.UtcNow);
            Assert.Contains(JobCatalog.SettingName(job.Name), appSettings);
            Assert.Equal(job.DefaultSchedule, sample[JobCatalog.SettingName(job.Name)]?.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("PartitionMaintenance", "0 15 2 * * *")]
    [InlineData("CacheExpiry", "0 */10 * * * *")]
    [InlineData("AnalyzeTables", "0 45 3 * * *")]
    [InlineData("RetentionPurge", "0 30 4 * * *")]
    [InlineData("RefreshReporting", "0 5 * * * *")]
    public void The_scheduler_parses_every_documented_default(string job, string expression)
    {
        var schedule = CronSchedules.Parse(job + "Schedule", expression);
        var next = schedule.GetNextOccurrence(new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal(0, next.Second);
        var own = Registered.SingleOrDefault(j => j.Name == job);
        if (own is not null) Assert.Equal(expression, own.DefaultSchedule);
    }

    [Theory]
    [InlineData("*/10 * * * *")]   // 5 fields: the host needs seconds
    [InlineData("0 61 * * * *")]
    [InlineData("every ten minutes")]
    public void An_invalid_schedule_setting_fails_with_the_setting_named(string expression)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["CacheExpirySchedule"] = expression }).Build();
        var ex = Assert.Throws<InvalidOperationException>(() => new JobCatalog(Registered, config));
        Assert.Contains("CacheExpirySchedule", ex.Message);
        Assert.Contains(expression, ex.Message);
    }
}
