using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Timers.Jobs;
using TravelFunctions.Timers.Settings;
using Xunit;

namespace TravelFunctions.Timers.Tests.Settings;

/// <summary>The app's registration binds each typed option from the app setting of that name (the binding the app compiles).</summary>
public sealed class SettingsBindingTests
{
    [Fact]
    public void Every_setting_binds_from_its_app_setting_name()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TravelDb"] = "Host=pooled.example;Database=travel",
            ["TravelDbDirect"] = "postgresql://owner@direct.example/travel?sslmode=require",
            ["ArchiveStorage"] = "https://archive.blob.core.windows.net",
            ["ArchiveContainer"] = "archive",
            ["AZURE_CLIENT_ID"] = "00000000-0000-0000-0000-000000000001",
            ["JobTimeBudgetSeconds"] = "300",
        }).Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(config).AddLogging().AddTimerJobs(config).BuildServiceProvider();

        var pooled = services.GetRequiredService<IOptions<PooledDatabaseOptions>>().Value;
        var direct = services.GetRequiredService<IOptions<DirectDatabaseOptions>>().Value;
        Assert.Equal("Host=pooled.example;Database=travel", pooled.TravelDb);
        Assert.Equal("postgresql://owner@direct.example/travel?sslmode=require", direct.TravelDbDirect);
        Assert.True(new DatabaseOptionsValidator().Validate(null, pooled).Succeeded);
        Assert.True(new DatabaseOptionsValidator().Validate(null, direct).Succeeded);
        var archive = services.GetRequiredService<IOptions<ArchiveOptions>>().Value;
        Assert.Equal("https://archive.blob.core.windows.net", archive.ArchiveStorage);
        Assert.Equal("archive", archive.ArchiveContainer);
        Assert.Equal("00000000-0000-0000-0000-000000000001", archive.ManagedIdentityClientId);
        Assert.True(archive.IsAccountUrl);
        Assert.Equal(TimeSpan.FromSeconds(300), services.GetRequiredService<IOptions<JobRunnerOptions>>().Value.TimeBudget);
    }

    [Fact]
    public void Without_JobTimeBudgetSeconds_the_budget_is_480_seconds()
    {
        var config = new ConfigurationBuilder().Build();
        var services = new ServiceCollection().AddSingleton<IConfiguration>(config).AddLogging().AddTimerJobs(config).BuildServiceProvider();

        Assert.Equal(TimeSpan.FromSeconds(480), services.GetRequiredService<IOptions<JobRunnerOptions>>().Value.TimeBudget);
    }
}
