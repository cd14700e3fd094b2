using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TravelFunctions.Data.Maintenance;
using TravelFunctions.Timers.Jobs;
using Xunit;

namespace TravelFunctions.Timers.Tests.Settings;

/// <summary>The Maintenance__… settings as the app registers them: bound by name, today's values by default, a bad one refused naming it.</summary>
public sealed class MaintenanceSettingsTests
{
    private static MaintenanceOptions Read(Dictionary<string, string?> settings)
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(settings).Build();
        using var services = new ServiceCollection().AddSingleton<IConfiguration>(config).AddLogging().AddTimerJobs(config).BuildServiceProvider();
        return services.GetRequiredService<IOptions<MaintenanceOptions>>().Value;
    }

    [Fact]
    public void Without_settings_the_values_are_the_former_constants()
    {
        var o = Read([]);

        Assert.Equal(1000, o.PurgeBatchSize);
        Assert.Equal(100, o.PurgeUserBatchSize);
        Assert.Equal(200, o.PurgeRestPercent);
        Assert.Equal(2.0, o.RestPerWork);
        Assert.Equal(10000, o.CacheFoldBatchSize);
        Assert.Equal(1000, o.CacheExpiryBatchSize);
        Assert.Equal(1000, o.AnalyzeMinModifications);
        Assert.Equal(10, o.AnalyzeModifiedPercent);
        Assert.Equal(1000, o.AnalyzeThreshold(5000));     // max(1000, 500)
        Assert.Equal(2000, o.AnalyzeThreshold(20000));    // max(1000, 2000)
    }

    [Fact]
    public void Each_setting_binds_from_its_name_in_section_Maintenance()
    {
        // Configuration keys use ':' (the environment variable Maintenance__PurgeBatchSize arrives as Maintenance:PurgeBatchSize).
        var o = Read(new()
        {
            ["Maintenance:PurgeBatchSize"] = "250", ["Maintenance:PurgeUserBatchSize"] = "7", ["Maintenance:PurgeRestPercent"] = "0",
            ["Maintenance:CacheFoldBatchSize"] = "500", ["Maintenance:CacheExpiryBatchSize"] = "50",
            ["Maintenance:AnalyzeMinModifications"] = "20", ["Maintenance:AnalyzeModifiedPercent"] = "50",
        });

        Assert.Equal((250, 7, 0, 500, 50, 20, 50),
            (o.PurgeBatchSize, o.PurgeUserBatchSize, o.PurgeRestPercent, o.CacheFoldBatchSize, o.CacheExpiryBatchSize, o.AnalyzeMinModifications, o.AnalyzeModifiedPercent));
        Assert.Equal(500, o.AnalyzeThreshold(1000));
    }

    [Theory]
    [InlineData("PurgeBatchSize", "0", "Setting Maintenance__PurgeBatchSize = 0 must be a whole number from 1 to 100000")]
    [InlineData("PurgeUserBatchSize", "20000", "Setting Maintenance__PurgeUserBatchSize = 20000 must be a whole number from 1 to 10000")]
    [InlineData("PurgeRestPercent", "-1", "Setting Maintenance__PurgeRestPercent = -1 must be a whole number from 0 to 1000")]
    [InlineData("CacheFoldBatchSize", "0", "Setting Maintenance__CacheFoldBatchSize = 0 must be a whole number from 1 to 1000000")]
    [InlineData("CacheExpiryBatchSize", "0", "Setting Maintenance__CacheExpiryBatchSize = 0 must be a whole number from 1 to 100000")]
    [InlineData("AnalyzeMinModifications", "0", "Setting Maintenance__AnalyzeMinModifications = 0 must be a whole number from 1 to 1000000000")]
    [InlineData("AnalyzeModifiedPercent", "101", "Setting Maintenance__AnalyzeModifiedPercent = 101 must be a whole number from 0 to 100")]
    public void A_value_out_of_range_is_refused_naming_the_setting(string property, string value, string message)
    {
        var failure = Assert.Throws<OptionsValidationException>(() => Read(new() { ["Maintenance:" + property] = value }));

        Assert.Contains(failure.Failures, f => f.StartsWith(message, StringComparison.Ordinal));
    }
}
