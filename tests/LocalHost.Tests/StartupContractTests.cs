using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Xunit;
using Xunit.Abstractions;

namespace TravelFunctions.LocalHost.Tests;

/// <summary>How the worker is started and stopped, and schedules: each test runs a host of its own.</summary>
[Collection(LocalHostCollection.Name)]
public sealed class StartupContractTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _state = SampleApp.NewStateDirectory();

    public void Dispose() => Directory.Delete(_state, recursive: true);

    [Fact]
    public async Task Without_the_application_directory_variables_the_worker_cannot_load_and_start_fails_clearly()
    {
        var options = SampleApp.Options(_state, log.WriteLine) with
        {
            ConfigureWorkerProcess = start =>
            {
                start.Environment.Remove("FUNCTIONS_APPLICATION_DIRECTORY");
                start.Environment.Remove("FUNCTIONS_WORKER_DIRECTORY");
            },
        };

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => FunctionsLocalHost.StartAsync(options));

        Assert.Contains("FUNCTIONS_APPLICATION_DIRECTORY", failure.Message);
    }

    [Fact]
    public async Task Without_the_functions_uri_argument_the_worker_exits_and_start_fails_with_its_output()
    {
        var options = SampleApp.Options(_state, log.WriteLine) with
        {
            ConfigureWorkerProcess = start =>
            {
                var at = start.ArgumentList.IndexOf("--functions-uri");
                start.ArgumentList.RemoveAt(at + 1);
                start.ArgumentList.RemoveAt(at);
            },
        };

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() => FunctionsLocalHost.StartAsync(options));

        Assert.Contains("exited", failure.Message);
        Assert.Contains("HostEndpoint", failure.Message); // the worker's own complaint, from its output
    }

    [Fact]
    public async Task A_schedule_naming_a_missing_setting_fails_start_clearly()
    {
        var settings = SampleApp.Settings(_state);
        settings.Remove("SampleTockSchedule");

        var failure = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            FunctionsLocalHost.StartAsync(SampleApp.Options(_state, log.WriteLine) with { Settings = settings }));

        Assert.Contains("SampleTockSchedule", failure.Message);
    }

    [Fact]
    public async Task Without_inheriting_the_environment_the_worker_sees_only_the_settings_and_the_hosts_variables()
    {
        Environment.SetEnvironmentVariable("LOCALHOST_TESTS_MARKER", "inherited");
        await using var host = await FunctionsLocalHost.StartAsync(SampleApp.Options(_state, log.WriteLine) with { InheritEnvironment = false });
        using var client = new HttpClient { BaseAddress = host.BaseAddress };

        using var marker = await client.GetAsync("api/env/LOCALHOST_TESTS_MARKER");
        var setting = await client.GetFromJsonAsync<JsonElement>("api/env/SampleSetting");

        Assert.Equal(HttpStatusCode.NotFound, marker.StatusCode);
        Assert.Equal("from-settings", setting.GetProperty("value").GetString());
    }

    [Fact]
    public async Task Timers_fire_on_their_schedule_with_the_schedule_status_of_the_last_fire()
    {
        await using var host = await FunctionsLocalHost.StartAsync(SampleApp.Options(_state, log.WriteLine) with
        {
            Settings = SampleApp.Settings(_state, tickSchedule: "* * * * * *"),
            RunSchedules = true,
        });

        var runs = await TimerRuns.WaitFor(_state, "Tick", r => r.Count >= 2);

        Assert.True(runs.Count >= 2, $"the every-second timer fired {runs.Count} time(s)");
        Assert.Null(runs[0].ScheduleStatus);
        var status = runs[1].ScheduleStatus;
        Assert.NotNull(status);
        Assert.True(status.Next > status.Last, $"Next {status.Next:o} is not after Last {status.Last:o}");
        Assert.Equal(DateTimeKind.Utc, status.Last.Kind);
    }

    [Fact]
    public async Task Dispose_terminates_the_worker_process()
    {
        var host = await FunctionsLocalHost.StartAsync(SampleApp.Options(_state, log.WriteLine));
        var pid = host.WorkerProcessId;
        Assert.True(IsRunning(pid), "the worker is not running after start");

        await host.DisposeAsync();

        Assert.False(IsRunning(pid), "the worker still runs after DisposeAsync");
        Assert.Contains("The worker process exited with code 0.", host.Output); // it stopped on WorkerTerminate, was not killed
    }

    private static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}
