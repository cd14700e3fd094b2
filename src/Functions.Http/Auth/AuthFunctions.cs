using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TravelFunctions.Data.Users;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Auth;

public sealed record TokenRequest(string? Email, string? Password);
public sealed record RefreshRequest(string? RefreshToken);

public sealed class AuthFunctions(UserStore users, RefreshSessionStore sessions, AuthThrottleStore throttle, TokenIssuer tokens,
    IPasswordHasher<PasswordOwner> hasher, IOptions<AuthOptions> options, ClientAddress clients, SecurityEvents security, TimeProvider clock)
{
    /// <summary>Bodies of the credential functions: a few KiB is far more than their fields allow.</summary>
    public const int BodyLimit = 4 * 1024;

    // One answer for every refusal (unknown email, wrong password, throttled, inactive account), so none tells them apart.
    private const string BadCredentials = "The email or password is incorrect, or the account is locked.";

    /// <summary>
    /// Email and password → token pair. Before any password is checked the attempt is counted and may be refused
    /// (login throttling, docs/security.md); every path verifies one hash, so all refusals cost the same.
    /// </summary>
    [Function("IssueToken")]
    [AllowAnonymous, EnableRateLimiting(AuthRateLimiter.PolicyName), RequestSizeLimit(BodyLimit)]
    public async Task<Results<Ok<TokenPair>, ProblemHttpResult, ValidationProblem>> IssueToken(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/token")] HttpRequest req, [JsonBody] TokenRequest request)
    {
        var ct = req.HttpContext.RequestAborted;
        var email = request.Email!.Trim();
        var client = clients.Of(req.HttpContext);
        var normalized = email.ToLowerInvariant();
        var account = AuthThrottleStore.Key("account", normalized);
        var pair = AuthThrottleStore.Key("pair", normalized + "\n" + client);
        // Counted by email, whether or not an account uses it: throttling says nothing about which emails exist.
        var gate = await throttle.BeginLoginAsync(account, pair, clock.GetUtcNow(), options.Value.LoginPolicy(), ct);
        if (gate != LoginGate.Allowed)
        {
            DummyHash.Verify(hasher, request.Password!);
            security.LoginThrottled(SecurityEvents.EmailTag(email), client, gate == LoginGate.ClientThrottled ? "client backoff" : "account throttle");
            return Problems.Unauthorized(BadCredentials);
        }

        var login = await users.FindForLoginAsync(email, ct);
        if (login is null || login.Status != "active")
        {
            DummyHash.Verify(hasher, request.Password!);
            security.LoginFailed(SecurityEvents.EmailTag(email), client, login is null ? "unknown email" : "inactive account");
            return Problems.Unauthorized(BadCredentials);
        }
        var verdict = hasher.VerifyHashedPassword(PasswordOwner.Instance, login.PasswordHash, request.Password!);
        if (verdict == PasswordVerificationResult.Failed)
        {
            security.LoginFailed(SecurityEvents.EmailTag(email), client, "wrong password");
            return Problems.Unauthorized(BadCredentials);
        }
        await throttle.SucceededAsync(account, pair, ct);
        var rehash = verdict == PasswordVerificationResult.SuccessRehashNeeded
            ? hasher.HashPassword(PasswordOwner.Instance, request.Password!) : null;
        await users.RecordLoginAsync(login.Id, rehash, ct);

        var (refresh, hash) = TokenIssuer.NewRefreshToken();
        var family = await sessions.StartAsync(login.Id, hash, tokens.RefreshLifetime, ct);
        return TypedResults.Ok(tokens.CreatePair(login.Id, family, refresh));
    }

    [Function("RefreshToken")]
    [AllowAnonymous, EnableRateLimiting(AuthRateLimiter.PolicyName), RequestSizeLimit(BodyLimit)]
    public async Task<Results<Ok<TokenPair>, ProblemHttpResult, ValidationProblem>> Refresh(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/refresh")] HttpRequest req, [JsonBody] RefreshRequest request)
    {
        var (refresh, hash) = TokenIssuer.NewRefreshToken();
        var outcome = await sessions.RotateAsync(TokenIssuer.HashRefreshToken(request.RefreshToken!), hash, tokens.RefreshLifetime,
            req.HttpContext.RequestAborted);
        if (outcome is RefreshOutcome.Rotated rotated) return TypedResults.Ok(tokens.CreatePair(rotated.UserId, rotated.FamilyId, refresh));
        if (outcome is RefreshOutcome.ReuseDetected reuse) security.RefreshReuse(reuse.UserId, reuse.FamilyId, clients.Of(req.HttpContext));
        return Problems.Unauthorized("The refresh token is invalid, expired or revoked. Sign in again.");
    }

    /// <summary>Signs out: the refresh tokens of the sign-in the access token came from stop working.</summary>
    [Function("Logout")]
    public async Task<NoContent> Logout(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/logout")] HttpRequest req)
    {
        var userId = req.UserId();
        // Every user token carries its family (TokenIssuer.CreateUserToken).
        if (Guid.TryParse(req.HttpContext.User.FindFirst(TokenKinds.SessionClaim)?.Value, out var family))
            security.Logout(userId, family, await sessions.RevokeFamilyAsync(userId, family, req.HttpContext.RequestAborted));
        return TypedResults.NoContent();
    }

    private static class DummyHash
    {
        private static string? _value;

        // Made by the same hasher (same iteration count) so verifying it costs what a real check costs.
        public static void Verify(IPasswordHasher<PasswordOwner> hasher, string password) =>
            hasher.VerifyHashedPassword(PasswordOwner.Instance, _value ??= hasher.HashPassword(PasswordOwner.Instance, Guid.NewGuid().ToString()), password);
    }
}

public sealed class TokenRequestValidator : AbstractValidator<TokenRequest>
{
    public TokenRequestValidator()
    {
        RuleFor(r => r.Email).NotEmpty().MaximumLength(254);
        RuleFor(r => r.Password).NotEmpty().MaximumLength(256);
    }
}

public sealed class RefreshRequestValidator : AbstractValidator<RefreshRequest>
{
    public RefreshRequestValidator() => RuleFor(r => r.RefreshToken).NotEmpty().MaximumLength(200);
}
