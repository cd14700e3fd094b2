using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TravelFunctions.Http.Auth;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Platform;

/// <summary>The cold-start measures (bench/coldstart.sh) must not change what the API does; these pin them down.</summary>
public sealed class StartupTests
{
    [Fact]
    public void Every_request_and_response_body_has_source_generated_json_metadata()
    {
        // The JSON options as the app registers them: the platform and every feature's contracts.
        var services = new ServiceCollection();
        AppRegistrations.AddAll(services, new ConfigurationBuilder().Build());
        var options = services.BuildServiceProvider().GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var contexts = options.TypeInfoResolverChain.OfType<JsonSerializerContext>().ToList();

        var bodies = HttpFunctionSignatures.All().SelectMany(f => f.BodyTypes).Distinct().ToList();
        Assert.Contains(typeof(TravelFunctions.Http.Events.EventBatchRequest), bodies);
        var missing = bodies.Where(t => !contexts.Any(c => c.GetTypeInfo(t) is not null)).Select(t => t.Name).ToList();
        Assert.True(missing.Count == 0, "No JsonSerializable entry in the feature's *Json context for: " + string.Join(", ", missing));
        // Reflection stays last: only a fallback.
        Assert.IsNotType<JsonSerializerContext>(options.TypeInfoResolverChain[^1], exactMatch: false);
    }

    private static Microsoft.Extensions.Hosting.IHostEnvironment Environment(string name) =>
        new Microsoft.Extensions.Hosting.Internal.HostingEnvironment { EnvironmentName = name };

    [Fact]
    public void The_sample_signing_key_is_refused_outside_development()
    {
        var sample = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(Path.Combine(TravelFunctions.TestSupport.TestStack.RepoRoot, "local.settings.sample.json")))!;
        var options = ValidJwt();
        options.SigningKey = sample["Values"]!["Jwt__SigningKey"]!.GetValue<string>();
        var production = new JwtOptionsValidator(Environment("Production")).Validate(null, options);
        Assert.True(production.Failed);
        Assert.Contains("public sample key", production.FailureMessage);
        Assert.True(new JwtOptionsValidator(Environment("Development")).Validate(null, options).Succeeded);
    }

    private static JwtOptions ValidJwt() => new() { Issuer = "https://issuer", Audience = "api", SigningKey = new string('k', 32) };

    [Fact]
    public void Valid_jwt_settings_pass_the_startup_check() =>
        Assert.True(new JwtOptionsValidator(Environment("Production")).Validate(null, ValidJwt()).Succeeded);

    [Theory]
    [InlineData("issuer", "", "Jwt:Issuer is required")]
    [InlineData("audience", " ", "Jwt:Audience is required")]
    [InlineData("key", "short", "at least 32 characters")]
    [InlineData("key", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/jwt-signing-key)", "unresolved Key Vault reference")]
    [InlineData("previous", "short", "PreviousSigningKey must be empty or at least 32 characters")]
    [InlineData("previous", "@Microsoft.KeyVault(VaultName=kv;SecretName=Jwt-SigningKey;SecretVersion=abc)", "PreviousSigningKey is an unresolved Key Vault reference")]
    [InlineData("previous", "kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk", "equals Jwt:SigningKey")]
    [InlineData("minutes", "0", "AccessTokenMinutes")]
    [InlineData("days", "400", "RefreshTokenDays")]
    public void Bad_jwt_settings_stop_the_app_with_a_clear_message(string setting, string value, string expected)
    {
        var options = ValidJwt();
        switch (setting)
        {
            case "issuer": options.Issuer = value; break;
            case "audience": options.Audience = value; break;
            case "key": options.SigningKey = value; break;
            case "previous": options.PreviousSigningKey = value; break;
            case "minutes": options.AccessTokenMinutes = int.Parse(value); break;
            case "days": options.RefreshTokenDays = int.Parse(value); break;
        }
        var result = new JwtOptionsValidator(Environment("Production")).Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage);
    }
}
