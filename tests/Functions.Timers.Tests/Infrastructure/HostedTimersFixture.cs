using TravelFunctions.LocalHost;
using TravelFunctions.TestSupport;
using Xunit;
using Xunit.Sdk;

namespace TravelFunctions.Timers.Tests.Infrastructure;

/// <summary>
/// The real timers worker (the app's build output) under the local Functions host, on a database of the class's own:
/// started as the host starts it, with only the app settings in its environment (as in Azure), its functions invoked
/// over the host-worker gRPC contract. Retries wait 10 ms instead of the policy's minute.
/// </summary>
public class HostedTimersFixture : IAsyncLifetime
{
    /// <summary>Starting a worker or running one job never takes this long; only a hang does.</summary>
    public static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(3);

    private FunctionsLocalHost? _host;

    public TestDatabase Database { get; } = new();
    public Dictionary<string, string> Settings { get; private set; } = [];
    public FunctionsLocalHost Host => _host ?? throw new InvalidOperationException("Fixture not initialized.");

    protected virtual bool RunSchedules => false;

    /// <summary>Changes a subclass makes to the app settings before the host starts.</summary>
    protected virtual void Adjust(Dictionary<string, string> settings) { }

    public virtual async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Settings = TimersApp.Settings(Database);
        Adjust(Settings);
        _host = await StartAsync(Settings, RunSchedules);
    }

    public virtual async Task DisposeAsync()
    {
        if (_host is not null) await _host.DisposeAsync();
        await Database.DisposeAsync();
    }

    public static async Task<FunctionsLocalHost> StartAsync(IReadOnlyDictionary<string, string> settings, bool runSchedules = false)
    {
        using var hang = new CancellationTokenSource(HangGuard);
        return await FunctionsLocalHost.StartAsync(new LocalHostOptions
        {
            AppDirectory = TimersApp.Directory,
            Settings = settings,
            InheritEnvironment = false,
            RunSchedules = runSchedules,
            RetryDelayOverride = TimeSpan.FromMilliseconds(10),
        }, hang.Token);
    }

    /// <summary>Runs a timer function now as the host does (retries included) and waits for its outcome.</summary>
    public Task<InvocationResult> InvokeAsync(string function, bool isPastDue = false) => InvokeAsync(Host, function, isPastDue);

    public static async Task<InvocationResult> InvokeAsync(FunctionsLocalHost host, string function, bool isPastDue = false)
    {
        using var hang = new CancellationTokenSource(HangGuard);
        return await host.InvokeAsync(function, isPastDue, hang.Token);
    }

    /// <summary>Runs a test's checks and, when one fails, adds the tail of the worker's output to the failure.</summary>
    public async Task Check(Func<Task> test)
    {
        try
        {
            await test();
        }
        catch (Exception ex)
        {
            var output = Host.Output;
            throw new XunitException($"{ex.GetType().Name}: {ex.Message}{Environment.NewLine}--- host output (tail) ---{Environment.NewLine}{output[Math.Max(0, output.Length - 20_000)..]}");
        }
    }

    /// <summary>Waits for a condition that the system under test makes true on its own (a scheduled run, a background invocation).</summary>
    public static async Task WaitForAsync(Func<Task<bool>> condition, string what)
    {
        using var hang = new CancellationTokenSource(HangGuard);
        while (!await condition())
        {
            try { await Task.Delay(50, hang.Token); }
            catch (OperationCanceledException) { throw new XunitException($"Gave up waiting: {what}."); }
        }
    }
}
