using TravelFunctions.Timers.Ops;

// Ops verbs run and exit; without a verb the app serves the Functions host (custom handler).
if (args.Length > 0 && args[0] == "migrate")
{
    using var logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
    return await MigrateCommand.RunAsync(args[1..], logs);
}

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ContentRootPath = AppContext.BaseDirectory });
if (Environment.GetEnvironmentVariable("FUNCTIONS_CUSTOMHANDLER_PORT") is { Length: > 0 } port)
    builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
var app = builder.Build();
app.MapGet("/", () => TypedResults.Ok("TravelFunctions timers"));
await app.RunAsync();
return 0;
