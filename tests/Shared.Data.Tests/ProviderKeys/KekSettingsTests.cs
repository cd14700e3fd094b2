using System.Security.Cryptography;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using TravelFunctions.Data.ProviderKeys;
using Xunit;

namespace TravelFunctions.Tests.ProviderKeys;

/// <summary>A bad key-encryption key stops the app at start with the setting named (never its value).</summary>
public sealed class KekSettingsTests
{
    private static readonly string Key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static string? Check(string current, string previous = "", string environment = "Production")
    {
        var result = new ProviderKeyOptionsValidator(new HostingEnvironment { EnvironmentName = environment })
            .Validate(null, new ProviderKeyOptions { CurrentKey = current, PreviousKey = previous });
        return result.Succeeded ? null : result.FailureMessage;
    }

    [Fact]
    public void Thirty_two_random_bytes_in_base64_pass() => Assert.Null(Check(Key, Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))));

    [Theory]
    [InlineData("", "", "ProviderKeys:CurrentKey is required")]
    [InlineData("not base64!", "", "ProviderKeys:CurrentKey must be 32 bytes")]
    [InlineData("AAAA", "", "ProviderKeys:CurrentKey must be 32 bytes")]
    [InlineData("@Microsoft.KeyVault(VaultName=kv;SecretName=ProviderKeys-Kek)", "", "unresolved Key Vault reference")]
    [InlineData("KEY", "AAAA", "ProviderKeys:PreviousKey must be 32 bytes")]
    [InlineData("KEY", "KEY", "PreviousKey equals ProviderKeys:CurrentKey")]
    public void Bad_settings_are_named(string current, string previous, string expected)
    {
        var message = Check(current.Replace("KEY", Key), previous.Replace("KEY", Key));
        Assert.NotNull(message);
        Assert.Contains(expected, message);
        Assert.DoesNotContain(Key, message);
    }

    [Fact]
    public void The_sample_key_is_for_local_development_only()
    {
        Assert.Contains("local development only", Check(ProviderKeyOptions.LocalSampleKey));
        Assert.Null(Check(ProviderKeyOptions.LocalSampleKey, environment: Environments.Development));
    }
}
