using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.Maintenance;

public static class MaintenanceServiceCollectionExtensions
{
    /// <summary>
    /// The row-level maintenance jobs (each an <see cref="IMaintenanceJob"/>), the job runner, and their settings
    /// (<see cref="MaintenanceOptions"/>, section Maintenance of the host's IConfiguration, validated when first read;
    /// the function app also validates them at start).
    /// </summary>
    public static IServiceCollection AddMaintenanceJobs(this IServiceCollection services)
    {
        services.AddJobRunner();
        services.AddOptions<MaintenanceOptions>()
            .Configure<IConfiguration>((options, config) => config.GetSection(MaintenanceOptions.Section).Bind(options));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<MaintenanceOptions>, MaintenanceOptionsValidator>());
        services.AddSingleton<IMaintenanceJob, CacheExpiryJob>();
        services.AddSingleton<IMaintenanceJob, AnalyzeTablesJob>();
        services.AddSingleton<IMaintenanceJob, RetentionPurgeJob>();
        services.AddSingleton<IMaintenanceJob, RefreshReportingJob>();
        services.AddSingleton<IMaintenanceJob, Notifications.NotificationRemindersJob>();
        services.AddSingleton<IMaintenanceJob, Planning.PlanningLeasesJob>();
        return services;
    }
}
