using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace TravelFunctions.Data.Jobs;

public static class JobServiceCollectionExtensions
{
    /// <summary>
    /// The job runner and its settings (<see cref="JobRunnerOptions"/>, bound from the host's IConfiguration and
    /// validated when first read; the function app also validates them at start). Jobs are registered as
    /// <see cref="IMaintenanceJob"/> singletons by their features; the timers app finds them as
    /// IEnumerable&lt;IMaintenanceJob&gt;.
    /// </summary>
    public static IServiceCollection AddJobRunner(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptions<JobRunnerOptions>().Configure<IConfiguration>((options, config) => config.Bind(options));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobRunnerOptions>, JobRunnerOptionsValidator>());
        services.TryAddSingleton<JobRunner>();
        return services;
    }
}
