using System.Collections;
using System.Diagnostics;

namespace TravelFunctions.Timers.Tests.Infrastructure;

/// <summary>
/// Runs the built timers app as DevOps does, as a process of its own. Its environment is only the given settings
/// and what the .NET host needs to start (PATH, HOME, DOTNET_*): nothing of the test process's settings leaks in.
/// </summary>
public static class AppProcess
{
    public sealed record Result(int ExitCode, string Output, string Error);

    public static async Task<Result> RunAsync(IReadOnlyDictionary<string, string> settings, params string[] args)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = TimersApp.Directory,
        };
        psi.ArgumentList.Add(Path.Combine(TimersApp.Directory, "Functions.Timers.dll"));
        foreach (var arg in args) psi.ArgumentList.Add(arg);
        psi.Environment.Clear();
        foreach (DictionaryEntry variable in Environment.GetEnvironmentVariables())
        {
            var name = (string)variable.Key;
            if (name is "PATH" or "HOME" || name.StartsWith("DOTNET_", StringComparison.Ordinal)) psi.Environment[name] = (string?)variable.Value;
        }
        foreach (var (name, value) in settings) psi.Environment[name] = value;

        using var process = Process.Start(psi)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        // Only so that a hang fails the test instead of the run.
        using var hangGuard = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        try
        {
            await process.WaitForExitAsync(hangGuard.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"Functions.Timers {string.Join(' ', args)} did not exit within 2 minutes.");
        }
        return new Result(process.ExitCode, await output, await error);
    }
}
