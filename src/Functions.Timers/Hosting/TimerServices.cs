using TravelFunctions.Data.Partitions;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Maintenance;
using TravelFunctions.Timers.Scheduling;

namespace TravelFunctions.Timers.Hosting;

public static class TimerServices
{
    /// <summary>
    /// Everything the timers app runs: data sources (TravelDb = pooled endpoint as travel_maintenance,
    /// TravelDbDirect = direct endpoint as travel_owner), the job runner, every job as an
    /// IMaintenanceJob (the catalog, host contract, scheduler, `run` and `emit-functions` all read
    /// that one list), and the local scheduler.
    /// </summary>
    public static IServiceCollection AddTimerJobs(this IServiceCollection services, IConfiguration config)
    {
        services.AddTravelData(config);
        services.AddMaintenanceJobs();
        services.AddPartitionMaintenance();
        services.AddSingleton<JobCatalog>();
        services.AddHostedService<LocalScheduler>();
        return services;
    }
}
