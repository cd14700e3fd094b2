using System.Collections.Concurrent;
using System.Threading.Channels;
using Grpc.Core;
using TravelFunctions.LocalHost.Rpc;
using GrpcException = Grpc.Core.RpcException;
using RpcException = TravelFunctions.LocalHost.Rpc.RpcException;

namespace TravelFunctions.LocalHost.Worker;

/// <summary>The host's side of the one gRPC stream a worker opens: sends requests (serialized through a
/// single writer loop, since a gRPC stream takes one write at a time), and routes each response to
/// whoever waits for it.</summary>
internal sealed class WorkerChannel(string workerId, OutputLog output)
{
    // Writes that can wait for the next one are buffered, so a burst of invocations costs one flush.
    private static readonly WriteOptions Buffered = new(WriteFlags.BufferHint);

    private readonly Channel<StreamingMessage> _outbound = Channel.CreateUnbounded<StreamingMessage>(
        new UnboundedChannelOptions { SingleReader = true, SingleWriter = false });
    private readonly ConcurrentDictionary<string, IPendingInvocation> _invocations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource<FunctionLoadResponse>> _loads = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource _started = NewSource();
    private readonly TaskCompletionSource<WorkerInitResponse> _init = NewSource<WorkerInitResponse>();
    private readonly TaskCompletionSource<FunctionMetadataResponse> _metadata = NewSource<FunctionMetadataResponse>();
    private readonly TaskCompletionSource _closed = NewSource();
    private int _attached;

    public string WorkerId => workerId;

    /// <summary>Which of the worker's logs reach the output (host.json logging.logLevel).</summary>
    public Functions.LogFilter LogFilter { get; set; } = Functions.LogFilter.Default;

    /// <summary>Completes when the worker has opened the stream (StartStream).</summary>
    public Task Started => _started.Task;

    /// <summary>Completes when the stream has ended, for whatever reason.</summary>
    public Task Closed => _closed.Task;

    public bool IsOpen => _started.Task.IsCompleted && !_closed.Task.IsCompleted;

    /// <summary>Runs for the life of the stream; called by the gRPC service.</summary>
    public async Task RunAsync(IAsyncStreamReader<StreamingMessage> requests, IServerStreamWriter<StreamingMessage> responses, CancellationToken ct)
    {
        if (Interlocked.Exchange(ref _attached, 1) == 1)
            throw new GrpcException(new Status(StatusCode.AlreadyExists, "This host serves one worker stream only."));
        Task writing = Task.CompletedTask;
        try
        {
            if (!await requests.MoveNext(ct) || requests.Current.StartStream is not { } start)
                throw new GrpcException(new Status(StatusCode.InvalidArgument, "The first message on the stream must be StartStream."));
            if (start.WorkerId != workerId) output.Write($"[host] The worker started the stream as '{start.WorkerId}', expected '{workerId}'.");
            _started.TrySetResult();

            writing = WriteAllAsync(responses, ct);
            while (await requests.MoveNext(ct)) Dispatch(requests.Current);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException || ex is GrpcException { StatusCode: StatusCode.Cancelled })
        {
            // The worker went away or the host is stopping; Close tells everyone waiting.
        }
        finally
        {
            Close(new WorkerGoneException("The worker closed its gRPC stream."));
            try { await writing; } catch (Exception) { /* the stream is gone; nothing more can be written */ }
        }
    }

    public Task<WorkerInitResponse> InitializeAsync(WorkerInitRequest request)
    {
        Send(new StreamingMessage { WorkerInitRequest = request });
        return _init.Task;
    }

