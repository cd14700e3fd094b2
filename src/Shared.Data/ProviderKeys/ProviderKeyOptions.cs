using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace TravelFunctions.Data.ProviderKeys;

/// <summary>
/// Settings ProviderKeys__CurrentKey and ProviderKeys__PreviousKey: the key-encryption keys (KEK) of travellers'
/// provider keys, 32 random bytes in base64, from Key Vault in Azure. New keys are wrapped under the current KEK;
/// during a rotation the previous one still opens keys not yet re-wrapped (the ProviderKeyRewrap job moves them).
/// Both apps read them: the HTTP app to seal and open keys, the timers app to re-wrap.
/// </summary>
public sealed class ProviderKeyOptions
{
    public const string Section = "ProviderKeys";

    /// <summary>The value in local.settings.sample.json: public, so refused outside Development.</summary>
    public const string LocalSampleKey = "bG9jYWwtb25seS1rZWstbmV2ZXItaW4tYXp1cmUtMDA=";

    public string CurrentKey { get; set; } = "";
    public string PreviousKey { get; set; } = "";
}

/// <summary>
/// Checked at start: a bad KEK stops the app with the setting named, never its value. Without a host environment (a
/// bare service collection) the sample key counts as outside Development.
/// </summary>
public sealed class ProviderKeyOptionsValidator(IHostEnvironment? environment = null) : IValidateOptions<ProviderKeyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProviderKeyOptions o)
    {
        var failures = new List<string>();
        Check("ProviderKeys:CurrentKey", o.CurrentKey, required: true, failures);
        Check("ProviderKeys:PreviousKey", o.PreviousKey, required: false, failures);
        if (o.PreviousKey.Length > 0 && o.PreviousKey == o.CurrentKey)
            failures.Add("ProviderKeys:PreviousKey equals ProviderKeys:CurrentKey; a rotation needs a new current key.");
        if (environment?.IsDevelopment() != true && (o.CurrentKey == ProviderKeyOptions.LocalSampleKey || o.PreviousKey == ProviderKeyOptions.LocalSampleKey))
            failures.Add("ProviderKeys: the sample key of local.settings.sample.json is for local development only.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(string setting, string value, bool required, List<string> failures)
    {
        if (value.Length == 0)
        {
            if (required) failures.Add($"{setting} is required (32 random bytes, base64).");
            return;
        }
        if (value.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
            failures.Add($"{setting} is an unresolved Key Vault reference; check the secret (and its version) and the app's Key Vault access.");
        else if (KeyEncryptionKey.TryParse(value) is null)
            failures.Add($"{setting} must be 32 bytes in base64 (openssl rand -base64 32).");
    }
}
