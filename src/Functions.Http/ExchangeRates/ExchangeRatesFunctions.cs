using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.ExchangeRates;
using TravelFunctions.Http.AgentAuth;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.ExchangeRates;

/// <summary>The exchange rates trips total their spending with, for any signed-in caller (a user or an agent).</summary>
[Authorize(Policy = AgentScopes.UserOrAgentPolicy)]
public sealed class ExchangeRatesFunctions(ExchangeRateStore store)
{
    [Function("ListExchangeRates")]
    public async Task<Ok<Page<ExchangeRateResponse>>> List(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "exchange-rates")] HttpRequest req, ExchangeRateQuery q) =>
        TypedResults.Ok(new Page<ExchangeRateResponse>(
            (await store.ListAsync(q.Currency, req.HttpContext.RequestAborted)).ConvertAll(ExchangeRateResponse.From), null));
}

/// <summary>Agents that keep the rates (scope agents:exchange-rates) record them here.</summary>
[Authorize(Policy = AgentScopes.ExchangeRatesPolicy)]
public sealed class RecordExchangeRatesFunctions(ExchangeRateStore store)
{
    /// <summary>Records each pair unless a newer rate of it is held (those come back under keptNewer).</summary>
    [Function("RecordExchangeRates")]
    public async Task<Ok<RecordExchangeRatesResponse>> Record(
        [HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "exchange-rates")] HttpRequest req, [JsonBody] RecordExchangeRatesRequest r)
    {
        var rates = r.Rates!.Select(x => new ExchangeRate(x.Base!, x.Quote!, x.Rate!.Value, x.AsOf!.Value, x.Source)).ToList();
        var kept = await store.RecordAsync(rates, req.HttpContext.RequestAborted);
        return TypedResults.Ok(new RecordExchangeRatesResponse(rates.Count - kept.Count, kept.ConvertAll(ExchangeRateResponse.From)));
    }
}
