using System.Text.Json;
using FluentValidation;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.SearchCache;

/// <summary>
/// PUT /api/search-cache/{kind}: parameters is a flat JSON object of strings, numbers, booleans (null = absent);
/// results is any JSON (at most 2 MiB, 16 levels deep); ttlSeconds 60..86400, default 3600 for flights and 7200 for hotels.
/// </summary>
public sealed record PutSearchCacheRequest(Dictionary<string, JsonElement>? Parameters, JsonElement? Results, int? TtlSeconds);

public sealed class PutSearchCacheRequestValidator : AbstractValidator<PutSearchCacheRequest>
{
    public const int MinTtlSeconds = 60;
    public const int MaxTtlSeconds = 86_400;
    public const int MaxResultsBytes = 2 * 1024 * 1024;

    public PutSearchCacheRequestValidator()
    {
        RuleFor(r => r.Parameters).NotNull();
        RuleFor(r => r.Results).NotNull().WithMessage("results is required (any JSON value but null).");
        RuleFor(r => r.Results).Stored("results", MaxResultsBytes, objectOnly: false);
        RuleFor(r => r.TtlSeconds).InclusiveBetween(MinTtlSeconds, MaxTtlSeconds);
    }
}
