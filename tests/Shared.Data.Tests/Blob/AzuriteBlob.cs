using System.Text;
using System.Text.RegularExpressions;
using TravelFunctions.Data.Archive.Blob;
using Xunit;

namespace TravelFunctions.Tests.Blob;

/// <summary>
/// The real Azurite of the local stack: connection string from env ArchiveStorage
/// (`source "$(scripts/stack.sh dir)/env"`), else Azurite's well-known development account on 127.0.0.1:10000.
/// </summary>
internal static class AzuriteBlob
{
    /// <summary>Azurite's well-known development account (published in Azurite's documentation; not a secret).</summary>
    public const string DevelopmentConnectionString =
        "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;" +
        "AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;" +
        "BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";

    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(BlobStoreFactory.StorageKey) is { Length: > 0 } fromEnv && !BlobStoreFactory.IsAccountUrl(fromEnv)
            ? fromEnv
            : DevelopmentConnectionString;

    /// <summary>A unique container name per test class (and run): blobtest-{tag}-{random}.</summary>
    public static string UniqueContainer(string tag) => $"blobtest-{tag}-{Guid.NewGuid():N}"[..40].TrimEnd('-');

    public static AzureBlobStore CreateStore(string container, BlobStoreOptions? options = null) =>
        BlobStoreFactory.Create(ConnectionString, container, options: options);

    /// <summary>The Azurite connection string with one Key=Value replaced (e.g. a wrong AccountKey, a dead BlobEndpoint).</summary>
    public static string ConnectionStringWith(string key, string value)
    {
        var pattern = new Regex($"(^|;){Regex.Escape(key)}=[^;]*");
        Assert.Matches(pattern, ConnectionString);
        return pattern.Replace(ConnectionString, m => $"{m.Groups[1].Value}{key}={value}");
    }
}

/// <summary>Creates the class's own container before its tests and deletes it afterwards.</summary>
public abstract class AzuriteContainerTest : IAsyncLifetime
{
    protected AzuriteContainerTest(string tag, BlobStoreOptions? options = null)
    {
        ContainerName = AzuriteBlob.UniqueContainer(tag);
        Store = AzuriteBlob.CreateStore(ContainerName, options);
    }

    protected string ContainerName { get; }

    protected AzureBlobStore Store { get; }

    public async Task InitializeAsync() => await Store.EnsureContainerExistsAsync();

    public async Task DisposeAsync() => await Store.Container.DeleteIfExistsAsync();

    protected static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Streams <paramref name="data"/> through the block upload in uneven writes, as a producer would.</summary>
    protected static Func<Stream, CancellationToken, Task> Writes(byte[] data) => async (target, ct) =>
    {
        for (var at = 0; at < data.Length; at += 777)
            await target.WriteAsync(data.AsMemory(at, Math.Min(777, data.Length - at)), ct);
    };

    protected static Func<Stream, CancellationToken, Task> Writes(string text) => Writes(Encoding.UTF8.GetBytes(text));

    protected static async Task<byte[]> ReadAllAsync(Stream stream)
    {
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.ToArray();
        }
    }
}
