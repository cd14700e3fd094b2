using TravelFunctions.Data.Archive.Blob;
using Xunit;

namespace TravelFunctions.Tests.Blob;

/// <summary>
/// The real Azurite of the local stack: connection string from env ArchiveStorage
/// (`source "$(scripts/stack.sh dir)/env"`), else Azurite's well-known development account on 127.0.0.1:10000.
/// </summary>
internal static class AzuriteBlob
{
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable(BlobStoreFactory.StorageKey) is { Length: > 0 } fromEnv && !BlobStoreFactory.IsAccountUrl(fromEnv)
            ? fromEnv
            : BlobConnectionString.DevelopmentConnectionString;

    /// <summary>A unique container name per test class (and run): blobtest-{tag}-{random}.</summary>
    public static string UniqueContainer(string tag) => $"blobtest-{tag}-{Guid.NewGuid():N}"[..40].TrimEnd('-');

    public static AzureBlobRestStore CreateStore(string container, BlobStoreOptions? options = null) =>
        new(BlobConnectionString.Parse(ConnectionString), container, options);
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

    protected AzureBlobRestStore Store { get; }

    public async Task InitializeAsync() => await Store.EnsureContainerExistsAsync();

    public async Task DisposeAsync() => await Store.DeleteContainerAsync();

    protected static byte[] RandomBytes(int count, int seed)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

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
