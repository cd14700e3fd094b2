using System.Collections.Concurrent;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Middleware;
using TravelFunctions.Http.Auth;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// Who may call a function, from the standard ASP.NET Core attributes on its method: <c>[AllowAnonymous]</c>,
/// <c>[Authorize(Policy = …)]</c>, and otherwise the fallback policy (an authenticated caller), so a function
/// that forgot its attribute is closed, not open. <c>[EnableRateLimiting]</c> puts it behind the credential
/// endpoints' limiter. Evaluated with ASP.NET Core's own policy evaluator, as its authorization middleware does.
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
        if (access.RateLimited && await limiter.RejectAsync(http) is { } tooMany)
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
            if (authorization.Challenged)
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

    private async Task<FunctionAccess> AccessOf(FunctionDefinition function)
    {
        var method = FunctionMethods.Of(function);
        var attributes = method.GetCustomAttributes(inherit: true).Concat(method.DeclaringType!.GetCustomAttributes(inherit: true)).ToList();
        var rateLimited = attributes.OfType<EnableRateLimitingAttribute>().Any(a => a.PolicyName == AuthRateLimiter.PolicyName);
        if (attributes.OfType<IAllowAnonymous>().Any()) return new FunctionAccess(null, rateLimited);
        var policy = await AuthorizationPolicy.CombineAsync(policies, attributes.OfType<IAuthorizeData>())
            ?? await policies.GetFallbackPolicyAsync()
            ?? throw new InvalidOperationException("No fallback authorization policy is configured.");
        return new FunctionAccess(policy, rateLimited);
    }

    private sealed record FunctionAccess(AuthorizationPolicy? Policy, bool RateLimited);
}
