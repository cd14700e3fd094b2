using System.Security.Cryptography;
using System.Text;
using FluentValidation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using TravelFunctions.Http.Auth;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.AgentAuth;

/// <summary>OAuth-style client credentials, as JSON.</summary>
public sealed record AgentTokenRequest(Guid? ClientId, string? ClientSecret);

/// <summary>An access token for the agents' service endpoints; no refresh token (ask again with the secret).</summary>
public sealed record AgentTokenResponse(string AccessToken, string TokenType, int ExpiresIn, string Scope);

public static class AgentTokenEndpoints
{
    private const string BadCredentials = "The client id or secret is incorrect, or the client is disabled.";

    /// <summary>POST /api/auth/agent-token: client credentials → bearer token whose sub is the client id and whose scope is the client's scopes.</summary>
    public static RouteGroupBuilder MapAgentAuth(this RouteGroupBuilder api)
    {
        api.MapPost("/auth/agent-token", IssueAgentToken).WithName("IssueAgentToken").WithTags("Auth")
            .Validate<AgentTokenRequest>().RequireRateLimiting(AuthExtensions.AuthRateLimit).AllowAnonymous();
        return api;
    }

    private static async Task<Results<Ok<AgentTokenResponse>, ProblemHttpResult, ValidationProblem>> IssueAgentToken(
        AgentTokenRequest request, AgentClientStore clients, TokenIssuer tokens, IOptions<JwtOptions> jwt, CancellationToken ct)
    {
        var client = await clients.FindAsync(request.ClientId!.Value, ct);
        // Hash either way: an unknown id costs what a wrong secret costs.
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(request.ClientSecret!));
        if (client is null || client.DisabledAt is not null || !CryptographicOperations.FixedTimeEquals(presented, client.SecretSha256))
            return Problems.Unauthorized(BadCredentials);
        var token = tokens.CreateAccessToken(client.ClientId, client.Scopes.Split(' '));
        return TypedResults.Ok(new AgentTokenResponse(token, "Bearer", jwt.Value.AccessTokenMinutes * 60, client.Scopes));
    }
}

public sealed class AgentTokenRequestValidator : AbstractValidator<AgentTokenRequest>
{
    public AgentTokenRequestValidator()
    {
        RuleFor(r => r.ClientId).NotNull();
        RuleFor(r => r.ClientSecret).NotEmpty().MaximumLength(200);
    }
}
