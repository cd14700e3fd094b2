using System.Security.Claims;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TravelFunctions.Http.Auth;

/// <summary>
/// Validates the API's own HS256 bearer tokens with JsonWebTokenHandler. (The JwtBearer package cannot be
/// restored from our registry: its OpenIdConnect dependency is missing there; we need none of OIDC anyway.)
/// </summary>
public sealed class BearerTokenHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options, ILoggerFactory logger, UrlEncoder encoder,
    BearerTokenValidation validation) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "Bearer";
    private static readonly JsonWebTokenHandler Tokens = new() { MapInboundClaims = false };

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        string? header = Request.Headers.Authorization;
        if (string.IsNullOrEmpty(header) || !header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            return AuthenticateResult.NoResult();
        var result = await Tokens.ValidateTokenAsync(header["Bearer ".Length..].Trim(), validation.Parameters);
        if (!result.IsValid)
            return AuthenticateResult.Fail("The bearer token is invalid or expired.");
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(result.ClaimsIdentity), SchemeName));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.Headers.WWWAuthenticate = "Bearer";
        return WriteProblem(401, "Unauthorized", "A valid bearer token is required (POST /api/auth/token).");
    }

    protected override Task HandleForbiddenAsync(AuthenticationProperties properties) =>
        WriteProblem(403, "Forbidden", "The token does not grant access to this operation.");

    private Task WriteProblem(int status, string title, string detail)
    {
        Response.StatusCode = status;
        return Context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = Context,
            ProblemDetails = { Status = status, Title = title, Detail = detail },
        }).AsTask();
    }
}

/// <summary>
/// The validation parameters, built once: one signing-key instance for the process lets the
/// IdentityModel crypto provider cache stay warm (a new key per request costs a new HMAC provider).
/// </summary>
public sealed class BearerTokenValidation(IOptions<JwtOptions> jwt)
{
    public TokenValidationParameters Parameters { get; } = new()
    {
        ValidIssuer = jwt.Value.Issuer,
        ValidAudience = jwt.Value.Audience,
        IssuerSigningKey = jwt.Value.Key(),
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        ClockSkew = TimeSpan.FromSeconds(30),
        NameClaimType = "sub",
    };
}
