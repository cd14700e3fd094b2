using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using TravelFunctions.Data.Users;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Auth;

public static class AuthExtensions
{
    public static IServiceCollection AddTokenAuth(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<JwtOptions>().Bind(config.GetSection(JwtOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<JwtOptions>, JwtOptionsValidator>();
        services.AddOptions<AuthOptions>().Bind(config.GetSection(AuthOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddOptions<PasswordHasherOptions>().Configure<IOptions<AuthOptions>>((hasher, auth) =>
            hasher.IterationCount = auth.Value.PasswordHashIterations);
        services.AddJsonContracts(AuthJson.Default);
        services.AddSingleton<TokenIssuer>();
        services.AddSingleton<AuthRateLimiter>();
        services.AddSingleton<ClientAddress>();
        services.AddSingleton<AuthThrottleStore>();
        services.AddSingleton<IPasswordHasher<PasswordOwner>, PasswordHasher<PasswordOwner>>();
        services.AddSingleton<RefreshSessionStore>();
        services.AddSingleton<SecurityEvents>();

        // The authentication core and the JwtBearer handler, not AddAuthentication(): bearer tokens need no data
        // protection, whose hosted service would load (or create) a key ring at every cold start.
        services.AddAuthenticationCore(o => o.DefaultScheme = JwtBearerDefaults.AuthenticationScheme);
        services.AddWebEncoders();
        services.AddSingleton<IAuthenticationConfigurationProvider>(new AuthenticationSection(config));
        new AuthenticationBuilder(services).AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme).Configure<IOptions<JwtOptions>>(Configure);

        // Every function needs a signed-in user unless it says [AllowAnonymous] or names another policy (AccessMiddleware).
        services.AddAuthorizationCore(o => o.FallbackPolicy = UserPolicy);
        services.AddSingleton<IPolicyEvaluator, PolicyEvaluator>();
        return services;
    }

    /// <summary>A user's token (not an agent client's).</summary>
    public static readonly AuthorizationPolicy UserPolicy =
        new AuthorizationPolicyBuilder().RequireAuthenticatedUser().RequireClaim(TokenKinds.Claim, TokenKinds.User).Build();

    private static void Configure(JwtBearerOptions bearer, IOptions<JwtOptions> jwt)
    {
        bearer.MapInboundClaims = false;
        bearer.RequireHttpsMetadata = false; // no metadata is fetched: the API validates the tokens it issued itself
        bearer.TokenValidationParameters = new TokenValidationParameters
        {
            ValidIssuer = jwt.Value.Issuer,
            ValidAudience = jwt.Value.Audience,
            // Key instances made once for the process keep IdentityModel's cached HMAC providers warm. Tokens carry no
            // key id, so each key is tried in turn: the current one first, then the previous one during a rollover.
            IssuerSigningKeys = jwt.Value.ValidationKeys(),
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            ClockSkew = TimeSpan.FromSeconds(30),
            NameClaimType = "sub",
        };
        bearer.Events = new JwtBearerEvents
        {
            // A correctly signed token is still no credential unless its subject is an id and it says whom it is for:
            // 401 here, rather than a failure wherever the id is read.
            OnTokenValidated = context =>
            {
                var principal = context.Principal!;
                if (!Guid.TryParse(principal.FindFirst("sub")?.Value, out _))
                    context.Fail("The token has no valid subject.");
                else if (TokenKinds.Of(principal) is not (TokenKinds.User or TokenKinds.Agent))
                    context.Fail("The token has no valid token type.");
                return Task.CompletedTask;
            },
            OnChallenge = context =>
            {
                context.HandleResponse();
                context.Response.Headers.WWWAuthenticate = "Bearer";
                return WriteProblem(context.HttpContext, 401, "Unauthorized", "A valid bearer token is required (POST /api/auth/token).");
            },
            OnForbidden = context => WriteProblem(context.HttpContext, 403, "Forbidden", "The token does not grant access to this operation."),
        };
    }

    private static Task WriteProblem(HttpContext http, int status, string title, string detail)
    {
        http.Response.StatusCode = status;
        return http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}

/// <summary>What AddAuthentication() would register: JwtBearer reads its "Authentication" configuration section through it.</summary>
internal sealed class AuthenticationSection(IConfiguration config) : IAuthenticationConfigurationProvider
{
    public IConfiguration AuthenticationConfiguration => config.GetSection("Authentication");
}

/// <summary>PasswordHasher's TUser: our hashes do not depend on the user object.</summary>
public sealed class PasswordOwner
{
    public static readonly PasswordOwner Instance = new();
}
