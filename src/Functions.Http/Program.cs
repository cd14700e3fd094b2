using Microsoft.Azure.Functions.Worker.Builder;
using TravelFunctions.Data.Connections;
using TravelFunctions.Hosting;
using TravelFunctions.Http.AgentAuth;
using TravelFunctions.Http.ApiLogs;
using TravelFunctions.Http.Auth;
using TravelFunctions.Http.Bookings;
using TravelFunctions.Http.Conversations;
using TravelFunctions.Http.Docs;
using TravelFunctions.Http.Events;
using TravelFunctions.Http.ExchangeRates;
using TravelFunctions.Http.Health;
using TravelFunctions.Http.Itineraries;
using TravelFunctions.Http.Infrastructure;
using TravelFunctions.Http.Notifications;
using TravelFunctions.Http.Places;
using TravelFunctions.Http.Planning;
using TravelFunctions.Http.Preferences;
using TravelFunctions.Http.ProviderKeys;
using TravelFunctions.Http.SearchCache;
using TravelFunctions.Http.Sharing;
using TravelFunctions.Http.Trips;
using TravelFunctions.Http.Users;

var builder = FunctionsApplication.CreateBuilder(args);

// ASP.NET Core integration first: its middleware pairs each invocation with its HTTP request and writes the
// result, so the middleware below sees the request and can answer with a typed result.
builder.ConfigureFunctionsWebApplication();
builder.UseMiddleware<ProblemMiddleware>();
builder.UseMiddleware<AccessMiddleware>();

builder.Services.AddApiPlatform(builder.Configuration);
builder.Services.AddFunctionsTelemetry(builder.Configuration);
builder.Services.AddTravelData(builder.Configuration).RequireDatabaseSettings(direct: false);
builder.Services.AddTokenAuth(builder.Configuration);
builder.Services.AddApiDocs(builder.Configuration);
builder.Services.AddHealth();
builder.Services.AddUsers();
builder.Services.AddTrips();
builder.Services.AddItineraries();
builder.Services.AddBookings();
builder.Services.AddAgentAuth();
builder.Services.AddConversations();
builder.Services.AddEvents();
builder.Services.AddApiLogs();
builder.Services.AddSearchCache();
builder.Services.AddPlaces();
builder.Services.AddPreferences();
builder.Services.AddExchangeRates();
builder.Services.AddNotifications();
builder.Services.AddPlanning();
builder.Services.AddSharing();
builder.Services.AddProviderKeys(builder.Configuration);

builder.Build().Run();
