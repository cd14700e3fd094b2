namespace TravelFunctions.Http.Trips;

public static class TripsEndpoints
{
    public static IServiceCollection AddTrips(this IServiceCollection services) => services;

    public static RouteGroupBuilder MapTrips(this RouteGroupBuilder api) => api;
}
