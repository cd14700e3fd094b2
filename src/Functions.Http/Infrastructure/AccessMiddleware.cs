using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using TravelFunctions.Http.Auth;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// Who may call a function, from the standard ASP.NET Core attributes on its method: <c>[AllowAnonymous]</c>,
/// <c>[Authorize(Policy = …)]</c>, and otherwise the fallback policy (an authenticated caller), so a function
/// that forgot its attribute is closed, not open. <c>[EnableRateLimiting]</c> puts it behind the credential
/// endpoints' limiter, <c>[RequestSizeLimit]</c> caps the body. Evaluated with ASP.NET Core's own policy evaluator, as its authorization middleware does.
/// </summary>
public sealed class AccessMiddleware(IAuthorizationPolicyProvider policies, IPolicyEvaluator evaluator, AuthRateLimiter limiter)
    : IFunctionsWorkerMiddleware
{
    private readonly ConcurrentDictionary<string, Task<FunctionAccess>> _access = new(StringComparer.Ordinal);

    public async Task Invoke(FunctionContext context, FunctionExecutionDelegate next)
    {
        if (context.GetHttpContext() is not { } http)
        {
            await next(context);
            return;
        }
        var access = await _access.GetOrAdd(context.FunctionId, _ => AccessOf(context.FunctionDefinition));
        if (access.BodyLimit is { } limit && TooLarge(http, limit) is { } tooLarge)
        {
            context.GetInvocationResult().Value = tooLarge;
            return;
        }
        if (access.RateLimit is { } rateLimit && await limiter.RejectAsync(http, context.FunctionDefinition.Name, rateLimit) is { } tooMany)
        {
            context.GetInvocationResult().Value = tooMany;
            return;
        }
        if (access.Policy is { } policy)
        {
            // As the authentication middleware would: the default scheme (JwtBearer) sets the caller, if any.
            var authentication = await http.AuthenticateAsync();
            if (authentication.Succeeded) http.User = authentication.Principal;
            var authorization = await evaluator.AuthorizeAsync(policy, authentication, http, resource: null);
            // A token of the wrong kind (an agent's at a user function, or the reverse) is no credential here: 401, as
            // with no token, rather than 403, which would say the caller is known but lacks a right.
            if (authorization.Challenged || authentication.Succeeded && access.Kinds is { } kinds
                && !kinds.Contains(TokenKinds.Of(authentication.Principal!) ?? "", StringComparer.Ordinal))
            {
                context.GetInvocationResult().Value = TypedResults.Challenge();
                return;
            }
            if (authorization.Forbidden)
            {
                context.GetInvocationResult().Value = TypedResults.Forbid();
                return;
            }
        }
        await next(context);
    }

    /// <summary>
    /// A declared body larger than the function's limit is refused before a byte of it is read; an undeclared
    /// (chunked) one is cut off at the limit by the server, which the problem middleware answers with the same 413.
    /// </summary>
    private static IResult? TooLarge(HttpContext http, long limit)
    {
        if (http.Request.ContentLength > limit) return BodyTooLarge(limit);
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
        return null;
    }

    public static ProblemHttpResult BodyTooLarge(long? limit) => TypedResults.Problem(statusCode: 413, title: "Request body too large",
        detail: limit is { } bytes ? $"This operation takes a body of at most {bytes} bytes." : "The request body is larger than this operation takes.");

    private async Task<FunctionAccess> AccessOf(FunctionDefinition function)
    {
        var method = FunctionMethods.Of(function);
        var attributes = method.GetCustomAttributes(inherit: true).Concat(method.DeclaringType!.GetCustomAttributes(inherit: true)).ToList();
        var rateLimited = attributes.OfType<EnableRateLimitingAttribute>().Select(a => a.PolicyName).FirstOrDefault(AuthRateLimiter.Policies.Contains);
        var bodyLimit = attributes.OfType<IRequestSizeLimitMetadata>().FirstOrDefault()?.MaxRequestBodySize;
        if (attributes.OfType<IAllowAnonymous>().Any()) return new FunctionAccess(null, rateLimited, null, bodyLimit);
        var policy = await AuthorizationPolicy.CombineAsync(policies, attributes.OfType<IAuthorizeData>())
            ?? await policies.GetFallbackPolicyAsync()
            ?? throw new InvalidOperationException("No fallback authorization policy is configured.");
        var kinds = policy.Requirements.OfType<ClaimsAuthorizationRequirement>()
            .Where(r => r.ClaimType == TokenKinds.Claim).SelectMany(r => r.AllowedValues ?? []).ToArray();
        return new FunctionAccess(policy, rateLimited, kinds.Length == 0 ? null : kinds, bodyLimit);
    }

    /// <summary>Kinds: the token_use values the policy accepts (null: any).</summary>
    /// <summary>RateLimit: the limiter policy the function opted into (null: none).</summary>
    private sealed record FunctionAccess(AuthorizationPolicy? Policy, string? RateLimit, string[]? Kinds, long? BodyLimit);
}
