namespace TravelFunctions.Http.Bookings;

public static class BookingsEndpoints
{
    public static IServiceCollection AddBookings(this IServiceCollection services) => services;

    public static RouteGroupBuilder MapBookings(this RouteGroupBuilder api) => api;
}
