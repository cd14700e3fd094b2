using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using TravelFunctions.Http.AgentAuth;
using TravelFunctions.Http.ApiLogs;
using TravelFunctions.Http.Bookings;
using TravelFunctions.Http.Conversations;
using TravelFunctions.Http.Events;
using TravelFunctions.Http.ExchangeRates;
using TravelFunctions.Http.Health;
using TravelFunctions.Http.Infrastructure;
using TravelFunctions.Http.Itineraries;
using TravelFunctions.Http.Notifications;
using TravelFunctions.Http.Places;
using TravelFunctions.Http.Planning;
using TravelFunctions.Http.Preferences;
using TravelFunctions.Http.ProviderKeys;
using TravelFunctions.Http.SearchCache;
using TravelFunctions.Http.Sharing;
using TravelFunctions.Http.Trips;
using TravelFunctions.Http.Users;

namespace TravelFunctions.Tests.Infrastructure;

/// <summary>
/// The registrations of Functions.Http's Program.cs that shape its JSON, for tests that inspect them in-process. A
/// feature missing here shows up as "no JsonSerializable entry" for its bodies, never as a false pass.
/// </summary>
public static class AppRegistrations
{
    public static void AddAll(IServiceCollection services, IConfiguration config)
    {
        services.AddApiPlatform(config);
        services.AddHealth();
        services.AddUsers();
        services.AddTrips();
        services.AddItineraries();
        services.AddBookings();
        services.AddAgentAuth();
        services.AddConversations();
        services.AddEvents();
        services.AddApiLogs();
        services.AddSearchCache();
        services.AddPlaces();
        services.AddPreferences();
        services.AddExchangeRates();
        services.AddNotifications();
        services.AddPlanning();
        services.AddSharing();
        services.AddProviderKeys(config);
        services.AddJsonContracts(TravelFunctions.Http.Auth.AuthJson.Default);
    }
}
