using System.Net;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Platform;

public sealed class ConsoleTelemetryFixture : ApiFixture
{
    protected override IDictionary<string, string> ExtraSettings => new Dictionary<string, string> { ["Telemetry__Console"] = "true" };
}

/// <summary>OpenTelemetry from the worker: locally to the console (Azure Monitor in Azure uses the same pipeline).</summary>
public sealed class TelemetryTests(ConsoleTelemetryFixture api) : IClassFixture<ConsoleTelemetryFixture>
{
    [Fact]
    public async Task A_request_leaves_the_invocation_and_its_database_spans_in_one_trace()
    {
        var traceId = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/health");
        request.Headers.Add("traceparent", $"00-{traceId}-{Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8))}-01");
        await (await api.Anonymous().SendAsync(request)).EnsureStatusAsync(HttpStatusCode.OK);

        // The console exporter writes each span when it ends; give the batch a moment to be printed.
        var deadline = DateTime.UtcNow.AddSeconds(20);
        string output;
        do
        {
            output = api.Host.Output;
            if (Spans(output, traceId).Count(s => s.Contains("Npgsql", StringComparison.Ordinal)) > 0
                && Spans(output, traceId).Any(s => s.Contains("Microsoft.Azure.Functions.Worker", StringComparison.Ordinal))) return;
            await Task.Delay(200);
        } while (DateTime.UtcNow < deadline);
        Assert.Fail($"No worker invocation span and Npgsql span with trace id {traceId} in the worker's console output:\n{output[^Math.Min(output.Length, 4000)..]}");
    }

    /// <summary>The console exporter's blocks (one per span) that carry the trace id.</summary>
    private static IEnumerable<string> Spans(string output, string traceId) =>
        output.Split("Activity.TraceId:", StringSplitOptions.None).Where(block => block.TrimStart().StartsWith(traceId, StringComparison.Ordinal));
}
