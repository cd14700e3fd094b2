namespace TravelFunctions.LocalHost;

internal static class TraceParent
{
    /// <summary>A new W3C traceparent, 00-{16-byte trace id}-{8-byte span id}-01 (sampled, so the worker's
    /// telemetry records it locally).</summary>
    public static string New() => string.Create(55, 0, static (chars, _) =>
    {
        Span<byte> ids = stackalloc byte[24];
        Random.Shared.NextBytes(ids);
        "00-".CopyTo(chars);
        Convert.TryToHexStringLower(ids[..16], chars[3..35], out _);
        chars[35] = '-';
        Convert.TryToHexStringLower(ids[16..], chars[36..52], out _);
        "-01".CopyTo(chars[52..]);
    });
}
