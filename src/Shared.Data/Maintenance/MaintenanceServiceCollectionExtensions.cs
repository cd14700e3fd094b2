using Microsoft.Extensions.DependencyInjection;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.Maintenance;

public static class MaintenanceServiceCollectionExtensions
{
    /// <summary>The row-level maintenance jobs (each an <see cref="IMaintenanceJob"/>) and the job runner.</summary>
    public static IServiceCollection AddMaintenanceJobs(this IServiceCollection services)
    {
        services.AddJobRunner();
        services.AddSingleton<IMaintenanceJob, CacheExpiryJob>();
        services.AddSingleton<IMaintenanceJob, AnalyzeTablesJob>();
        services.AddSingleton<IMaintenanceJob, RetentionPurgeJob>();
        services.AddSingleton<IMaintenanceJob, RefreshReportingJob>();
        return services;
    }
}
