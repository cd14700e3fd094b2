using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using NCrontab;
using TravelFunctions.Data.Jobs;
using TravelFunctions.TestSupport;
using TravelFunctions.Timers.Jobs;
using TravelFunctions.Timers.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Timers.Tests.Hosting;

/// <summary>
/// The registered jobs, the function metadata the Worker SDK generated from the attributes (functions.metadata in the
/// app's build output, what the host reads) and the schedule settings agree.
/// </summary>
public sealed class CatalogTests(JobsFixture fx) : IClassFixture<JobsFixture>
{
    private IReadOnlyList<IMaintenanceJob> Registered => fx.Services.GetServices<IMaintenanceJob>().ToList();

    private static JsonArray GeneratedMetadata() =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TimersApp.Directory, "functions.metadata")))!.AsArray();

    private static CrontabSchedule ParseAsTheHostDoes(string expression) =>
        CrontabSchedule.Parse(expression, new CrontabSchedule.ParseOptions { IncludingSeconds = true });

    [Fact]
    public void The_five_jobs_are_registered_under_valid_function_names()
    {
        Assert.Equal(TimersApp.Jobs.Order(), Registered.Select(j => j.Name).Order());
        foreach (var job in Registered) Assert.Matches(JobCatalog.FunctionName(), job.Name);
    }

    [Fact]
    public void The_generated_metadata_has_exactly_one_timer_function_per_registered_job_with_its_schedule_setting_and_retry()
    {
        var functions = GeneratedMetadata().Select(f => f!.AsObject()).ToList();
        Assert.Equal(Registered.Select(j => j.Name).Order(), functions.Select(f => f["name"]!.GetValue<string>()).Order());
        foreach (var function in functions)
        {
            var name = function["name"]!.GetValue<string>();
            var binding = Assert.Single(function["bindings"]!.AsArray())!;
            Assert.Equal("timerTrigger", binding["type"]!.GetValue<string>());
            Assert.Equal("timer", binding["name"]!.GetValue<string>());
            Assert.Equal($"%{JobCatalog.ScheduleSetting(name)}%", binding["schedule"]!.GetValue<string>());
            var retry = function["retry"]!;
            Assert.Equal("fixedDelay", retry["strategy"]!.GetValue<string>());
            Assert.Equal(2, retry["maxRetryCount"]!.GetValue<int>());
            Assert.Equal("00:01:00", retry["delayInterval"]!.GetValue<string>());
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
            var setting = JobCatalog.ScheduleSetting(job.Name);
            Assert.False(string.IsNullOrWhiteSpace(job.DefaultSchedule), job.Name);
            Assert.True(ParseAsTheHostDoes(job.DefaultSchedule).GetNextOccurrence(DateTime.UtcNow) > DateTime.UtcNow);
            // The host resolves %Setting% from app settings: without the setting the function cannot load.
            Assert.Contains(setting, appSettings);
            Assert.Equal(job.DefaultSchedule, sample[setting]?.GetValue<string>());
        }
    }

    [Theory]
    [InlineData("PartitionMaintenance", "0 15 2 * * *")]
    [InlineData("CacheExpiry", "0 */10 * * * *")]
    [InlineData("AnalyzeTables", "0 45 3 * * *")]
    [InlineData("RetentionPurge", "0 30 4 * * *")]
    [InlineData("RefreshReporting", "0 5 * * * *")]
    public void Every_documented_default_is_a_six_field_schedule_on_the_second(string job, string expression)
    {
        var next = ParseAsTheHostDoes(expression).GetNextOccurrence(new DateTime(2030, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.Equal(0, next.Second);
        Assert.Equal(expression, Registered.Single(j => j.Name == job).DefaultSchedule);
    }
}
