using System.IO.Pipelines;
using System.Net;

namespace TravelFunctions.LocalHost.Http;

/// <summary>The incoming request body, passed on to the worker as it arrives: each read is written and
/// flushed (HttpClient would otherwise hold a chunked body in its buffer). Disposing it leaves the
/// incoming body alone: Kestrel owns that.</summary>
internal sealed class RequestBodyContent(PipeReader body) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await body.ReadAsync(cancellationToken);
            foreach (var segment in read.Buffer) await stream.WriteAsync(segment, cancellationToken);
            body.AdvanceTo(read.Buffer.End);
            if (read.IsCompleted) return;
            await stream.FlushAsync(cancellationToken);
        }
    }

    // Unknown: the Content-Length header copied from the request says it when the client said it; else chunked.
    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }
}
