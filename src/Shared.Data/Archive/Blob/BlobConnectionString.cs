namespace TravelFunctions.Data.Archive.Blob;

/// <summary>
/// The parts of an Azure Storage connection string the archive needs: account name, key and blob endpoint.
/// Supports AccountName/AccountKey with BlobEndpoint or DefaultEndpointsProtocol/EndpointSuffix, and
/// UseDevelopmentStorage=true (Azurite on 127.0.0.1:10000).
/// </summary>
public sealed record BlobConnectionString(string AccountName, string AccountKey, Uri BlobEndpoint)
{
    /// <summary>Azurite's well-known development account (published in Azurite's documentation; not a secret).</summary>
    public const string DevelopmentAccountName = "devstoreaccount1";
    public const string DevelopmentAccountKey =
        "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
    public const string DevelopmentConnectionString =
        "DefaultEndpointsProtocol=http;AccountName=" + DevelopmentAccountName + ";AccountKey=" + DevelopmentAccountKey +
        ";BlobEndpoint=http://127.0.0.1:10000/" + DevelopmentAccountName + ";";

    public static BlobConnectionString Parse(string connectionString)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);
        var parts = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var segment in connectionString.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = segment.IndexOf('=');
            if (eq <= 0)
                throw new FormatException($"Storage connection string segment '{Describe(segment)}' is not Key=Value.");
            // Values (the key) may contain '=' padding: split at the first '=' only.
            parts[segment[..eq].Trim()] = segment[(eq + 1)..].Trim();
        }

        if (parts.TryGetValue("UseDevelopmentStorage", out var dev) && bool.TryParse(dev, out var useDev) && useDev)
            return new(DevelopmentAccountName, DevelopmentAccountKey, new Uri("http://127.0.0.1:10000/" + DevelopmentAccountName));

        if (parts.ContainsKey("SharedAccessSignature"))
            throw new NotSupportedException("SAS connection strings are not supported for the archive; use an account key (Azurite) or an account URL (Entra ID).");
        if (!parts.TryGetValue("AccountName", out var account) || account.Length == 0)
            throw new FormatException("Storage connection string has no AccountName.");
        if (!parts.TryGetValue("AccountKey", out var key) || key.Length == 0)
            throw new FormatException("Storage connection string has no AccountKey.");

        Uri endpoint;
        if (parts.TryGetValue("BlobEndpoint", out var blobEndpoint) && blobEndpoint.Length > 0)
        {
            endpoint = new Uri(blobEndpoint.TrimEnd('/'));
        }
        else
        {
            var protocol = parts.GetValueOrDefault("DefaultEndpointsProtocol", "https");
            var suffix = parts.GetValueOrDefault("EndpointSuffix", "core.windows.net");
            endpoint = new Uri($"{protocol}://{account}.blob.{suffix}");
        }
        return new(account, key, endpoint);
    }

    // Never echo a whole segment: it might be the key.
    private static string Describe(string segment) => segment.Length <= 12 ? segment : segment[..12] + "…";

    public override string ToString() => $"AccountName={AccountName};BlobEndpoint={BlobEndpoint}";
}
