using Microsoft.Extensions.Options;
using TravelFunctions.Data.ProviderKeys;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.ProviderKeys;

public static class ProviderKeysRegistration
{
    /// <summary>The feature's store and contracts, and the KEK settings checked at start (ProviderKeys__CurrentKey, __PreviousKey).</summary>
    public static IServiceCollection AddProviderKeys(this IServiceCollection services, IConfiguration config)
    {
        services.AddProviderKeyCipher(config).AddOptions<ProviderKeyOptions>().ValidateOnStart();
        return services.AddJsonContracts(ProviderKeysJson.Default).AddSingleton<ProviderKeyStore>();
    }
}
