using System.Security.Cryptography;
using System.Text;
using Microsoft.Azure.Functions.Worker.Converters;
using Microsoft.Extensions.Primitives;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// Conditional GET: the ETags a client already holds. When the current one is among them (or the header is <c>*</c>)
/// the answer is 304 Not Modified with no body.
/// </summary>
[InputConverter(typeof(HeaderConverter<IfNoneMatch>))]
public sealed record IfNoneMatch(IReadOnlyList<string> ETags, bool Any) : IRequestHeader<IfNoneMatch>
{
    public static string HeaderName => "If-None-Match";
    public static string Description => "ETags already held; 304 Not Modified when the current one is among them.";

    public static IfNoneMatch Read(StringValues values)
    {
        var tags = values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)).ToList();
        // Weak comparison, as RFC 9110 asks for If-None-Match: W/"x" matches "x".
        return new IfNoneMatch(tags.Select(t => t.StartsWith("W/", StringComparison.Ordinal) ? t[2..] : t).ToList(), tags.Contains("*"));
    }

    public bool Matches(string etag) => Any || ETags.Contains(etag);

    /// <summary>A strong ETag naming content: the first 16 bytes of its SHA-256, in hex.</summary>
    public static string ContentETag(IEnumerable<string> parts) =>
        $"\"{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(string.Join('\u001f', parts))))[..32]}\"";
}
