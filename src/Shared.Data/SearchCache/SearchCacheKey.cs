using System.Security.Cryptography;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace TravelFunctions.Data.SearchCache;

/// <summary>
/// The cache key of a flight or hotel search: SHA-256 of the normalized parameters, so the same search
/// asked with its parameters in another order, another case or with blank extras always hits.
/// Normalization: keys trimmed and lower-cased; values trimmed and upper-cased (codes such as IATA
/// airports, ISO countries and currencies are case-insensitive, and so is every search value we take);
/// null and blank values dropped; the rest serialized as a JSON object with keys in ordinal order.
/// Values are strings (a query string has nothing else): numbers keep their JSON text, booleans become
/// TRUE/FALSE, so GET ?adults=2&amp;nonstop=true and PUT {"adults": 2, "nonstop": true} are the same search.
/// </summary>
public sealed partial class SearchCacheKey
{
    public const int MaxParameters = 32;
    public const int MaxValueLength = 256;

    private SearchCacheKey(SortedDictionary<string, string> parameters)
    {
        Parameters = parameters;
        CanonicalJson = JsonSerializer.Serialize(parameters);
        Hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(CanonicalJson));
    }

    /// <summary>The normalized parameters, keys in ordinal order.</summary>
    public IReadOnlyDictionary<string, string> Parameters { get; }
    /// <summary>What is hashed, and what is stored in the params column.</summary>
    public string CanonicalJson { get; }
    /// <summary>32 bytes: the cache_key column.</summary>
    public byte[] Hash { get; }

    /// <summary>Normalizes the parameters; on failure says which parameter and why.</summary>
    public static bool TryCreate(IEnumerable<KeyValuePair<string, string?>> raw, out SearchCacheKey? key, out string? badParameter, out string? error)
    {
        key = null;
        badParameter = null;
        error = null;
        var normalized = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (rawName, rawValue) in raw)
        {
            var name = rawName.Trim().ToLowerInvariant();
            if (!ParameterName().IsMatch(name))
            {
                (badParameter, error) = (rawName, "Parameter names are 1 to 64 characters: letters, digits, '_', '.', '-'.");
                return false;
            }
            var value = rawValue?.Trim();
            if (string.IsNullOrEmpty(value)) continue;
            if (value.Length > MaxValueLength)
            {
                (badParameter, error) = (rawName, $"A parameter value is at most {MaxValueLength} characters.");
                return false;
            }
            if (!normalized.TryAdd(name, value.ToUpperInvariant()))
            {
                (badParameter, error) = (rawName, "The parameter is given twice (names are case-insensitive).");
                return false;
            }
        }
        if (normalized.Count == 0)
        {
            (badParameter, error) = ("parameters", "At least one non-empty search parameter is required.");
            return false;
        }
        if (normalized.Count > MaxParameters)
        {
            (badParameter, error) = ("parameters", $"At most {MaxParameters} search parameters.");
            return false;
        }
        key = new SearchCacheKey(normalized);
        return true;
    }

    /// <summary>A JSON value as a parameter value: strings as they are, numbers as their JSON text, booleans as true/false, null as absent.</summary>
    public static bool TryScalarText(JsonElement value, out string? text)
    {
        text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True => "true",
            JsonValueKind.False => "false",
            _ => null,
        };
        return value.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null;
    }

    [GeneratedRegex("^[a-z0-9_.-]{1,64}$")]
    private static partial Regex ParameterName();
}
