using Microsoft.Extensions.Logging.Console;
using TravelFunctions.Timers.Hosting;

namespace TravelFunctions.Timers.Ops;

/// <summary>
/// The ops verbs: migrate, run, emit-functions, archive. They run and exit (no web server); logs go to
/// stderr so stdout carries only the verb's output.
/// </summary>
public static class TimerCli
{
    public static readonly string[] Verbs = ["migrate", "run", "emit-functions", "archive"];

    public static bool IsVerb(string[] args) => args.Length > 0 && Verbs.Contains(args[0]);

    public static async Task<int> RunAsync(string[] args)
    {
        if (args[0] == "migrate")
        {
            using var logs = LoggerFactory.Create(b => b.AddSimpleConsole(o => o.SingleLine = true));
            return await MigrateCommand.RunAsync(args[1..], logs);
        }
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddTimerJobs(builder.Configuration);
        using var host = builder.Build(); // not started: no web server, no scheduler
        using var cancel = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
        return await RunAsync(args, host.Services, Console.Out, Console.Error, cancel.Token);
    }

    /// <summary>The verbs over a built service provider (tests pass the app's).</summary>
    public static async Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        try
        {
            return args[0] switch
            {
                "run" => await RunJobCommand.RunAsync(args[1..], services, stdout, stderr, ct),
                "emit-functions" => EmitFunctionsCommand.Run(args[1..], services, stdout, stderr),
                "archive" => await ArchiveVerbs.RunAsync(args[1..], services, stderr),
                _ => Usage(stderr),
            };
        }
        catch (InvalidOperationException ex)
        {
            // Configuration errors (missing connection string, bad schedule, bad time budget).
            stderr.WriteLine($"{args[0]}: {ex.Message}");
            return 2;
        }
    }

    private static int Usage(TextWriter stderr)
    {
        stderr.WriteLine("usage: Functions.Timers [migrate [--dir DIR] | run <FunctionName> [--dry-run] | emit-functions <dir> | archive list | archive restore <partition> [--attach | --into <table>]]");
        return 2;
    }
}
