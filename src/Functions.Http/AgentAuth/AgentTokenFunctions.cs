using System.Security.Cryptography;
using System.Text;
using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TravelFunctions.Http.Auth;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.AgentAuth;

/// <summary>OAuth-style client credentials, as JSON.</summary>
public sealed record AgentTokenRequest(Guid? ClientId, string? ClientSecret);

/// <summary>An access token for the agents' service functions; no refresh token (ask again with the secret).</summary>
public sealed record AgentTokenResponse(string AccessToken, string TokenType, int ExpiresIn, string Scope);

public sealed class AgentTokenFunctions(AgentClientStore clients, TokenIssuer tokens, IOptions<JwtOptions> jwt,
    ClientAddress addresses, SecurityEvents security)
{
    private const string BadCredentials = "The client id or secret is incorrect, or the client is disabled.";

    /// <summary>Client credentials → bearer token whose sub is the client id and whose scope is the client's scopes.</summary>
    [Function("IssueAgentToken")]
    [AllowAnonymous, EnableRateLimiting(AuthRateLimiter.PolicyName), RequestSizeLimit(AuthFunctions.BodyLimit)]
    public async Task<Results<Ok<AgentTokenResponse>, ProblemHttpResult, ValidationProblem>> Issue(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/agent-token")] HttpRequest req, [JsonBody] AgentTokenRequest r)
    {
        var client = await clients.FindAsync(r.ClientId!.Value, req.HttpContext.RequestAborted);
        // Hash either way: an unknown id costs what a wrong secret costs.
        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(r.ClientSecret!));
        if (client is null || client.DisabledAt is not null || !CryptographicOperations.FixedTimeEquals(presented, client.SecretSha256))
        {
            security.AgentTokenRefused(r.ClientId.Value, addresses.Of(req.HttpContext));
            return Problems.Unauthorized(BadCredentials);
        }
        var token = tokens.CreateAgentToken(client.ClientId, client.Scopes.Split(' '));
        security.AgentTokenIssued(client.ClientId, client.Scopes, addresses.Of(req.HttpContext));
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
