using TravelFunctions.Data.Trips;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Trips;

public static class TripsRegistration
{
    public static IServiceCollection AddTrips(this IServiceCollection services) =>
        services.AddJsonContracts(TripsJson.Default)
            .AddSingleton<TripStore>()
            .AddSingleton<CollaboratorStore>();
}
