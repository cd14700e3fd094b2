using TravelFunctions.Data.Archive.Blob;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Data.Maintenance;
using TravelFunctions.Data.Partitions;
using TravelFunctions.Data.ProviderKeys;
using TravelFunctions.Timers.Settings;

namespace TravelFunctions.Timers.Jobs;

public static class TimerJobServices
{
    /// <summary>
    /// Everything a job run needs, registered the same way for the function app, the ops command line and the tests:
    /// typed settings (<see cref="PooledDatabaseOptions"/>, <see cref="DirectDatabaseOptions"/>, <see cref="ArchiveOptions"/>, <see cref="JobRunnerOptions"/>, <see cref="MaintenanceOptions"/>),
    /// the data sources built from them (TravelDb = pooled endpoint as travel_maintenance, TravelDbDirect = direct
    /// endpoint as travel_owner), the archive's blob store, the job runner, every job as an IMaintenanceJob and the
    /// catalog the functions and `run` look jobs up in. Nothing connects here. The archive and runner settings are
    /// checked when first read; the connection strings are not (every job takes the data sources in its constructor,
    /// so listing the jobs would fail on a setting the verb at hand does not use): the function app checks every
    /// setting at start (<see cref="AddStartupChecks"/>), each ops verb the ones it needs (Ops/VerbSettings).
    /// </summary>
    public static IServiceCollection AddTimerJobs(this IServiceCollection services, IConfiguration config)
    {
        services.AddTravelData(config).AddDirectDatabase(config);
        services.AddOptions<ArchiveOptions>().Bind(config);
        services.AddSingleton<IValidateOptions<ArchiveOptions>, ArchiveOptionsValidator>();
        // Registered before AddPartitionMaintenance, whose own registration (from raw configuration) is a fallback.
        services.AddSingleton(sp => ArchiveStore(sp.GetRequiredService<IOptions<ArchiveOptions>>().Value));

        services.AddMaintenanceJobs();
        services.AddPartitionMaintenance();
        services.AddProviderKeyRewrap(config);
        services.AddSingleton<JobCatalog>();
        services.AddSingleton<JobInvocation>();
        return services;
    }

    /// <summary>
    /// The function app refuses to start on a missing or unusable setting, with the setting named, instead of failing
    /// its first invocation hours later.
    /// </summary>
    public static IServiceCollection AddStartupChecks(this IServiceCollection services)
    {
        services.RequireDatabaseSettings(direct: true);
        services.AddOptions<ArchiveOptions>().ValidateOnStart();
        services.AddOptions<JobRunnerOptions>().ValidateOnStart();
        services.AddOptions<MaintenanceOptions>().ValidateOnStart();
        services.AddOptions<ProviderKeyOptions>().ValidateOnStart();
        return services;
    }

    private static IBlobStore ArchiveStore(ArchiveOptions archive) => BlobStoreFactory.Create(
        archive.ArchiveStorage!, archive.ArchiveContainer!,
        credential: archive.IsAccountUrl ? BlobStoreFactory.CreateDefaultCredential(archive.ManagedIdentityClientId) : null,
        // Two block buffers: the next 4 MiB block fills while the previous one uploads (8 MiB per export).
        options: new BlobStoreOptions { UploadBuffers = 2 });
}
