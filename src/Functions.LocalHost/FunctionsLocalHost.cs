using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using TravelFunctions.LocalHost.Functions;
using TravelFunctions.LocalHost.Http;
using TravelFunctions.LocalHost.Rpc;
using TravelFunctions.LocalHost.Timers;
using TravelFunctions.LocalHost.Worker;

namespace TravelFunctions.LocalHost;

/// <summary>A small stand-in for the Azure Functions host: starts a .NET isolated worker as the host does,
/// speaks the host-worker gRPC contract to it, serves its HTTP functions on 127.0.0.1 and fires its timers.
/// What it emulates and what it does not: docs/local-host.md.</summary>
public sealed class FunctionsLocalHost : IAsyncDisposable
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);
    private const string HostVersion = "4.0.0-local";

    private readonly LocalHostOptions _options;
    private readonly OutputLog _output;
    private readonly WorkerChannel _channel;
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<Task> _background = [];
    private readonly Dictionary<string, TimerTrigger> _timers = new(StringComparer.OrdinalIgnoreCase);
    private WebApplication? _grpcServer;
    private WebApplication? _frontDoor;
    private WorkerProcess? _worker;
    private HttpFunctionInvoker? _httpInvoker;
    private RetryingInvoker? _invoker;
    private int _disposed;

    private FunctionsLocalHost(LocalHostOptions options)
    {
        _options = options;
        _output = new OutputLog(options.Output);
        _channel = new WorkerChannel(Guid.NewGuid().ToString(), _output);
    }

    /// <summary>http://127.0.0.1:&lt;port&gt;/ of the HTTP front door.</summary>
    public Uri BaseAddress { get; private set; } = null!;

    public IReadOnlyList<LoadedFunction> Functions { get; private set; } = [];

    /// <summary>Everything the worker printed or logged so far (the latest ~1 MB).</summary>
    public string Output => _output.ToString();

    /// <summary>The worker's process id (tests prove it is gone after DisposeAsync).</summary>
    internal int WorkerProcessId => _worker?.Id ?? 0;

    /// <summary>Starts the worker and returns once every function is loaded and the HTTP front door listens.
    /// Fails with the worker's output in the message if the worker exits or fails to start, index or load.</summary>
    public static async Task<FunctionsLocalHost> StartAsync(LocalHostOptions options, CancellationToken ct = default)
    {
        var host = new FunctionsLocalHost(options);
        try
        {
            await host.StartCoreAsync(ct);
            return host;
        }
        catch (Exception ex)
        {
            await host.DisposeAsync();
            if (ex is OperationCanceledException && ct.IsCancellationRequested) throw;
            throw new InvalidOperationException(
                $"The local Functions host could not start the app in '{options.AppDirectory}': {ex.Message}"
                + $"{Environment.NewLine}--- worker output ---{Environment.NewLine}{host.Output}", ex);
        }
    }

    /// <summary>Runs a non-HTTP (timer) function now, retries included, as the admin endpoint does.</summary>
    public Task<InvocationResult> InvokeAsync(string functionName, bool isPastDue = false, CancellationToken ct = default)
    {
        ObjectDisposedException.ThrowIf(_disposed == 1, this);
        var function = Find(functionName) ?? throw new ArgumentException($"No function named '{functionName}'.", nameof(functionName));
        if (!_timers.TryGetValue(function.Name, out var timer))
            throw new NotSupportedException($"'{function.Name}' is {function.TriggerType}: call HTTP functions on BaseAddress; other triggers are not emulated.");
        return timer.InvokeNowAsync(isPastDue, ct);
    }

    /// <summary>Stops timers and the front door, sends WorkerTerminate, waits the grace period, then kills the worker's process tree.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        _stopping.Cancel();
        await WaitQuietly(Task.WhenAll(Snapshot(_background)), WorkerProcess.GracePeriod);
        if (_frontDoor is not null) await StopQuietly(_frontDoor);
        if (_worker is not null)
        {
            var graceful = _channel.IsOpen;
            if (graceful) _channel.Terminate(WorkerProcess.GracePeriod);
            await _worker.StopAsync(graceful);
            await _worker.DisposeAsync();
        }
        _channel.Close(new WorkerGoneException("The host has stopped."));
        _httpInvoker?.Dispose();
        if (_grpcServer is not null) await StopQuietly(_grpcServer);
        _stopping.Dispose();
    }

    private async Task StartCoreAsync(CancellationToken ct)
    {
        var appDirectory = Path.GetFullPath(_options.AppDirectory).TrimEnd(Path.DirectorySeparatorChar);
        if (!Directory.Exists(appDirectory)) throw new DirectoryNotFoundException($"The app folder '{appDirectory}' does not exist.");
        var routePrefix = HostJson.ReadRoutePrefix(appDirectory);
        _channel.LogFilter = LogFilter.Read(appDirectory);

        (_grpcServer, var grpcAddress) = await Servers.StartGrpcAsync(_channel, _output, ct);
        var startInfo = WorkerStartInfo.Create(appDirectory, grpcAddress, _channel.WorkerId, Guid.NewGuid().ToString(),
            _options.Settings, _options.InheritEnvironment);
        _options.ConfigureWorkerProcess?.Invoke(startInfo);
        _worker = WorkerProcess.Start(startInfo, _output);
        _ = WatchWorkerExitAsync(_worker);

        await Step(_channel.Started, "open its gRPC stream", ct);
        var init = await Step(_channel.InitializeAsync(new WorkerInitRequest
        {
            HostVersion = HostVersion,
            WorkerDirectory = appDirectory,
            FunctionAppDirectory = appDirectory,
        }), "answer WorkerInitRequest", ct);
        ThrowIfFailed(init.Result, "initialize");
        init.Capabilities.TryGetValue("HttpUri", out var workerHttpUri);

        var metadata = await Step(_channel.GetMetadataAsync(appDirectory), "report its functions", ct);
        ThrowIfFailed(metadata.Result, "index its functions");
        if (metadata.UseDefaultMetadataIndexing)
            throw new InvalidOperationException("The worker asked the host to index its functions; the local host supports worker indexing only.");

        Functions = metadata.FunctionMetadataResults.Select(m => FunctionIndex.Describe(m, routePrefix, Setting)).ToList();
        if (Functions.Any(f => f.IsHttp) && string.IsNullOrEmpty(workerHttpUri))
            throw new InvalidOperationException(
                "The app has HTTP functions but the worker reported no HttpUri: the local host needs ASP.NET Core integration (ConfigureFunctionsWebApplication).");

        var loads = metadata.FunctionMetadataResults.Select(m => _channel.LoadAsync(ToLoadRequest(m))).ToList();
        foreach (var load in await Step(Task.WhenAll(loads), "load its functions", ct))
            ThrowIfFailed(load.Result, $"load function '{Functions.First(f => f.FunctionId == load.FunctionId).Name}'");

        // The worker reports HttpUri before its own server listens; ready means requests can reach it.
        if (!string.IsNullOrEmpty(workerHttpUri)) await Step(WaitUntilListeningAsync(new Uri(workerHttpUri), ct), "open its HTTP endpoint", ct);

        _invoker = new RetryingInvoker(_channel, _output, _options.RetryDelayOverride);
        foreach (var function in Functions.Where(f => f.IsTimer)) _timers[function.Name] = new TimerTrigger(function, _invoker, _output);
        if (!string.IsNullOrEmpty(workerHttpUri)) _httpInvoker = new HttpFunctionInvoker(_channel, new Uri(workerHttpUri), _output);

        var admin = new AdminEndpoints(Find, InvokeInBackground);
        (_frontDoor, BaseAddress) = await Servers.StartFrontDoorAsync(_options.Port,
            services => new FrontDoor(RouteTable.Build(Functions, services), _httpInvoker, admin).HandleAsync, _output, ct);

        if (_options.RunSchedules)
            foreach (var timer in _timers.Values) Track(timer.RunScheduleAsync(_stopping.Token));
    }

    /// <summary>What the host sends to load a function: the worker's own metadata, as the host keeps it.</summary>
    private static FunctionLoadRequest ToLoadRequest(RpcFunctionMetadata indexed)
    {
        var metadata = new RpcFunctionMetadata
        {
            Name = indexed.Name,
            Directory = indexed.Directory,
            ScriptFile = indexed.ScriptFile,
            EntryPoint = indexed.EntryPoint,
        };
        metadata.Bindings.Add(indexed.Bindings);
        metadata.Properties.Add(indexed.Properties);
        return new FunctionLoadRequest { FunctionId = indexed.FunctionId, Metadata = metadata };
    }

    /// <summary>An app setting: the given settings first, then (when inherited) the environment, as the worker sees them.</summary>
    private string? Setting(string name) =>
        _options.Settings.TryGetValue(name, out var value) ? value
        : _options.InheritEnvironment ? Environment.GetEnvironmentVariable(name)
        : null;

    private LoadedFunction? Find(string name) =>
        Functions.FirstOrDefault(f => string.Equals(f.Name, name, StringComparison.OrdinalIgnoreCase));

    private void InvokeInBackground(LoadedFunction function) =>
        Track(_timers[function.Name].InvokeNowAsync(isPastDue: false, _stopping.Token));

    private void Track(Task task)
    {
        lock (_background)
        {
            _background.RemoveAll(t => t.IsCompleted);
            _background.Add(task);
        }
        task.ContinueWith(t => _output.Write($"[host] {t.Exception!.GetBaseException().Message}"),
            CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
    }

    private async Task WatchWorkerExitAsync(WorkerProcess worker)
    {
        await worker.Exited;
        var reason = $"The worker process exited with code {worker.ExitCode}.";
        _output.Write("[host] " + reason);
        _channel.Close(new WorkerGoneException(reason));
    }

    private async Task WaitUntilListeningAsync(Uri endpoint, CancellationToken ct)
    {
        while (true)
        {
            if (_channel.Closed.IsCompleted) throw new WorkerGoneException("The worker has gone.");
            using var probe = new TcpClient();
            try
            {
                await probe.ConnectAsync(endpoint.Host, endpoint.Port, ct);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50, ct);
            }
        }
    }

    private static async Task<T> Step<T>(Task<T> task, string what, CancellationToken ct)
    {
        await Step((Task)task, what, ct);
        return await task;
    }

    private static async Task Step(Task task, string what, CancellationToken ct)
    {
        try
        {
            await task.WaitAsync(StepTimeout, ct);
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"The worker did not {what} within {StepTimeout.TotalSeconds:0} s.");
        }
        catch (WorkerGoneException ex)
        {
            throw new InvalidOperationException($"The worker did not {what}: {ex.Message}", ex);
        }
    }

    private static void ThrowIfFailed(StatusResult? result, string what)
    {
        if (result?.Status == StatusResult.Types.Status.Success) return;
        throw new InvalidOperationException(
            $"The worker failed to {what}: {result?.Result} {WorkerChannel.Describe(result?.Exception)}".TrimEnd());
    }

    private static Task[] Snapshot(List<Task> tasks)
    {
        lock (tasks) return tasks.ToArray();
    }

    private static async Task WaitQuietly(Task task, TimeSpan timeout)
    {
        try { await task.WaitAsync(timeout); }
        catch (Exception) { /* stopping: outcomes were logged as they happened */ }
    }

    private static async Task StopQuietly(WebApplication server)
    {
        await WaitQuietly(server.StopAsync(), WorkerProcess.GracePeriod);
        await server.DisposeAsync();
    }
}
