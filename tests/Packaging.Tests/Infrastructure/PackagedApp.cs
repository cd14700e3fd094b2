using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace TravelFunctions.Tests.Packaging.Infrastructure;

/// <summary>
/// A package unzipped into a temporary folder and its executable started the way the Functions host
/// starts a custom handler: FUNCTIONS_CUSTOMHANDLER_PORT and the app settings as the whole environment,
/// working directory = the package root (or another folder, to prove the app finds its own files).
/// </summary>
public sealed class PackagedApp : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    public string Root { get; }
    public HttpClient Client { get; }

    private PackagedApp(string root, Process process, int port)
    {
        Root = root;
        _process = process;
        Client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public string Output { get { lock (_output) return _output.ToString(); } }

    public static string Unzip(string zip)
    {
        var root = Path.Combine(Path.GetTempPath(), "tf-package-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(root);
        // unzip, as Linux tooling and the platform do: it restores the modes stored in the zip.
        using var unzip = Process.Start(new ProcessStartInfo("unzip", ["-q", zip, "-d", root]))!;
        unzip.WaitForExit();
        if (unzip.ExitCode != 0) throw new InvalidOperationException($"unzip {zip} failed ({unzip.ExitCode}).");
        return root;
    }

    public static async Task<PackagedApp> StartAsync(string root, string executable, IReadOnlyDictionary<string, string> settings, string? workingDirectory = null)
    {
        var port = FreePort();
        var psi = new ProcessStartInfo(Path.Combine(root, executable))
        {
            WorkingDirectory = workingDirectory ?? root,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        psi.Environment.Clear();
        psi.Environment["FUNCTIONS_CUSTOMHANDLER_PORT"] = port.ToString();
        foreach (var (k, v) in settings) psi.Environment[k] = v;

        var process = Process.Start(psi)!;
        var app = new PackagedApp(root, process, port);
        process.OutputDataReceived += (_, e) => app.Append(e.Data);
        process.ErrorDataReceived += (_, e) => app.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        await app.WaitReadyAsync();
        return app;
    }

    private void Append(string? line)
    {
        if (line is null) return;
        lock (_output) _output.AppendLine(line);
    }

    /// <summary>The host waits for any HTTP answer on GET / before it sends invocations.</summary>
    private async Task WaitReadyAsync()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"The handler exited with {_process.ExitCode} before answering GET /:\n{Output}");
            try
            {
                using var probe = await Client.GetAsync("/");
                return;
            }
            catch (HttpRequestException)
            {
                await Task.Delay(50);
            }
        }
        throw new TimeoutException($"The handler did not answer GET / within 30 s:\n{Output}");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
