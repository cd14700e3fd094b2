using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Converters;
using TravelFunctions.Data.Paging;
using TravelFunctions.Data.ProviderKeys;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.ProviderKeys;

/// <summary>A traveller's own provider keys ("bring your own key"), the agents allowed to use them, and every use.</summary>
public sealed class ProviderKeysFunctions(ProviderKeyStore store)
{
    // The short lists here are whole pages (no next cursor): an object, as every other list is, so it can grow fields.
    [Function("ListProviderKeyServices")]
    public async Task<Ok<Page<ProviderServiceResponse>>> Services(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "provider-key-services")] HttpRequest req) =>
        TypedResults.Ok(Whole((await store.ServicesAsync(req.HttpContext.RequestAborted)).Select(ProviderServiceResponse.From)));

    [Function("AddProviderKey")]
    public async Task<Results<Created<ProviderKeyResponse>, ProblemHttpResult, ValidationProblem>> Add(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "users/me/provider-keys")] HttpRequest req, [JsonBody] AddProviderKeyRequest r) =>
        await store.AddAsync(req.UserId(), r.Service!, r.Label!, r.Key!, req.HttpContext.RequestAborted) switch
        {
            KeyCreation.Created c => TypedResults.Created($"/api/users/me/provider-keys/{c.Key.Id}", ProviderKeyResponse.From(c.Key)),
            KeyCreation.Duplicate => Problems.Conflict($"You already have a {r.Service} key labelled '{r.Label}'; delete it first or choose another label."),
            _ => Problems.Invalid("service", ProviderKeyRules.ServiceMessage),
        };

    [Function("ListProviderKeys")]
    public async Task<Ok<Page<ProviderKeyResponse>>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "users/me/provider-keys")] HttpRequest req) =>
        TypedResults.Ok(Whole((await store.ListAsync(req.UserId(), req.HttpContext.RequestAborted)).Select(ProviderKeyResponse.From)));

    [Function("DeleteProviderKey")]
    public async Task<Results<NoContent, ProblemHttpResult>> Delete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "users/me/provider-keys/{keyId}")] HttpRequest req, Guid keyId) =>
        await store.DeleteAsync(req.UserId(), keyId, req.HttpContext.RequestAborted) ? TypedResults.NoContent() : Problems.NotFound("The key");

    [Function("GrantProviderKeys")]
    public async Task<Results<Created<GrantResponse>, Ok<GrantResponse>, ProblemHttpResult, ValidationProblem>> Grant(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "users/me/provider-key-grants")] HttpRequest req, [JsonBody] GrantRequest r) =>
        await store.GrantAsync(req.UserId(), r.AgentClientId!.Value, r.Service!, req.HttpContext.RequestAborted) switch
        {
            GrantCreation.Created c => TypedResults.Created($"/api/users/me/provider-key-grants/{c.Grant.AgentClientId}/{c.Grant.Service}", GrantResponse.From(c.Grant)),
            GrantCreation.AlreadyGranted g => TypedResults.Ok(GrantResponse.From(g.Grant)),
            GrantCreation.UnknownAgent => Problems.Invalid("agentClientId", "No active agent client has this id."),
            _ => Problems.Invalid("service", ProviderKeyRules.ServiceMessage),
        };

    [Function("ListProviderKeyGrants")]
    public async Task<Ok<Page<GrantResponse>>> Grants(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "users/me/provider-key-grants")] HttpRequest req) =>
        TypedResults.Ok(Whole((await store.GrantsAsync(req.UserId(), req.HttpContext.RequestAborted)).Select(GrantResponse.From)));

    [Function("RevokeProviderKeyGrant")]
    public async Task<Results<NoContent, ProblemHttpResult>> Revoke(
        [HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "users/me/provider-key-grants/{agentClientId}/{service}")] HttpRequest req,
        Guid agentClientId, string service) =>
        await store.RevokeAsync(req.UserId(), agentClientId, service, req.HttpContext.RequestAborted) ? TypedResults.NoContent() : Problems.NotFound("The grant");

    [Function("ListProviderKeyUses")]
    public async Task<Results<Ok<Page<KeyUseResponse>>, ValidationProblem>> Uses(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "users/me/provider-key-uses")] HttpRequest req, KeyUseListQuery query)
    {
        var rows = await store.UsesAsync(req.UserId(), query.Page, req.HttpContext.RequestAborted);
        return TypedResults.Ok(Pages.From(rows, query.Page, KeyUseResponse.From, u => new(u.UsedAt, u.Id)));
    }

    private static Page<T> Whole<T>(IEnumerable<T> items) => new(items.ToList(), null);
}

/// <summary>GET /api/users/me/provider-key-uses: newest first.</summary>
[InputConverter(typeof(QueryConverter<KeyUseListQuery>))]
public sealed record KeyUseListQuery(PageRequest<DateTimeOffset> Page) : IQueryRecord<KeyUseListQuery>
{
    public static KeyUseListQuery Read(QueryReader query) => new(query.Page<DateTimeOffset>());
}
