using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TravelFunctions.Data.Jobs;

namespace TravelFunctions.Data.ProviderKeys;

public static class ProviderKeyServiceCollectionExtensions
{
    /// <summary>The KEK settings (validated at start where the app asks for it) and the cipher built from them.</summary>
    public static IServiceCollection AddProviderKeyCipher(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<ProviderKeyOptions>().Bind(config.GetSection(ProviderKeyOptions.Section));
        services.AddSingleton<IValidateOptions<ProviderKeyOptions>, ProviderKeyOptionsValidator>();
        services.AddSingleton<ProviderKeyCipher>();
        return services;
    }

    /// <summary>The KEK rotation's re-wrap job (timers app).</summary>
    public static IServiceCollection AddProviderKeyRewrap(this IServiceCollection services, IConfiguration config) =>
        services.AddProviderKeyCipher(config).AddSingleton<IMaintenanceJob, ProviderKeyRewrapJob>();
}
