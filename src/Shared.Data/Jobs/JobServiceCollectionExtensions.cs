using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace TravelFunctions.Data.Jobs;

public static class JobServiceCollectionExtensions
{
    /// <summary>
    /// The job runner and its settings (JobTimeBudgetSeconds), read when first resolved. Jobs are
    /// registered as <see cref="IMaintenanceJob"/> singletons by their features; the runner and the
    /// timers app discover them as IEnumerable&lt;IMaintenanceJob&gt;.
    /// </summary>
    public static IServiceCollection AddJobRunner(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton(sp => JobRunnerOptions.FromConfiguration(sp.GetRequiredService<IConfiguration>()));
        services.TryAddSingleton<JobRunner>();
        return services;
    }
}
