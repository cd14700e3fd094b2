using TravelFunctions.Timers.Hosting;
using TravelFunctions.Timers.Ops;

// Ops verbs (migrate, run, emit-functions, archive) run and exit; without a verb the app serves the
// Functions host (custom handler), or schedules the jobs itself when there is no host.
if (TimerCli.IsVerb(args)) return await TimerCli.RunAsync(args);

var builder = TimerHosting.CreateBuilder(args);
builder.Services.AddTimerJobs(builder.Configuration);

var app = builder.Build();

// The Functions host probes GET / until the handler answers.
app.MapGet("/", () => TypedResults.Ok("TravelFunctions timers"));
app.MapTimerFunctions();

await app.RunAsync();
return 0;

public partial class Program;
