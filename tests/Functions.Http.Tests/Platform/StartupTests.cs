using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.FileProviders;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Primitives;
using TravelFunctions.Http.Auth;
using TravelFunctions.Http.Hosting;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Platform;

/// <summary>The cold-start measures (bench/coldstart.sh) must not change what the API does; these pin them down.</summary>
public sealed class StartupTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public void Every_request_and_response_body_has_source_generated_json_metadata()
    {
        var options = api.Factory.Services.GetRequiredService<IOptions<Microsoft.AspNetCore.Http.Json.JsonOptions>>().Value.SerializerOptions;
        var contexts = options.TypeInfoResolverChain.OfType<JsonSerializerContext>().ToList();
        var endpoints = api.Factory.Services.GetRequiredService<EndpointDataSource>().Endpoints;
        var bodies = endpoints
            .SelectMany(e => e.Metadata.OfType<IAcceptsMetadata>().Select(m => m.RequestType)
                .Concat(e.Metadata.OfType<IProducesResponseTypeMetadata>().Select(m => m.Type)))
            .OfType<Type>()
            .Where(t => t != typeof(string) && t != typeof(void) && !typeof(ProblemDetails).IsAssignableFrom(t))
            .Distinct().ToList();

        Assert.Contains(typeof(TravelFunctions.Http.Events.EventBatchRequest), bodies);
        var missing = bodies.Where(t => !contexts.Any(c => c.GetTypeInfo(t) is not null)).Select(t => t.Name).ToList();
        Assert.True(missing.Count == 0, "No JsonSerializable entry in the feature's *Json context for: " + string.Join(", ", missing));
        // Reflection stays last: only a fallback.
        Assert.IsNotType<JsonSerializerContext>(options.TypeInfoResolverChain[^1], exactMatch: false);
    }

    [Fact]
    public void Endpoints_are_built_once_however_many_readers_ask()
    {
        var counting = new CountingDataSource();
        var once = new BuildOnceEndpointDataSource([counting]);
        // The authorization policy cache and the routing middleware each read through a composite of their own.
        var first = new CompositeEndpointDataSource([once]).Endpoints;
        var second = new CompositeEndpointDataSource([once]).Endpoints;

        Assert.Equal(1, counting.Reads);
        Assert.Same(first[0], second[0]);

        // And the app routes through it: its one data source is the build-once one.
        var routes = Assert.IsType<CompositeEndpointDataSource>(api.Factory.Services.GetRequiredService<EndpointDataSource>());
        Assert.IsType<BuildOnceEndpointDataSource>(Assert.Single(routes.DataSources));
    }

    private static JwtOptions ValidJwt() => new() { Issuer = "https://issuer", Audience = "api", SigningKey = new string('k', 32) };

    [Fact]
    public void Valid_jwt_settings_pass_the_startup_check() =>
        Assert.True(new JwtOptionsValidator().Validate(null, ValidJwt()).Succeeded);

    [Theory]
    [InlineData("issuer", "", "Jwt:Issuer is required")]
    [InlineData("audience", " ", "Jwt:Audience is required")]
    [InlineData("key", "short", "at least 32 characters")]
    [InlineData("key", "@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/jwt-signing-key)", "unresolved Key Vault reference")]
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
            case "minutes": options.AccessTokenMinutes = int.Parse(value); break;
            case "days": options.RefreshTokenDays = int.Parse(value); break;
        }
        var result = new JwtOptionsValidator().Validate(null, options);
        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage);
    }

    private sealed class CountingDataSource : EndpointDataSource
    {
        public int Reads { get; private set; }

        public override IReadOnlyList<Endpoint> Endpoints
        {
            get
            {
                Reads++;
                return [new Endpoint(_ => Task.CompletedTask, EndpointMetadataCollection.Empty, "test")];
            }
        }

        public override IChangeToken GetChangeToken() => NullChangeToken.Singleton;
    }
}
