using Microsoft.Azure.Functions.Worker.Converters;
using Microsoft.Extensions.Primitives;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// The client's key for a POST that creates money things: the same key and request again answer the first
/// result instead of creating a second one. Absent: no replay protection. Empty or repeated: 400.
/// </summary>
[InputConverter(typeof(HeaderConverter<IdempotencyKey>))]
public sealed record IdempotencyKey(string? Value) : IRequestHeader<IdempotencyKey>
{
    public static string HeaderName => "Idempotency-Key";
    public static string Description => "1 to 200 characters, unique per intended operation: a retry with the same key and body answers the original result.";

    /// <summary>The answer header saying a response is a replay of the original.</summary>
    public const string ReplayedHeader = "Idempotent-Replayed";

    public static IdempotencyKey Read(StringValues values)
    {
        if (values.Count == 0) return new IdempotencyKey((string?)null);
        if (values.Count != 1 || values[0] is not { Length: >= 1 and <= 200 } key)
            throw new RequestValidationException(HeaderName, "The Idempotency-Key header must be one value of 1 to 200 characters.");
        return new IdempotencyKey(key);
    }
}
