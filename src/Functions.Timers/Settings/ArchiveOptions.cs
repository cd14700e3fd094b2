using System.Text.RegularExpressions;
using TravelFunctions.Data.Archive.Blob;

namespace TravelFunctions.Timers.Settings;

/// <summary>
/// Where PartitionMaintenance archives partitions and `archive restore` reads them back: ArchiveStorage (an https
/// account URL, used with the app's managed identity, or a storage connection string such as Azurite's) and
/// ArchiveContainer. AZURE_CLIENT_ID names the user-assigned managed identity for an account URL.
/// </summary>
public sealed class ArchiveOptions
{
    /// <summary>App settings at the configuration root (no section).</summary>
    public const string Section = "";

    public string? ArchiveStorage { get; set; }
    public string? ArchiveContainer { get; set; }

    [ConfigurationKeyName("AZURE_CLIENT_ID")]
    public string? ManagedIdentityClientId { get; set; }

    public bool IsAccountUrl => ArchiveStorage is { } storage && BlobStoreFactory.IsAccountUrl(storage);
}

/// <summary>Checks what the blob store would refuse later, at start; never echoes ArchiveStorage (a connection string holds a key).</summary>
public sealed partial class ArchiveOptionsValidator : IValidateOptions<ArchiveOptions>
{
    // Azure's container naming rule: 3-63 characters, lower-case letters, digits and single hyphens, starting and ending with a letter or digit.
    [GeneratedRegex("^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){2,62}$")]
    private static partial Regex ContainerName();

    public ValidateOptionsResult Validate(string? name, ArchiveOptions options)
    {
        var failures = new List<string>();
        var storage = options.ArchiveStorage?.Trim();
        if (string.IsNullOrEmpty(storage))
            failures.Add("Setting ArchiveStorage (the archive's account URL, or a storage connection string locally) is missing.");
        else if (options.IsAccountUrl)
        {
            if (!storage.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
                failures.Add("Setting ArchiveStorage is an account URL but not https: token authentication needs https.");
        }
        else if (!storage.Contains('=', StringComparison.Ordinal))
            failures.Add("Setting ArchiveStorage is neither an https account URL nor a storage connection string (Key=Value;…).");

        if (string.IsNullOrWhiteSpace(options.ArchiveContainer))
            failures.Add("Setting ArchiveContainer (the archive's blob container) is missing.");
        else if (!ContainerName().IsMatch(options.ArchiveContainer))
            failures.Add($"Setting ArchiveContainer = '{options.ArchiveContainer}' is not a valid container name " +
                "(3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit).");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
