using System.Net;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;

namespace TravelFunctions.Http.Auth;

/// <summary>
/// The address a request came from, for limits and security logs. The worker's forwarded-headers step has already
/// taken the X-Forwarded-For entry the Functions host appended (the connection it accepted) as the connection's
/// address. What is left of X-Forwarded-For is what came in with the request: entries our own proxies appended
/// (Auth__TrustedProxyHops of them, rightmost) and, left of those, whatever the client wrote, which is never used.
/// </summary>
public sealed class ClientAddress(IOptions<AuthOptions> options)
{
    public string Of(HttpContext http) =>
        Resolve(http.Connection.RemoteIpAddress, http.Request.Headers["X-Forwarded-For"], options.Value.TrustedProxyHops);

    public static string Resolve(IPAddress? connection, StringValues forwardedFor, int trustedHops)
    {
        var fallback = connection is null ? "unknown" : (connection.IsIPv4MappedToIPv6 ? connection.MapToIPv4() : connection).ToString();
        if (trustedHops == 0) return fallback;
        var entries = forwardedFor.SelectMany(v => (v ?? "").Split(',')).Select(e => e.Trim()).Where(e => e.Length > 0).ToList();
        // Fewer entries than trusted proxies: the request did not come through all of them; its own entries are not evidence.
        if (entries.Count < trustedHops) return fallback;
        // The outermost trusted proxy appended the address it accepted the connection from.
        var entry = entries[entries.Count - trustedHops];
        if (IPEndPoint.TryParse(entry, out var endpoint)) return endpoint.Address.ToString();
        return IPAddress.TryParse(entry.Trim('[', ']'), out var address) ? address.ToString() : fallback;
    }
}
