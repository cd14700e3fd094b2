using System.Net;
using System.Net.Sockets;
using Azure;
using Azure.Core;
using Azure.Core.Pipeline;
using TravelFunctions.Data.Archive;
using TravelFunctions.Data.Archive.Blob;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Tests.Blob;
using Xunit;

namespace TravelFunctions.Tests.Archive;

/// <summary>
/// Blob storage unreachable (a closed port: the shared Azurite is never stopped) at the upload, in the middle of an
/// upload (some blocks staged), and in the middle of an archive (after the upload was recorded): nothing is dropped,
/// nothing duplicated, the ledger keeps the state, the next run completes.
/// </summary>
public sealed class AzuriteOutageTests : IClassFixture<ArchiveWorld>
{
    private readonly ArchiveWorld _w;

    public AzuriteOutageTests(ArchiveWorld world) => _w = world;

    /// <summary>Delegates to the live store until <see cref="Down"/> is set, then to a store on a closed port.</summary>
    private sealed class FlakyStore(IBlobStore live, IBlobStore dead) : IBlobStore
    {
        public volatile bool Down;
        private IBlobStore S => Down ? dead : live;
        public string ContainerName => live.ContainerName;
        public Task EnsureContainerExistsAsync(CancellationToken ct = default) => S.EnsureContainerExistsAsync(ct);
        public Task<BlobUploadResult> UploadAsync(string n, Func<Stream, CancellationToken, Task> w, BlobWrite b, CancellationToken ct = default) => S.UploadAsync(n, w, b, ct);
        public Task<IReadOnlyList<BlobBlock>> GetBlockListAsync(string n, CancellationToken ct = default) => S.GetBlockListAsync(n, ct);
        public Task<Stream> OpenReadAsync(string n, CancellationToken ct = default) => S.OpenReadAsync(n, ct);
        public Task<Stream> OpenReadAsync(string n, HttpRange r, CancellationToken ct = default) => S.OpenReadAsync(n, r, ct);
        public Task<BlobProperties> GetPropertiesAsync(string n, CancellationToken ct = default) => S.GetPropertiesAsync(n, ct);
        public IAsyncEnumerable<BlobItem> ListBlobsAsync(string p, bool md = false, CancellationToken ct = default) => S.ListBlobsAsync(p, md, ct);
        public Task<bool> DeleteAsync(string n, ETag? e = null, CancellationToken ct = default) => S.DeleteAsync(n, e, ct);
        public Task SetAccessTierAsync(string n, string t, CancellationToken ct = default) => S.SetAccessTierAsync(n, t, ct);
    }

    /// <summary>
    /// While <see cref="Down"/>, sends every request of the store it is part of to a closed port, so an outage can begin
    /// between two requests of one upload; <see cref="GoDownAt"/> sets Down when a request matches.
    /// </summary>
    private sealed class OutagePolicy(int closedPort) : HttpPipelineSynchronousPolicy
    {
        public volatile bool Down;
        public Func<Request, bool> GoDownAt { get; init; } = _ => false;

        public override void OnSendingRequest(HttpMessage message)
        {
            if (!Down && GoDownAt(message.Request)) Down = true;
            if (Down) message.Request.Uri.Port = closedPort;
        }
    }

    // A port that was just free and is closed again: connections are refused.
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static BlobStoreOptions FailFast(int blockSize = BlobStoreOptions.DefaultBlockSize)
    {
        var options = new BlobStoreOptions { BlockSize = blockSize };
        options.Client.Retry.MaxRetries = 1;
        options.Client.Retry.Delay = TimeSpan.FromMilliseconds(50);
        return options;
    }

    private IBlobStore DeadStore() => BlobStoreFactory.Create(
        AzuriteBlob.ConnectionStringWith("BlobEndpoint", $"http://127.0.0.1:{ClosedPort()}/devstoreaccount1"), _w.Container, options: FailFast());

