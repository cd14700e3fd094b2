using Dapper;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.ExchangeRates;

/// <summary>1 <see cref="Base"/> = <see cref="Rate"/> <see cref="Quote"/>, as of a time, from a source.</summary>
public sealed record ExchangeRate(string Base, string Quote, decimal Rate, DateTimeOffset AsOf, string? Source);

/// <summary>
/// The exchange rates agents record, which trips use to total their spending in the trip's currency. A rate never
/// replaces a newer one of the same pair, so agents posting out of order cannot roll a rate back.
/// </summary>
public sealed class ExchangeRateStore(Db db)
{
    private const string Columns = "base_currency AS base, quote_currency AS quote, rate, as_of, source";

    /// <summary>Every rate, or those with <paramref name="currency"/> on either side; by pair.</summary>
    public Task<List<ExchangeRate>> ListAsync(string? currency, CancellationToken ct) =>
        db.ReadPublicAsync(async (conn, token) => (await conn.QueryAsync<ExchangeRate>(new CommandDefinition($"""
            SELECT {Columns} FROM exchange_rates
             WHERE @currency::text IS NULL OR @currency IN (base_currency, quote_currency)
             ORDER BY base_currency, quote_currency
            """, new { currency }, cancellationToken: token))).AsList(), ct);

    /// <summary>Records the rates in one transaction; returns those left as they were because a newer one is held.</summary>
    public Task<List<ExchangeRate>> RecordAsync(IReadOnlyList<ExchangeRate> rates, CancellationToken ct) =>
        db.AnonymousAsync(async tx =>
        {
            var applied = (await tx.QueryAsync<(string Base, string Quote)>("""
                INSERT INTO exchange_rates AS r (base_currency, quote_currency, rate, as_of, source)
                SELECT * FROM unnest(@bases::text[], @quotes::text[], @values::numeric[], @asOfs::timestamptz[], @sources::text[])
                ON CONFLICT (base_currency, quote_currency) DO UPDATE
                   SET rate = EXCLUDED.rate, as_of = EXCLUDED.as_of, source = EXCLUDED.source, updated_at = now()
                 WHERE EXCLUDED.as_of >= r.as_of
                RETURNING base_currency, quote_currency
                """, new
            {
                bases = rates.Select(r => r.Base).ToArray(), quotes = rates.Select(r => r.Quote).ToArray(),
                values = rates.Select(r => r.Rate).ToArray(), asOfs = rates.Select(r => r.AsOf.UtcDateTime).ToArray(),
                sources = rates.Select(r => r.Source).ToArray(),
            })).ToHashSet();
            var kept = rates.Where(r => !applied.Contains((r.Base, r.Quote))).ToList();
            if (kept.Count == 0) return kept;
            return (await tx.QueryAsync<ExchangeRate>($"""
                SELECT {Columns} FROM exchange_rates
                 WHERE (base_currency, quote_currency) IN (SELECT * FROM unnest(@bases::text[], @quotes::text[]))
                 ORDER BY base_currency, quote_currency
                """, new { bases = kept.Select(r => r.Base).ToArray(), quotes = kept.Select(r => r.Quote).ToArray() })).AsList();
        }, ct);
}