    public Task<FunctionMetadataResponse> GetMetadataAsync(string appDirectory)
    {
        Send(new StreamingMessage { FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = appDirectory } });
        return _metadata.Task;
    }

    public Task<FunctionLoadResponse> LoadAsync(FunctionLoadRequest request)
    {
        var source = _loads.GetOrAdd(request.FunctionId, static _ => NewSource<FunctionLoadResponse>());
        Send(new StreamingMessage { FunctionLoadRequest = request });
        return source.Task;
    }

    /// <summary>Sends an invocation; <paramref name="pending"/> hears its outcome.</summary>
    public void Invoke(InvocationRequest request, IPendingInvocation pending)
    {
        _invocations[request.InvocationId] = pending;
        if (!_outbound.Writer.TryWrite(new StreamingMessage { InvocationRequest = request }))
        {
            _invocations.TryRemove(request.InvocationId, out _);
            pending.Fail(new WorkerGoneException("The worker is not connected."));
        }
    }

    /// <summary>Asks the worker to stop (it answers nothing; it exits).</summary>
    public void Terminate(TimeSpan gracePeriod)
    {
        _outbound.Writer.TryWrite(new StreamingMessage
        {
            WorkerTerminate = new WorkerTerminate { GracePeriod = Google.Protobuf.WellKnownTypes.Duration.FromTimeSpan(gracePeriod) },
        });
    }

    /// <summary>Fails everything still waiting; no more messages go out.</summary>
    public void Close(Exception reason)
    {
        _outbound.Writer.TryComplete();
        _started.TrySetException(reason);
        _init.TrySetException(reason);
        _metadata.TrySetException(reason);
        foreach (var load in _loads.Values) load.TrySetException(reason);
        foreach (var id in _invocations.Keys)
            if (_invocations.TryRemove(id, out var pending)) pending.Fail(reason);
        _closed.TrySetResult();
    }

    private void Send(StreamingMessage message)
    {
        if (!_outbound.Writer.TryWrite(message)) throw new WorkerGoneException("The worker is not connected.");
    }

    private async Task WriteAllAsync(IServerStreamWriter<StreamingMessage> responses, CancellationToken ct)
    {
        var reader = _outbound.Reader;
        while (await reader.WaitToReadAsync(ct))
        {
            while (reader.TryRead(out var message))
            {
                responses.WriteOptions = reader.TryPeek(out _) ? Buffered : null;
                await responses.WriteAsync(message, ct);
            }
        }
    }

    private void Dispatch(StreamingMessage message)
    {
        switch (message.ContentCase)
        {
            case StreamingMessage.ContentOneofCase.InvocationResponse:
                var response = message.InvocationResponse;
                if (_invocations.TryRemove(response.InvocationId, out var pending)) pending.Complete(response);
                break;
            case StreamingMessage.ContentOneofCase.RpcLog:
                var log = message.RpcLog;
                if (LogFilter.IsEnabled(log.Category, log.Level)) output.Write(Format(log));
                break;
            case StreamingMessage.ContentOneofCase.WorkerInitResponse:
                _init.TrySetResult(message.WorkerInitResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionMetadataResponse:
                _metadata.TrySetResult(message.FunctionMetadataResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponse:
                CompleteLoad(message.FunctionLoadResponse);
                break;
            case StreamingMessage.ContentOneofCase.FunctionLoadResponseCollection:
                foreach (var load in message.FunctionLoadResponseCollection.FunctionLoadResponses) CompleteLoad(load);
                break;
        }
    }

    private void CompleteLoad(FunctionLoadResponse response) =>
        _loads.GetOrAdd(response.FunctionId, static _ => NewSource<FunctionLoadResponse>()).TrySetResult(response);

    private static string Format(RpcLog log)
    {
        var line = $"[{log.Level}] {log.Category}: {log.Message}";
        return log.Exception is { } exception ? line + Environment.NewLine + Describe(exception) : line;
    }

    public static string Describe(RpcException? exception) => exception is null
        ? "(no exception)"
        : $"{exception.Type}{(exception.Type.Length > 0 ? ": " : "")}{exception.Message}{(exception.StackTrace.Length > 0 ? Environment.NewLine + exception.StackTrace : "")}";

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
    private static TaskCompletionSource<T> NewSource<T>() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>Someone waiting for an invocation's response.</summary>
internal interface IPendingInvocation
{
    void Complete(InvocationResponse response);
    void Fail(Exception reason);
}

internal sealed class WorkerGoneException(string message) : Exception(message);
