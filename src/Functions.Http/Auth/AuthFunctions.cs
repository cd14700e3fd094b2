using FluentValidation;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Users;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Auth;

public sealed record TokenRequest(string? Email, string? Password);
public sealed record RefreshRequest(string? RefreshToken);

[AllowAnonymous, EnableRateLimiting(AuthRateLimiter.PolicyName)]
public sealed class AuthFunctions(UserStore users, RefreshSessionStore sessions, TokenIssuer tokens,
    IPasswordHasher<PasswordOwner> hasher, TimeProvider clock)
{
    private const int LockoutThreshold = 5;
    private static readonly TimeSpan LockoutDuration = TimeSpan.FromMinutes(15);
    private const string BadCredentials = "The email or password is incorrect, or the account is locked.";

    [Function("IssueToken")]
    public async Task<Results<Ok<TokenPair>, ProblemHttpResult, ValidationProblem>> IssueToken(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/token")] HttpRequest req, [JsonBody] TokenRequest request)
    {
        var ct = req.HttpContext.RequestAborted;
        var login = await users.FindForLoginAsync(request.Email!.Trim(), ct);
        if (login is null)
        {
            // Same work and the same answer as a wrong password, so emails cannot be probed.
            hasher.VerifyHashedPassword(PasswordOwner.Instance, DummyHash.For(hasher), request.Password!);
            return Problems.Unauthorized(BadCredentials);
        }
        if (login.Status != "active" || login.LockedUntil > clock.GetUtcNow())
            return Problems.Unauthorized(BadCredentials);

        var verdict = hasher.VerifyHashedPassword(PasswordOwner.Instance, login.PasswordHash, request.Password!);
        if (verdict == PasswordVerificationResult.Failed)
        {
            await users.RecordFailedLoginAsync(login.Id, LockoutThreshold, LockoutDuration, ct);
            return Problems.Unauthorized(BadCredentials);
        }
        var rehash = verdict == PasswordVerificationResult.SuccessRehashNeeded
            ? hasher.HashPassword(PasswordOwner.Instance, request.Password!) : null;
        await users.RecordLoginAsync(login.Id, rehash, ct);

        var (refresh, hash) = TokenIssuer.NewRefreshToken();
        await sessions.StartAsync(login.Id, hash, tokens.RefreshLifetime, ct);
        return TypedResults.Ok(tokens.CreatePair(login.Id, refresh));
    }

    [Function("RefreshToken")]
    public async Task<Results<Ok<TokenPair>, ProblemHttpResult, ValidationProblem>> Refresh(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "auth/refresh")] HttpRequest req, [JsonBody] RefreshRequest request)
    {
        var (refresh, hash) = TokenIssuer.NewRefreshToken();
        return await sessions.RotateAsync(TokenIssuer.HashRefreshToken(request.RefreshToken!), hash, tokens.RefreshLifetime,
            req.HttpContext.RequestAborted) is RefreshOutcome.Rotated rotated
            ? TypedResults.Ok(tokens.CreatePair(rotated.UserId, refresh))
            : Problems.Unauthorized("The refresh token is invalid, expired or revoked. Sign in again.");
    }

    private static class DummyHash
    {
        private static string? _value;
        // Made by the same hasher (same iteration count) so verifying it costs what a real check costs.
        public static string For(IPasswordHasher<PasswordOwner> hasher) =>
            _value ??= hasher.HashPassword(PasswordOwner.Instance, Guid.NewGuid().ToString());
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
