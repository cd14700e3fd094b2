using System.Diagnostics;

namespace TravelFunctions.LocalHost;

/// <summary>How to run a function app under <see cref="FunctionsLocalHost"/>.</summary>
public sealed record LocalHostOptions
{
    /// <summary>A folder with functions.metadata, worker.config.json and host.json: a build output or an unzipped package.</summary>
    public required string AppDirectory { get; init; }

    /// <summary>App settings; the worker gets them as environment variables and %Setting% in a schedule resolves from them.</summary>
    public IReadOnlyDictionary<string, string> Settings { get; init; } = new Dictionary<string, string>();

    /// <summary>False: the worker's environment is only the settings plus what the host adds, as in Azure.</summary>
    public bool InheritEnvironment { get; init; } = true;

    /// <summary>Port of the HTTP front door on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; init; }

    /// <summary>Fire timer functions on their schedules. Off, they run only through InvokeAsync or the admin endpoint.</summary>
    public bool RunSchedules { get; init; }

    /// <summary>Replaces every retry delay of the functions' retry policies (tests).</summary>
    public TimeSpan? RetryDelayOverride { get; init; }

    /// <summary>Receives every line the worker prints and every log it sends over gRPC.</summary>
    public Action<string>? Output { get; init; }

    /// <summary>Last change to the worker's start info before it starts. Contract tests use it to leave out
    /// something the host supplies and prove the worker needs it.</summary>
    internal Action<ProcessStartInfo>? ConfigureWorkerProcess { get; init; }
}
