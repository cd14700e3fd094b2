using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace TravelFunctions.Data.Connections;

public static class DataServiceCollectionExtensions
{
    /// <summary>
    /// The pooled endpoint (setting TravelDb, typed <see cref="PooledDatabaseOptions"/>), the data sources built from
    /// the settings bound, and the transaction runner. Nothing connects here; data sources are created on first use.
    /// </summary>
    public static IServiceCollection AddTravelData(this IServiceCollection services, IConfiguration config)
    {
        DapperSetup.Configure();
        services.AddOptions<PooledDatabaseOptions>().Bind(config);
        services.AddSingleton(sp => new TravelDataSources(
            sp.GetRequiredService<IOptions<PooledDatabaseOptions>>().Value.TravelDb,
            sp.GetRequiredService<IOptions<DirectDatabaseOptions>>().Value.TravelDbDirect));
        services.AddSingleton<Db>();
        return services;
    }

    /// <summary>The direct endpoint too (setting TravelDbDirect): the timers app and its command line.</summary>
    public static IServiceCollection AddDirectDatabase(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<DirectDatabaseOptions>().Bind(config);
        return services;
    }

    /// <summary>
    /// The function app refuses to start without a usable TravelDb (and TravelDbDirect when <paramref name="direct"/>).
    /// Not part of the registration itself: a command line verb checks only the settings it needs.
    /// </summary>
    public static IServiceCollection RequireDatabaseSettings(this IServiceCollection services, bool direct)
    {
        services.AddDatabaseOptionsValidator();
        services.AddOptions<PooledDatabaseOptions>().Validate(o => !string.IsNullOrWhiteSpace(o.TravelDb), PooledDatabaseOptions.Missing).ValidateOnStart();
        if (direct)
            services.AddOptions<DirectDatabaseOptions>().Validate(o => !string.IsNullOrWhiteSpace(o.TravelDbDirect), DirectDatabaseOptions.Missing).ValidateOnStart();
        return services;
    }

    private static void AddDatabaseOptionsValidator(this IServiceCollection services)
    {
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PooledDatabaseOptions>, DatabaseOptionsValidator>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<DirectDatabaseOptions>, DatabaseOptionsValidator>());
    }
}
