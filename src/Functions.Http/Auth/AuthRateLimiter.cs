using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace TravelFunctions.Http.Auth;

/// <summary>
/// The credential functions (register, token, refresh, agent token) are the brute-force target: a fixed window
/// of <c>Auth__PermitsPerMinute</c> requests per client address. Functions opt in with
/// <c>[EnableRateLimiting(AuthRateLimiter.PolicyName)]</c>.
/// </summary>
public sealed class AuthRateLimiter(IOptions<AuthOptions> options) : IAsyncDisposable
{
    public const string PolicyName = "auth";

    private readonly PartitionedRateLimiter<HttpContext> _limiter = PartitionedRateLimiter.Create<HttpContext, string>(http =>
        RateLimitPartition.GetFixedWindowLimiter(ClientAddress(http), _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.PermitsPerMinute,
            Window = TimeSpan.FromMinutes(1),
            QueueLimit = 0,
        }));

    /// <summary>Null when the request may go on; otherwise the 429 to answer.</summary>
    public async ValueTask<IResult?> RejectAsync(HttpContext http)
    {
        using var lease = await _limiter.AcquireAsync(http, 1, http.RequestAborted);
        if (lease.IsAcquired) return null;
        http.Response.Headers.RetryAfter = "60";
        return TypedResults.Problem(statusCode: 429, title: "Too many requests", detail: "Too many attempts from this address. Retry in a minute.");
    }

    // The ASP.NET Core integration applies the X-Forwarded-For hop the Functions host appended (its forwarded-headers
    // middleware trusts loopback only), so this is the address the host saw, never an entry the client wrote.
    private static string ClientAddress(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public ValueTask DisposeAsync() => _limiter.DisposeAsync();
}
