using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using TravelFunctions.Data.ProviderKeys;
using TravelFunctions.Http.AgentAuth;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.ProviderKeys;

[Authorize(Policy = AgentScopes.ProviderKeysPolicy)]
public sealed class AgentProviderKeyFunctions(ProviderKeyStore store, ILogger<AgentProviderKeyFunctions> log)
{
    /// <summary>
    /// An agent client (token with the agents:provider-keys scope) gets a traveller's key for one call, if the traveller
    /// granted it that service; the use is recorded for the traveller. Any failed check is the same 404.
    /// </summary>
    [Function("UseProviderKey")]
    public async Task<Results<Ok<UseProviderKeyResponse>, ProblemHttpResult, ValidationProblem>> Use(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "agents/provider-keys/use")] HttpRequest req, [JsonBody] UseProviderKeyRequest r)
    {
        var agent = req.UserId();
        // Never cached anywhere: the answer is a credential.
        req.HttpContext.Response.Headers.CacheControl = "no-store";
        switch (await store.UseAsync(agent, r.UserId!.Value, r.Service!, r.Label, req.HttpContext.RequestAborted))
        {
            case KeyUse.Granted g:
                log.LogInformation("Security: agent client {AgentClientId} used provider key {KeyId} ({Service}) of user {UserId}", agent, g.KeyId, g.Service, r.UserId);
                return TypedResults.Ok(new UseProviderKeyResponse(g.KeyId, g.Service, g.Label, g.Secret));
            default:
                return Problems.NotFound("A key this client may use for this user and service");
        }
    }
}
