using TravelFunctions.Data.Preferences;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Preferences;

public static class PreferencesRegistration
{
    public static IServiceCollection AddPreferences(this IServiceCollection services) =>
        services.AddJsonContracts(PreferencesJson.Default)
            .AddSingleton<ReferenceDataStore>()
            .AddSingleton<TripPreferencesStore>();
}
