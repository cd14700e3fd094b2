using System.Diagnostics;

namespace TravelFunctions.LocalHost.Worker;

/// <summary>The worker's OS process: output captured line by line, stopped with WorkerTerminate and, failing
/// that, killed with its whole process tree.</summary>
internal sealed class WorkerProcess : IAsyncDisposable
{
    // The host's grace period after WorkerTerminate.
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(5);

    private readonly Process _process;

    private WorkerProcess(Process process, Task exited)
    {
        _process = process;
        Exited = exited;
    }

    public int Id => _process.Id;

    /// <summary>Completes when the process has exited and all its output has been read.</summary>
    public Task Exited { get; }

    public int ExitCode => _process.ExitCode;

    public static WorkerProcess Start(ProcessStartInfo startInfo, OutputLog output)
    {
        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) output.Write(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) output.Write(e.Data); };
        try
        {
            process.Start();
        }
        catch (Exception ex)
        {
            process.Dispose();
            throw new InvalidOperationException($"Could not start the worker '{startInfo.FileName}': {ex.Message}", ex);
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new WorkerProcess(process, process.WaitForExitAsync());
    }

    /// <summary>Graceful: waits up to the grace period for the process to exit (after WorkerTerminate).
    /// Then, or at once when not graceful, kills its process tree.</summary>
    public async Task StopAsync(bool graceful)
    {
        if (graceful)
        {
            try
            {
                await Exited.WaitAsync(GracePeriod);
                return;
            }
            catch (TimeoutException)
            {
            }
        }
        try { _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { /* exited meanwhile */ }
        try { await Exited.WaitAsync(GracePeriod); }
        catch (TimeoutException) { /* nothing more to do */ }
    }

    public async ValueTask DisposeAsync()
    {
        if (!Exited.IsCompleted) await StopAsync(graceful: false);
        _process.Dispose();
    }
}
