using TravelFunctions.Data.ExchangeRates;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.ExchangeRates;

/// <summary>1 base = rate quote, observed at asOf (by source, e.g. "ecb").</summary>
public sealed record ExchangeRateInput(string? Base, string? Quote, decimal? Rate, DateTimeOffset? AsOf, string? Source);

/// <summary>PUT /api/exchange-rates: up to 200 pairs, each at most once.</summary>
public sealed record RecordExchangeRatesRequest(IReadOnlyList<ExchangeRateInput>? Rates);

public sealed record ExchangeRateResponse(string Base, string Quote, decimal Rate, DateTimeOffset AsOf, string? Source)
{
    public static ExchangeRateResponse From(ExchangeRate r) => new(r.Base, r.Quote, r.Rate, r.AsOf, r.Source);
}

/// <summary>How many rates were recorded, and the pairs left as they were because a newer rate is held (shown as held).</summary>
public sealed record RecordExchangeRatesResponse(int Recorded, IReadOnlyList<ExchangeRateResponse> KeptNewer);

/// <summary>GET /api/exchange-rates?currency=EUR: the pairs with that currency on either side (all when absent).</summary>
[Microsoft.Azure.Functions.Worker.Converters.InputConverter(typeof(QueryConverter<ExchangeRateQuery>))]
public sealed record ExchangeRateQuery(string? Currency) : IQueryRecord<ExchangeRateQuery>
{
    public static ExchangeRateQuery Read(QueryReader query) =>
        new(query.Currency("currency", "An ISO 4217 code such as 'EUR': only pairs with it on either side."));
}
