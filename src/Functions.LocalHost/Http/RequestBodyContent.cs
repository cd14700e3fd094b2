using System.IO.Pipelines;
using System.Net;

namespace TravelFunctions.LocalHost.Http;

/// <summary>The incoming request body, streamed to the worker as it arrives (never buffered). Disposing
/// it leaves the incoming body alone: Kestrel owns that.</summary>
internal sealed class RequestBodyContent(PipeReader body) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        body.CopyToAsync(stream);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        body.CopyToAsync(stream, cancellationToken);

    // Unknown: the Content-Length header copied from the request says it when the client said it; else chunked.
    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
