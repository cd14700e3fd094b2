using TravelFunctions.Data.Connections;
using TravelFunctions.Http.AgentAuth;
using TravelFunctions.Http.ApiLogs;
using TravelFunctions.Http.Auth;
using TravelFunctions.Http.Bookings;
using TravelFunctions.Http.Conversations;
using TravelFunctions.Http.Events;
using TravelFunctions.Http.Health;
using TravelFunctions.Http.Hosting;
using TravelFunctions.Http.Infrastructure;
using TravelFunctions.Http.SearchCache;
using TravelFunctions.Http.Trips;
using TravelFunctions.Http.Users;

var builder = CustomHandlerHosting.CreateBuilder(args);

builder.Services.AddApiProblems();
builder.Services.AddTravelData(builder.Configuration);
builder.Services.AddTokenAuth(builder.Configuration);
builder.Services.AddApiDocs();
builder.Services.AddHealth();
builder.Services.AddUsers();
builder.Services.AddTrips();
builder.Services.AddBookings();
builder.Services.AddAgentAuth();
builder.Services.AddConversations();
builder.Services.AddEvents();
builder.Services.AddApiLogs();
builder.Services.AddSearchCache();

var app = builder.Build();

app.UseApiProblems();
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter();

// The Functions host probes GET / until the handler answers; not an API function.
app.MapGet("/", () => TypedResults.Ok("TravelFunctions HTTP")).ExcludeFromDescription();
app.MapApiDocs();

var api = app.MapGroup("/api");
api.MapHealth();
api.MapAuth();
api.MapUsers();
api.MapTrips();
api.MapBookings();
api.MapAgentAuth();
api.MapConversations();
api.MapEvents();
api.MapApiLogs();
api.MapSearchCache();
BuildOnceEndpointDataSource.BuildEndpointsOnce(app);

// `Functions.Http emit-functions <dir>`: write the Azure function metadata of the endpoints above, and exit.
if (EmitFunctionsCommand.IsRequested(args)) { Environment.ExitCode = EmitFunctionsCommand.Run(app, args); return; }

app.Run();

public partial class Program;
