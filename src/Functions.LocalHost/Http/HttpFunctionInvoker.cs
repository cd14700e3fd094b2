using System.Buffers;
using System.Collections.Frozen;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;
using TravelFunctions.LocalHost.Rpc;
using TravelFunctions.LocalHost.Worker;

namespace TravelFunctions.LocalHost.Http;

/// <summary>Runs an HTTP function as the host does for a worker with ASP.NET Core integration: sends the
/// InvocationRequest over gRPC and, at the same time, forwards the real request (headers, streamed body,
/// same path and query) to the worker's own HTTP endpoint with x-ms-invocation-id, by which the worker
/// pairs the two; then streams the worker's response back.</summary>
internal sealed class HttpFunctionInvoker : IDisposable
{
    // The host sends an empty RpcHttp to a worker that reports HttpUri: the request itself travels over HTTP.
    private static readonly TypedData EmptyHttp = new() { Http = new RpcHttp() };

    private static readonly FrozenSet<string> RequestHeadersNotForwarded = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade", "Expect",
        InvocationIdHeader, "X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host");

    private static readonly FrozenSet<string> ResponseHeadersNotForwarded = FrozenSet.Create(StringComparer.OrdinalIgnoreCase,
        "Connection", "Keep-Alive", "Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade");

    private const string InvocationIdHeader = "x-ms-invocation-id";
    private const int BufferSize = 16 * 1024;

    private readonly WorkerChannel _channel;
    private readonly OutputLog _output;
    private readonly string _workerOrigin;
    private readonly HttpMessageInvoker _client;

    public HttpFunctionInvoker(WorkerChannel channel, Uri workerHttpUri, OutputLog output)
    {
        _channel = channel;
        _output = output;
        _workerOrigin = workerHttpUri.GetLeftPart(UriPartial.Authority);
        // One pooled handler for every request: no proxy, no cookies, no redirects, no decompression, and no
        // trace headers of its own (the front door sets traceparent itself).
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            UseCookies = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            ActivityHeadersPropagator = null,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            ConnectTimeout = TimeSpan.FromSeconds(15),
        };
        _client = new HttpMessageInvoker(new ConnectRetryHandler(handler), disposeHandler: true);
    }

    public async Task InvokeAsync(HttpContext context, LoadedFunction function, RouteValueDictionary routeValues)
    {
        var invocationId = Guid.NewGuid().ToString();
        var headers = context.Request.Headers;
        var incomingTraceParent = headers.TraceParent;
        var traceParent = StringValues.IsNullOrEmpty(incomingTraceParent) ? TraceParent.New() : incomingTraceParent.ToString();

        var request = new InvocationRequest
        {
            InvocationId = invocationId,
            FunctionId = function.FunctionId,
            TraceContext = new RpcTraceContext { TraceParent = traceParent, TraceState = headers.TraceState.ToString() },
        };
        request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = EmptyHttp });
        HttpTriggerMetadata.Add(request.TriggerMetadata, context.Request, routeValues);

        var invocation = new HttpInvocation();
        using var forward = CreateForwardRequest(context, invocationId, StringValues.IsNullOrEmpty(incomingTraceParent) ? traceParent : null);
        using var abortRegistration = context.RequestAborted.UnsafeRegister(static state => ((HttpInvocation)state!).CancelForwarding(), invocation);

        // Forwarding starts before the invocation request goes out, as in the host.
        var sending = _client.SendAsync(forward, invocation.Token);
        _channel.Invoke(request, invocation);

        HttpResponseMessage response;
        try
        {
            response = await sending;
        }
        catch (Exception) when (invocation.HasFailedEarly)
        {
            AnswerFailure(context);
            return;
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            return;
        }
        catch (HttpRequestException ex)
        {
            _output.Write($"[host] Forwarding {context.Request.Method} {context.Request.Path} to the worker failed: {ex.Message}");
            context.Response.StatusCode = StatusCodes.Status502BadGateway;
            return;
        }

        using (response)
        {
            await CopyResponseAsync(context, response, invocation);
        }
    }

    public void Dispose() => _client.Dispose(); // and with it the retry handler and the sockets handler

    /// <summary>The host's answer when the invocation failed: 500 with an empty body.</summary>
    private static void AnswerFailure(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status500InternalServerError;
        context.Response.ContentLength = 0;
    }

    private HttpRequestMessage CreateForwardRequest(HttpContext context, string invocationId, string? generatedTraceParent)
    {
        var incoming = context.Request;
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw[0] == '/'
            ? raw
            : incoming.PathBase.Add(incoming.Path).ToUriComponent() + incoming.QueryString.ToUriComponent();

        var message = new HttpRequestMessage(HttpMethod.Parse(incoming.Method), _workerOrigin + target)
        {
            Version = HttpVersion.Version11,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true)
            message.Content = new RequestBodyContent(incoming.BodyReader);

        foreach (var (name, values) in incoming.Headers)
        {
            if (RequestHeadersNotForwarded.Contains(name)) continue;
            if (values.Count == 1)
            {
                if (!message.Headers.TryAddWithoutValidation(name, values[0])) message.Content?.Headers.TryAddWithoutValidation(name, values[0]);
            }
            else if (!message.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                message.Content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        // What the host (its YARP forwarder) adds.
        var requestHeaders = message.Headers;
        requestHeaders.TryAddWithoutValidation(InvocationIdHeader, invocationId);
        if (context.Connection.RemoteIpAddress is { } client) requestHeaders.TryAddWithoutValidation("X-Forwarded-For", client.ToString());
        requestHeaders.TryAddWithoutValidation("X-Forwarded-Proto", incoming.Scheme);
        if (incoming.Host.HasValue) requestHeaders.TryAddWithoutValidation("X-Forwarded-Host", incoming.Host.Value);
        if (generatedTraceParent is not null) requestHeaders.TryAddWithoutValidation("traceparent", generatedTraceParent);
        return message;
    }

    /// <summary>Streams the worker's response back. The response counts as begun at its first body byte, as
    /// in the host: an empty response (what the worker sends when the function threw) waits for the
    /// invocation's outcome, and a failed invocation is answered 500.</summary>
    private static async Task CopyResponseAsync(HttpContext context, HttpResponseMessage response, HttpInvocation invocation)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            var body = await response.Content.ReadAsStreamAsync(invocation.Token);
            var read = await body.ReadAsync(buffer, invocation.Token);
            if (read == 0 ? !await invocation.OutcomeAsync().WaitAsync(context.RequestAborted) : !invocation.TryStartResponse())
            {
                AnswerFailure(context);
                return;
            }

            var outgoing = context.Response;
            outgoing.StatusCode = (int)response.StatusCode;
            CopyHeaders(response.Headers.NonValidated, outgoing.Headers);
            CopyHeaders(response.Content.Headers.NonValidated, outgoing.Headers);
            while (read > 0)
            {
                await outgoing.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                read = await body.ReadAsync(buffer, invocation.Token);
            }
        }
        catch (Exception) when (invocation.HasFailedEarly && !context.Response.HasStarted)
        {
            AnswerFailure(context);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or HttpRequestException)
        {
            // The client or the worker went away mid-body; the status line may be gone already, so drop the connection.
            context.Abort();
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void CopyHeaders(HttpHeadersNonValidated source, IHeaderDictionary target)
    {
        foreach (var (name, values) in source)
        {
            if (ResponseHeadersNotForwarded.Contains(name)) continue;
            target[name] = values.Count == 1 ? new StringValues(values.ToString()) : new StringValues(ToArray(values));
        }
    }

    private static string[] ToArray(HeaderStringValues values)
    {
        var array = new string[values.Count];
        var i = 0;
        foreach (var value in values) array[i++] = value;
        return array;
    }
}