    [Fact]
    public async Task Storage_down_in_the_middle_of_an_upload_commits_nothing_drops_nothing_and_the_next_run_completes()
    {
        await _w.OnlyRetentionOf("external_api_logs", 3);
        var months = new[] { new DateOnly(2016, 5, 1), new DateOnly(2016, 6, 1) };
        foreach (var m in months)
        {
            await _w.CreateMonth("external_api_logs", m);
            await _w.InsertApiLogs(m, 1200);
            await _w.Exec($"CREATE TABLE expected_{m:yyyyMM} AS SELECT * FROM external_api_logs_p{m:yyyyMM}");
        }
        var stagedBlocks = 0;
        // Down at the third Put Block of the first partition's data blob: two blocks are staged, the rest never get there.
        var outage = new OutagePolicy(ClosedPort())
        {
            GoDownAt = r => r.Uri.Query.Contains("comp=block&") && r.Uri.Path.Contains("_p201605") && Interlocked.Increment(ref stagedBlocks) == 3,
        };
        var options = FailFast(blockSize: 4096);
        options.Client.AddPolicy(outage, HttpPipelinePosition.PerRetry);
        var store = BlobStoreFactory.Create(AzuriteBlob.ConnectionString, _w.Container, options: options);

        var during = await _w.Job(store: store).RunAsync(ArchiveWorld.Context());

        Assert.True(outage.Down);
        foreach (var m in months)
        {
            var name = $"external_api_logs_p{m:yyyyMM}";
            var unit = Assert.Single(during, r => r.Unit == name);
            Assert.Equal(UnitOutcome.Failed, unit.Outcome);
            var ledger = (await _w.Ledger(name))!;
            Assert.Equal(ArchiveState.Exporting, ledger.State);
            Assert.NotNull(ledger.LastError);
            Assert.True(await _w.IsAttached(name));
            await _w.AssertSameRows($"expected_{m:yyyyMM}", name);
            Assert.Empty(await _w.BlobNames($"external_api_logs/{m:yyyy}/{m:MM}/"));  // the staged blocks are not a blob
        }

        outage.Down = false;
        var after = await _w.Job(store: store).RunAsync(ArchiveWorld.Context());

        foreach (var m in months)
        {
            var name = $"external_api_logs_p{m:yyyyMM}";
            Assert.Equal(UnitOutcome.Done, Assert.Single(after, r => r.Unit == name).Outcome);
            Assert.False(await _w.TableExists(name));
            Assert.Equal([$"external_api_logs/{m:yyyy}/{m:MM}/{name}.csv.gz", $"external_api_logs/{m:yyyy}/{m:MM}/{name}.manifest.json"],
                await _w.BlobNames($"external_api_logs/{m:yyyy}/{m:MM}/"));
            Assert.Equal(2, (await _w.Ledger(name))!.Attempts);
            await _w.Restorer().RestoreAsync(name, false, $"back_{m:yyyyMM}", default);
            await _w.AssertSameRows($"expected_{m:yyyyMM}", $"back_{m:yyyyMM}");
        }
    }

    [Fact]
    public async Task Storage_down_at_upload_or_mid_archive_drops_nothing_and_the_next_run_completes()
    {
        await _w.OnlyRetentionOf("external_api_logs", 3);
        var months = new[] { new DateOnly(2016, 1, 1), new DateOnly(2016, 2, 1) };
        foreach (var m in months)
        {
            await _w.CreateMonth("external_api_logs", m);
            await _w.InsertApiLogs(m, 300);
            await _w.Exec($"CREATE TABLE expected_{m:yyyyMM} AS SELECT * FROM external_api_logs_p{m:yyyyMM}");
        }
        var store = new FlakyStore(_w.Store, DeadStore()) { Down = false };
        // Storage goes away right after the first partition's upload was recorded: its verification cannot reach it,
        // and every later partition cannot upload.
        var outage = new ArchiveStepHook((step, p, _) =>
        {
            if (step == ArchiveStep.UploadRecorded && p == "external_api_logs_p201601") store.Down = true;
            return Task.CompletedTask;
        });

        var during = await _w.Job(outage, store).RunAsync(ArchiveWorld.Context());

        var jan = Assert.Single(during, r => r.Unit == "external_api_logs_p201601");
        var feb = Assert.Single(during, r => r.Unit == "external_api_logs_p201602");
        Assert.Equal(UnitOutcome.Failed, jan.Outcome);
        Assert.Equal(UnitOutcome.Failed, feb.Outcome);
        Assert.Equal(ArchiveState.Uploaded, (await _w.Ledger("external_api_logs_p201601"))!.State);
        Assert.Equal(ArchiveState.Exporting, (await _w.Ledger("external_api_logs_p201602"))!.State);
        Assert.NotNull((await _w.Ledger("external_api_logs_p201602"))!.LastError);
        foreach (var m in months)
        {
            Assert.True(await _w.IsAttached($"external_api_logs_p{m:yyyyMM}"));
            await _w.AssertSameRows($"expected_{m:yyyyMM}", $"external_api_logs_p{m:yyyyMM}");
        }

        store.Down = false;
        var after = await _w.Job(store: store).RunAsync(ArchiveWorld.Context());

        foreach (var m in months)
        {
            var name = $"external_api_logs_p{m:yyyyMM}";
            Assert.Equal(UnitOutcome.Done, Assert.Single(after, r => r.Unit == name).Outcome);
            Assert.False(await _w.TableExists(name));
            Assert.Equal(2, (await _w.BlobNames($"external_api_logs/{m:yyyy}/{m:MM}/")).Count);
            await _w.Restorer().RestoreAsync(name, false, $"back_{m:yyyyMM}", default);
            await _w.AssertSameRows($"expected_{m:yyyyMM}", $"back_{m:yyyyMM}");
        }
        Assert.Equal(1, (await _w.Ledger("external_api_logs_p201601"))!.Attempts);  // resumed at verify, not re-exported
    }
}
