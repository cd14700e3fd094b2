using Microsoft.Azure.Functions.Worker.Converters;
using Microsoft.Extensions.Primitives;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// Optimistic concurrency: the ETag (a row version, "5" or W/"5") the client last read. Absent or <c>*</c> means
/// any version; a value that cannot be one of ours can never match (412).
/// </summary>
[InputConverter(typeof(HeaderConverter<IfMatch>))]
public sealed record IfMatch(int? Version, bool CannotMatch) : IRequestHeader<IfMatch>
{
    public static string HeaderName => "If-Match";
    public static string Description => "The ETag last read; the change applies only if the resource is still at that version (else 412).";

    public static IfMatch Read(StringValues values)
    {
        var text = values.ToString();
        if (text.Length == 0 || text == "*") return new IfMatch(null, false);
        var raw = text.StartsWith("W/", StringComparison.Ordinal) ? text[2..] : text;
        return int.TryParse(raw.Trim('"'), out var version) ? new IfMatch(version, false) : new IfMatch(null, true);
    }

    /// <summary>The strong ETag of a row version.</summary>
    public static string ETag(int version) => $"\"{version}\"";
}
