using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using TravelFunctions.Data.Jobs;
using TravelFunctions.TestSupport;
using TravelFunctions.Timers.Jobs;
using Xunit;

namespace TravelFunctions.Timers.Tests.Infrastructure;

/// <summary>
/// The timers app's services in-process, registered as the app registers them (<see cref="TimerJobServices.AddTimerJobs"/>)
/// on a database of the class's own, with one seam: the clock is a <see cref="FakeTimeProvider"/> that starts at the real
/// time and moves only when a test sets it (RetentionPurge's 30 days without waiting for them).
/// For the jobs' logic; how the host invokes them is tested through the local host (Hosting/).
/// </summary>
public sealed class JobsFixture : IAsyncLifetime
{
    private ServiceProvider? _services;

    public TestDatabase Database { get; } = new();
    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.UtcNow);
    public IServiceProvider Services => _services ?? throw new InvalidOperationException("Fixture not initialized.");

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        var config = new ConfigurationBuilder()
            // App settings name sections with "__" (as environment variables do); configuration keys with ":".
            .AddInMemoryCollection(TimersApp.Settings(Database).Select(s => KeyValuePair.Create(s.Key.Replace("__", ":"), (string?)s.Value)))
            .Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging();
        services.AddSingleton<TimeProvider>(Clock);
        services.AddTimerJobs(config);
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
    }

    public async Task DisposeAsync()
    {
        if (_services is not null) await _services.DisposeAsync();
        await Database.DisposeAsync();
    }

    /// <summary>Runs a job as its timer function does (JobRunner, ledger row under the invocation id), without a host.</summary>
    public Task<JobRunResult> RunAsync(string job, bool dryRun = false) =>
        Services.GetRequiredService<JobRunner>().RunAsync(Services.GetRequiredService<JobCatalog>().Get(job),
            "test-" + Guid.NewGuid(), dryRun, CancellationToken.None);

    public T Job<T>() where T : IMaintenanceJob => Services.GetServices<IMaintenanceJob>().OfType<T>().Single();
}
