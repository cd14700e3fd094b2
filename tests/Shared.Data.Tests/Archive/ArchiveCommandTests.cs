using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Data.Partitions;
using TravelFunctions.Tests.Blob;
using TravelFunctions.Timers.Ops;
using Xunit;

namespace TravelFunctions.Tests.Archive;

/// <summary>The ops verbs (`archive list`, `archive restore`) over the services AddPartitionMaintenance registers.</summary>
public sealed class ArchiveCommandTests : IClassFixture<ArchiveWorld>
{
    private readonly ArchiveWorld _w;

    public ArchiveCommandTests(ArchiveWorld world) => _w = world;

    private ServiceProvider Services()
    {
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["TravelDb"] = _w.Database.Maintenance,
            ["TravelDbDirect"] = _w.Database.Direct,
            ["ArchiveStorage"] = AzuriteBlob.ConnectionString,
            ["ArchiveContainer"] = _w.Container,
        }).Build();
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(config);
        services.AddLogging();
        services.AddTravelData(config).AddDirectDatabase(config);
        services.AddPartitionMaintenance();
        services.AddPartitionMaintenance();  // idempotent
        return services.BuildServiceProvider();
    }

    private static async Task<(int Code, string Out, string Err)> Run(IServiceProvider services, params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = await ArchiveCommand.RunAsync(args, services, output, error, CancellationToken.None);
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public async Task List_and_restore_verbs_with_exit_codes()
    {
        await using var services = Services();
        // Each job once, although AddPartitionMaintenance ran twice.
        var jobs = services.GetServices<IMaintenanceJob>().ToList();
        Assert.Equal(["ErasureRewrite", "PartitionMaintenance"], jobs.Select(j => j.Name).Order());
        var job = jobs.Single(j => j.Name == "PartitionMaintenance");
        Assert.Equal("0 15 2 * * *", job.DefaultSchedule);

        const string partition = "external_api_logs_p201108";
        await _w.OnlyRetentionOf("external_api_logs", 3);
        await _w.CreateMonth("external_api_logs", new DateOnly(2011, 8, 1));
        await _w.InsertApiLogs(new DateOnly(2011, 8, 1), 250);
        await _w.Exec($"CREATE TABLE expected_201108 AS SELECT * FROM {partition}");
        var results = await job.RunAsync(ArchiveWorld.Context());
        Assert.Equal(UnitOutcome.Done, Assert.Single(results, r => r.Unit == partition).Outcome);

        var list = await Run(services, "archive", "list");
        Assert.Equal(0, list.Code);
        Assert.Contains(partition, list.Out);
        Assert.Contains("dropped", list.Out);
        var listTable = await Run(services, "list", "notifications");
        Assert.Equal(0, listTable.Code);
        Assert.Contains("no archived partitions of notifications", listTable.Out);

        var side = await Run(services, "archive", "restore", partition, "--into", "cmd_side");
        Assert.True(side.Code == 0, side.Err);
        Assert.Contains("250 rows", side.Out);
        await _w.AssertSameRows("expected_201108", "cmd_side");

        var missing = await Run(services, "archive", "restore", "external_api_logs_p209901", "--attach");
        Assert.Equal(1, missing.Code);
        Assert.Contains("no complete archive", missing.Err);

        Assert.Equal(2, (await Run(services, "archive", "restore", partition)).Code);
        Assert.Equal(2, (await Run(services, "archive", "restore", partition, "--into")).Code);
        Assert.Equal(2, (await Run(services, "archive", "bogus")).Code);

        var attach = await Run(services, "archive", "restore", partition, "--attach");
        Assert.True(attach.Code == 0, attach.Err);
        Assert.Contains("attached to external_api_logs", attach.Out);
        Assert.True(await _w.IsAttached(partition));
    }
}
