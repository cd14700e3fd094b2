using Microsoft.Azure.Functions.Worker.Builder;
using TravelFunctions.Hosting;
using TravelFunctions.Timers.Jobs;
using TravelFunctions.Timers.Ops;

// A verb first (migrate, run, archive, policy, --help) runs the ops command line and exits. The Functions host starts
// the worker with options only (--host …, --functions-uri …), which are never taken for a verb.
if (OpsCommandLine.Handles(args)) return await OpsCommandLine.RunAsync(args);

var builder = FunctionsApplication.CreateBuilder(args);
builder.Services.AddFunctionsTelemetry(builder.Configuration);
builder.Services.AddTimerJobs(builder.Configuration);
builder.Services.AddStartupChecks();

try
{
    await builder.Build().RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    // One clear line per bad setting in the host's log, instead of an unhandled-exception dump.
    foreach (var failure in ex.Failures) Console.Error.WriteLine("Functions.Timers cannot start: " + failure);
    return 1;
}
