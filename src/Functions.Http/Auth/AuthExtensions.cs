using System.Threading.RateLimiting;
using FluentValidation;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using TravelFunctions.Data.Users;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Auth;

public static class AuthExtensions
{
    public const string AuthRateLimit = "auth";

    public static IServiceCollection AddTokenAuth(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<JwtOptions>().Bind(config.GetSection(JwtOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        services.AddJsonContracts(AuthJson.Default);
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<BearerTokenValidation>();
        services.AddSingleton<IPasswordHasher<PasswordOwner>, PasswordHasher<PasswordOwner>>();
        services.AddSingleton<RefreshSessionStore>();
        services.AddSingleton<IValidator<TokenRequest>, TokenRequestValidator>();
        services.AddSingleton<IValidator<RefreshRequest>, RefreshRequestValidator>();

        // The authentication core, not AddAuthentication(): bearer tokens need no data protection, whose hosted
        // service would load (or create) a key ring at every cold start.
        services.AddAuthenticationCore(o =>
        {
            o.DefaultScheme = BearerTokenHandler.SchemeName;
            o.AddScheme<BearerTokenHandler>(BearerTokenHandler.SchemeName, null);
        });
        services.AddWebEncoders();
        services.AddTransient<BearerTokenHandler>();
        services.AddAuthorization();

        // Credential endpoints are the brute-force target: a fixed window per client address.
        var permits = config.GetValue("Auth:PermitsPerMinute", 20);
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = async (ctx, ct) =>
            {
                ctx.HttpContext.Response.Headers.RetryAfter = "60";
                await ctx.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = ctx.HttpContext,
                    ProblemDetails = { Status = 429, Title = "Too many requests", Detail = "Too many attempts from this address. Retry in a minute." },
                });
            };
            o.AddPolicy(AuthRateLimit, http => RateLimitPartition.GetFixedWindowLimiter(
                ClientAddress(http),
                _ => new FixedWindowRateLimiterOptions { PermitLimit = permits, Window = TimeSpan.FromMinutes(1), QueueLimit = 0 }));
        });
        return services;
    }

    // Behind the Functions host the caller's address arrives in X-Forwarded-For (first hop).
    private static string ClientAddress(HttpContext http) =>
        http.Request.Headers["X-Forwarded-For"].FirstOrDefault()?.Split(',')[0].Trim() is { Length: > 0 } forwarded
            ? forwarded
            : http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}

/// <summary>PasswordHasher's TUser: our hashes do not depend on the user object.</summary>
public sealed class PasswordOwner
{
    public static readonly PasswordOwner Instance = new();
}
