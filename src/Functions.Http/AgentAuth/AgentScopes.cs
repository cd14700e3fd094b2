using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using TravelFunctions.Http.Auth;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.AgentAuth;

/// <summary>
/// Scopes an agent client's token carries (space-separated in its `scope` claim), and the authorization
/// policies of the service functions. A user's token is not an agent token, so it gets 401 there, as no token does;
/// an agent token without the scope, 403.
/// </summary>
public static class AgentScopes
{
    public const string Logs = "agents:logs";
    public const string SearchCache = "agents:search-cache";
    /// <summary>Posting agent, system and tool messages into users' conversations.</summary>
    public const string Chat = "agents:chat";
    /// <summary>Using travellers' own provider keys they granted the client (docs/security.md).</summary>
    public const string ProviderKeys = "agents:provider-keys";
    /// <summary>Importing the destination catalog (docs/places.md).</summary>
    public const string Catalog = "agents:catalog";
    /// <summary>Recording exchange rates, which trips total their spending with.</summary>
    public const string ExchangeRates = "agents:exchange-rates";
    /// <summary>Delivering notifications: pending ones with the user's address, and each outcome.</summary>
    public const string Notifications = "agents:notifications";
    /// <summary>Planning agents: claiming, heartbeating, completing and failing AI planning jobs, and reading feedback on their own outputs.</summary>
    public const string Planning = "agents:planning";

    public const string LogsPolicy = "agent-logs";
    public const string SearchCachePolicy = "agent-search-cache";
    /// <summary>A user (their own conversations, user messages only) or an agent with <see cref="Chat"/>.</summary>
    public const string ChatPolicy = "user-or-chat-agent";
    public const string ProviderKeysPolicy = "agent-provider-keys";
    public const string CatalogPolicy = "agent-catalog";
    public const string ExchangeRatesPolicy = "agent-exchange-rates";
    public const string NotificationsPolicy = "agent-notifications";
    public const string PlanningPolicy = "agent-planning";
    /// <summary>Any signed-in caller, a user or an agent client whatever its scopes: reads of shared data (the catalog).</summary>
    public const string UserOrAgentPolicy = "user-or-agent";

    public static IServiceCollection AddAgentAuth(this IServiceCollection services)
    {
        services.AddJsonContracts(AgentAuthJson.Default).AddSingleton<AgentClientStore>();
        services.AddAuthorizationBuilder()
            .AddPolicy(LogsPolicy, p => Agent(p).RequireAssertion(c => Has(c.User, Logs)))
            .AddPolicy(SearchCachePolicy, p => Agent(p).RequireAssertion(c => Has(c.User, SearchCache)))
            .AddPolicy(ProviderKeysPolicy, p => Agent(p).RequireAssertion(c => Has(c.User, ProviderKeys)))
            .AddPolicy(CatalogPolicy, p => Agent(p).RequireAssertion(c => Has(c.User, Catalog)))
            .AddPolicy(ExchangeRatesPolicy, p => Agent(p).RequireAssertion(c => Has(c.User, ExchangeRates)))
            .AddPolicy(NotificationsPolicy, p => Agent(p).RequireAssertion(c => Has(c.User, Notifications)))
            .AddPolicy(PlanningPolicy, p => Agent(p).RequireAssertion(c => Has(c.User, Planning)))
            .AddPolicy(ChatPolicy, p => p.RequireAuthenticatedUser().RequireClaim(TokenKinds.Claim, TokenKinds.User, TokenKinds.Agent)
                .RequireAssertion(c => TokenKinds.Of(c.User) == TokenKinds.User || Has(c.User, Chat)))
            .AddPolicy(UserOrAgentPolicy, p => p.RequireAuthenticatedUser().RequireClaim(TokenKinds.Claim, TokenKinds.User, TokenKinds.Agent));
        return services;
    }

    /// <summary>An agent client's token: a user token is no credential here, whatever its claims.</summary>
    private static AuthorizationPolicyBuilder Agent(AuthorizationPolicyBuilder policy) =>
        policy.RequireAuthenticatedUser().RequireClaim(TokenKinds.Claim, TokenKinds.Agent);

    public static bool Has(ClaimsPrincipal user, string scope) =>
        user.FindAll("scope").Any(c => c.Value.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains(scope, StringComparer.Ordinal));
}
