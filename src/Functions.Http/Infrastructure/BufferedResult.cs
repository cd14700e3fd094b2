using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// Writes a function's result into a buffer first and sends it only once it is whole. A result that fails while it
/// is being written (a serializer error, a bug in a custom result) then becomes a logged 500 problem, instead of a 200
/// whose body stops halfway (a cut connection) or an exception the request never hears about. Memory-backed up to
/// <see cref="MemoryThreshold"/>, then a temporary file (the GDPR export can be large).
/// </summary>
public sealed class BufferedResult(IResult inner, string function, ILogger log) : IResult
{
    public const int MemoryThreshold = 8 * 1024 * 1024;

    public async Task ExecuteAsync(HttpContext http)
    {
        var response = http.Response;
        var original = http.Features.Get<IHttpResponseBodyFeature>()!;
        await using var buffer = new FileBufferingWriteStream(MemoryThreshold);
        // No prior feature: starting or completing the buffered body must not start the real response.
        var buffered = new StreamResponseBodyFeature(buffer);
        http.Features.Set<IHttpResponseBodyFeature>(buffered);
        try
        {
            await inner.ExecuteAsync(http);
            await buffered.CompleteAsync();
        }
        catch (Exception ex) when (!response.HasStarted && !http.RequestAborted.IsCancellationRequested)
        {
            http.Features.Set(original);
            log.LogError(ex, "Writing the response of {Function} failed on {Method} {Path}", function, http.Request.Method, http.Request.Path);
            response.Clear();
            await TypedResults.Problem(statusCode: 500, title: "Internal error", detail: "Something went wrong on our side; it has been logged.")
                .ExecuteAsync(http);
            return;
        }
        finally
        {
            http.Features.Set(original);
        }
        if (buffer.Length > 0)
        {
            response.ContentLength ??= buffer.Length;
            await buffer.DrainBufferAsync(original.Stream, http.RequestAborted);
        }
    }
}
