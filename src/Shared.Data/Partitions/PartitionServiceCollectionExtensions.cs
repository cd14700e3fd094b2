using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using TravelFunctions.Data.Archive;
using TravelFunctions.Data.Archive.Blob;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.Partitions;

public static class PartitionServiceCollectionExtensions
{
    /// <summary>
    /// The PartitionMaintenance and ErasureRewrite jobs (also as <see cref="IMaintenanceJob"/>), the archiver, restorer and
    /// erasure rewriter, and the archive's
    /// <see cref="IBlobStore"/> from settings ArchiveStorage/ArchiveContainer. Needs AddTravelData (TravelDataSources),
    /// IConfiguration and logging from the host.
    /// </summary>
    public static IServiceCollection AddPartitionMaintenance(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IBlobStore>(sp => BlobStoreFactory.Create(sp.GetRequiredService<IConfiguration>(),
            options: BlobStoreOptions.ForPartitionArchive()));
        services.TryAddSingleton(sp => new PartitionArchiver(
            sp.GetRequiredService<TravelDataSources>().Direct,
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<ILogger<PartitionArchiver>>(),
            sp.GetService<IArchiveStepHook>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new ArchiveRestorer(
            sp.GetRequiredService<TravelDataSources>().Direct,
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<ILogger<ArchiveRestorer>>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new Lazy<PartitionArchiver>(() => sp.GetRequiredService<PartitionArchiver>()));
        services.TryAddSingleton(sp => new ErasureRewriter(
            sp.GetRequiredService<TravelDataSources>().Direct,
            sp.GetRequiredService<IBlobStore>(),
            sp.GetRequiredService<ILogger<ErasureRewriter>>(),
            sp.GetService<IErasureStepHook>(),
            sp.GetRequiredService<TimeProvider>()));
        services.TryAddSingleton(sp => new Lazy<ErasureRewriter>(() => sp.GetRequiredService<ErasureRewriter>()));
        services.TryAddSingleton<ErasureRewriteJob>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMaintenanceJob, ErasureRewriteJob>(
            sp => sp.GetRequiredService<ErasureRewriteJob>()));
        services.TryAddSingleton<PartitionMaintenanceJob>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IMaintenanceJob, PartitionMaintenanceJob>(
            sp => sp.GetRequiredService<PartitionMaintenanceJob>()));
        return services;
    }
}
