using Microsoft.Extensions.Options;
using TravelFunctions.Data.Users;

namespace TravelFunctions.Http.Auth;

/// <summary>
/// The credential functions (register, token, refresh, agent token) are the brute-force target: a fixed window
/// of <c>Auth__PermitsPerMinute</c> requests per client address (<see cref="ClientAddress"/>), counted in
/// PostgreSQL so the limit holds however many instances serve the app. Functions opt in with
/// <c>[EnableRateLimiting(AuthRateLimiter.PolicyName)]</c>. The anonymous shared-trip view
/// (<see cref="SharedPolicyName"/>) has the same allowance, counted in its own window, so reading shared trips never
/// uses up an address's login attempts.
/// </summary>
public sealed class AuthRateLimiter(AuthThrottleStore store, ClientAddress clients, IOptions<AuthOptions> options,
    SecurityEvents security, TimeProvider clock)
{
    public const string PolicyName = "auth";
    public const string SharedPolicyName = "shared";
    public static readonly string[] Policies = [PolicyName, SharedPolicyName];
    private static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    /// <summary>Null when the request may go on; otherwise the 429 to answer.</summary>
    public async ValueTask<IResult?> RejectAsync(HttpContext http, string function, string policy)
    {
        var client = clients.Of(http);
        var now = clock.GetUtcNow();
        var key = policy == PolicyName ? AuthThrottleStore.Key("address", client) : AuthThrottleStore.Key(policy + "-address", client);
        var window = await store.HitAsync(key, now, Window, http.RequestAborted);
        if (window.Hits <= options.Value.PermitsPerMinute) return null;
        security.RateLimited(function, client);
        var wait = (long)Math.Ceiling((window.WindowEnds - now).TotalSeconds);
        http.Response.Headers.RetryAfter = Math.Max(1, wait).ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: 429, title: "Too many requests", detail: "Too many requests from this address. Retry in a minute.");
    }
}
