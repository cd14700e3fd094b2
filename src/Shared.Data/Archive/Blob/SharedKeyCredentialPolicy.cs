using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Azure.Core;
using Azure.Core.Pipeline;

namespace TravelFunctions.Data.Archive.Blob;

/// <summary>
/// Signs each request (each retry, so x-ms-date is fresh) with the storage account key:
/// "Authorization: SharedKey account:base64(HMAC-SHA256(key, StringToSign))" as described in
/// "Authorize with Shared Key" (Blob service, version 2009-09-19 and later). Used for Azurite / connection strings;
/// in Azure the archive uses Entra ID tokens instead (shared keys disabled on the account).
/// </summary>
public sealed class SharedKeyCredentialPolicy : HttpPipelineSynchronousPolicy
{
    private readonly string _accountName;
    private readonly byte[] _key;

    public SharedKeyCredentialPolicy(string accountName, string accountKeyBase64)
    {
        ArgumentException.ThrowIfNullOrEmpty(accountName);
        ArgumentException.ThrowIfNullOrEmpty(accountKeyBase64);
        _accountName = accountName;
        try
        {
            _key = Convert.FromBase64String(accountKeyBase64);
        }
        catch (FormatException)
        {
            throw new FormatException("The storage AccountKey is not valid base64.");
        }
    }

    public override void OnSendingRequest(HttpMessage message)
    {
        var request = message.Request;
        request.Headers.SetValue("x-ms-date", DateTimeOffset.UtcNow.ToString("r", CultureInfo.InvariantCulture));
        var stringToSign = BuildStringToSign(request);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes(stringToSign)));
        request.Headers.SetValue(HttpHeader.Names.Authorization, $"SharedKey {_accountName}:{signature}");
    }

    /// <summary>The exact string that is signed for <paramref name="request"/> (public for tests and diagnostics).</summary>
    public string BuildStringToSign(Request request)
    {
        var sb = new StringBuilder(256);
        sb.Append(request.Method.Method.ToUpperInvariant()).Append('\n');
        AppendHeader(sb, request, "Content-Encoding");
        AppendHeader(sb, request, "Content-Language");
        // Since version 2015-02-21 a zero Content-Length is signed as the empty string.
        var length = request.Content is not null && request.Content.TryComputeLength(out var l) ? l : 0;
        sb.Append(length > 0 ? length.ToString(CultureInfo.InvariantCulture) : "").Append('\n');
        AppendHeader(sb, request, "Content-MD5");
        AppendHeader(sb, request, "Content-Type");
        AppendHeader(sb, request, "Date");
        AppendHeader(sb, request, "If-Modified-Since");
        AppendHeader(sb, request, "If-Match");
        AppendHeader(sb, request, "If-None-Match");
        AppendHeader(sb, request, "If-Unmodified-Since");
        AppendHeader(sb, request, "Range");
        AppendCanonicalizedHeaders(sb, request);
        AppendCanonicalizedResource(sb, request.Uri.ToUri());
        return sb.ToString();
    }

    private static void AppendHeader(StringBuilder sb, Request request, string name)
    {
        if (request.Headers.TryGetValue(name, out var value)) sb.Append(value);
        sb.Append('\n');
    }

    private static void AppendCanonicalizedHeaders(StringBuilder sb, Request request)
    {
        var headers = new List<(string Name, string Value)>();
        foreach (var header in request.Headers)
        {
            if (header.Name.StartsWith("x-ms-", StringComparison.OrdinalIgnoreCase))
                headers.Add((header.Name.ToLowerInvariant().Trim(), header.Value.Trim()));
        }
        headers.Sort((a, b) => SharedKeyHeaderComparer.Instance.Compare(a.Name, b.Name));
        foreach (var (name, value) in headers)
            sb.Append(name).Append(':').Append(value).Append('\n');
    }

    // "/account" + the escaped path as sent + "\nname:value" per query parameter (names lowercased and sorted,
    // values unescaped). Query values are sent with Uri.EscapeDataString, so '+' travels as %2B: Azurite (and
    // the service) read a literal '+' in a query as a space.
    private void AppendCanonicalizedResource(StringBuilder sb, Uri uri)
    {
        sb.Append('/').Append(_accountName).Append(uri.AbsolutePath);
        var query = uri.Query;
        if (query.Length <= 1) return;
        var parameters = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var pair in query[1..].Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=');
            var name = Uri.UnescapeDataString(eq < 0 ? pair : pair[..eq]).ToLowerInvariant();
            var value = eq < 0 ? "" : Uri.UnescapeDataString(pair[(eq + 1)..]);
            if (!parameters.TryGetValue(name, out var values)) parameters[name] = values = new List<string>();
            values.Add(value);
        }
        foreach (var (name, values) in parameters)
        {
            values.Sort(StringComparer.Ordinal);
            sb.Append('\n').Append(name).Append(':').Append(string.Join(',', values));
        }
    }
}
