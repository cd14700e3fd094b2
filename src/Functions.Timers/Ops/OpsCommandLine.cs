using System.CommandLine;
using System.CommandLine.Invocation;
using Microsoft.Extensions.Logging.Console;
using TravelFunctions.Timers.Jobs;

namespace TravelFunctions.Timers.Ops;

/// <summary>
/// The DevOps command line of the timers app: `migrate`, `run &lt;job&gt; [--dry-run]`, `archive list|restore`, `policy [--json]`.
/// Settings come from configuration (environment variables), bound to the same typed options the function app
/// uses; each verb checks the ones it needs before it starts (<see cref="VerbSettings"/>). Exit codes: 0 done,
/// 1 failed, 2 usage or configuration error (the message names the argument or setting).
/// </summary>
public static class OpsCommandLine
{
    public const int Failed = 1;
    public const int UsageError = 2;

    /// <summary>
    /// True when the arguments are for the command line rather than the worker. The Functions host always names
    /// the worker it starts (--functions-worker-id, and --workerId for older hosts), wherever it puts the rest:
    /// a host that launches the app's own executable passes the worker's .dll path first, so the position of the
    /// first argument cannot tell the two apart.
    /// </summary>
    public static bool Handles(string[] args) =>
        !args.Any(a => a is "--functions-worker-id" or "--workerId");

    /// <summary>The command line of the executable: services built as the app builds them, never started.</summary>
    public static async Task<int> RunAsync(string[] args)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { Args = [], ContentRootPath = AppContext.BaseDirectory });
        // Logs go to stderr so that stdout carries only the verb's output (the summary JSON of `run`, the archive list).
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddTimerJobs(builder.Configuration);
        using var host = builder.Build();
        // Ctrl-C and SIGTERM cancel the verb's token (System.CommandLine's process termination handling).
        return await RunAsync(args, host.Services, Console.Out, Console.Error, new InvocationConfiguration(), CancellationToken.None);
    }

    /// <summary>The verbs over a built service provider, writing to the given writers (tests pass the app's services).</summary>
    public static Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter error, CancellationToken ct) =>
        RunAsync(args, services, output, error, new InvocationConfiguration { ProcessTerminationTimeout = null }, ct);

    private static async Task<int> RunAsync(string[] args, IServiceProvider services, TextWriter output, TextWriter error,
        InvocationConfiguration invocation, CancellationToken ct)
    {
        var root = new RootCommand("The TravelFunctions timers app. Started by the Functions host it serves the timer jobs; " +
            "with a verb it is the DevOps command line. Settings are read from environment variables.")
        {
            MigrateCommand.Create(services, output, error),
            RunJobCommand.Create(services, output, error),
            ArchiveCommand.Create(services, output, error),
            PolicyCommand.Create(services, output, error),
        };
        invocation.Output = output;
        invocation.Error = error;
        return await InvokeAsync(root.Parse(args), invocation, services, error, checkSettings: true, ct);
    }

    /// <summary>Parse errors and (with <paramref name="checkSettings"/>) unusable settings are usage errors (2), reported before anything runs.</summary>
    internal static async Task<int> InvokeAsync(ParseResult parse, InvocationConfiguration invocation, IServiceProvider services,
        TextWriter error, bool checkSettings, CancellationToken ct)
    {
        if (parse.Action is ParseErrorAction errors)
        {
            // The errors (and any "did you mean") to stderr only: stdout stays empty for scripts.
            errors.ShowHelp = false;
            invocation.Output = error;
            await parse.InvokeAsync(invocation, ct);
            await error.WriteLineAsync($"See '{CommandPath(parse)} --help'.");
            return UsageError;
        }
        // Only when the verb itself runs: --help needs no settings.
        if (checkSettings && parse.Action == parse.CommandResult.Command.Action && VerbSettings.Problems(parse, services) is { Count: > 0 } problems)
        {
            foreach (var problem in problems) await error.WriteLineAsync($"{CommandPath(parse)}: {problem}");
            return UsageError;
        }
        return await parse.InvokeAsync(invocation, ct);
    }

    private static string CommandPath(ParseResult parse)
    {
        var names = new List<string>();
        for (var result = parse.CommandResult; result is not null; result = result.Parent as System.CommandLine.Parsing.CommandResult)
            names.Insert(0, result.Command is RootCommand ? "Functions.Timers" : result.Command.Name);
        return string.Join(' ', names);
    }
}
