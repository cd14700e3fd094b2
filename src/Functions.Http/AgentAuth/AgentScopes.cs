using System.Security.Claims;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.AgentAuth;

/// <summary>
/// Scopes an agent client's token carries (space-separated in its `scope` claim), and the authorization
/// policies of the service functions. A user's token carries no scope, so it gets 403 there; no token, 401.
/// </summary>
public static class AgentScopes
{
    public const string Logs = "agents:logs";
    public const string SearchCache = "agents:search-cache";
    public const string Catalog = "agents:catalog";

    public const string LogsPolicy = "agent-logs";
    public const string SearchCachePolicy = "agent-search-cache";
    public const string CatalogPolicy = "agent-catalog";

    public static IServiceCollection AddAgentAuth(this IServiceCollection services)
    {
        services.AddJsonContracts(AgentAuthJson.Default).AddSingleton<AgentClientStore>();
        services.AddAuthorizationBuilder()
            .AddPolicy(LogsPolicy, p => p.RequireAuthenticatedUser().RequireAssertion(c => Has(c.User, Logs)))
            .AddPolicy(SearchCachePolicy, p => p.RequireAuthenticatedUser().RequireAssertion(c => Has(c.User, SearchCache)))
            .AddPolicy(CatalogPolicy, p => p.RequireAuthenticatedUser().RequireAssertion(c => Has(c.User, Catalog)));
        return services;
    }

    public static bool Has(ClaimsPrincipal user, string scope) =>
        user.FindAll("scope").Any(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope, StringComparer.Ordinal));
}
