using Xunit;
using Xunit.Sdk;

namespace TravelFunctions.LocalHost.Tests;

/// <summary>One local host running the sample app for the tests that need nothing special; the tests of
/// the collection run one at a time, so starting workers never competes for the machine.</summary>
public sealed class SharedHost : IAsyncLifetime
{
    public FunctionsLocalHost Host { get; private set; } = null!;
    public HttpClient Client { get; private set; } = null!;
    public string StateDirectory { get; } = SampleApp.NewStateDirectory();

    public async Task InitializeAsync()
    {
        Host = await FunctionsLocalHost.StartAsync(SampleApp.Options(StateDirectory));
        Client = new HttpClient { BaseAddress = Host.BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
    }

    public async Task DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync();
        Directory.Delete(StateDirectory, recursive: true);
    }

    /// <summary>Runs a test's checks and, when one fails, adds the host's output to the failure.</summary>
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
}

[CollectionDefinition(Name)]
public sealed class LocalHostCollection : ICollectionFixture<SharedHost>
{
    public const string Name = "LocalHost";
}
