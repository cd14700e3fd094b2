using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TravelFunctions.Http.Hosting;
using TravelFunctions.Tests.Packaging.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Packaging;

/// <summary>The generated function metadata is exactly the app's named /api endpoints, and obeys the host's rules.</summary>
public class FunctionMetadataTests(HttpAppFixture app) : IClassFixture<HttpAppFixture>
{
    private static readonly Lazy<IReadOnlyDictionary<string, System.Text.Json.Nodes.JsonNode>> Emitted = new(EmittedFunctions.OfHttpApp);

    private IReadOnlyList<RouteEndpoint> ApiEndpoints => app.Endpoints
        .Where(e => e.RoutePattern.RawText?.TrimStart('/').StartsWith("api/", StringComparison.OrdinalIgnoreCase) == true)
        .ToList();

    [Fact]
    public void Every_api_endpoint_is_named()
    {
        var unnamed = ApiEndpoints.Where(e => e.Metadata.GetMetadata<IEndpointNameMetadata>() is null).Select(e => e.RoutePattern.RawText).ToList();
        Assert.Empty(unnamed);
        Assert.True(ApiEndpoints.Count >= 15, $"only {ApiEndpoints.Count} endpoints under /api: is the app fully mapped?");
    }

    [Fact]
    public void Emitted_functions_are_the_named_endpoints_plus_the_docs_ui_none_missing_none_extra()
    {
        var expected = ApiEndpoints.Select(e => e.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName)
            .Concat(HttpFunctions.MiddlewareFunctions.Select(f => f.Name)).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(expected, Emitted.Value.Keys.Order(StringComparer.Ordinal).ToList());
        Assert.Contains("Docs", Emitted.Value.Keys);
        Assert.Contains("OpenApiDocument", Emitted.Value.Keys);
    }

    [Fact]
    public void Each_function_has_its_endpoints_methods_and_route()
    {
        foreach (var endpoint in ApiEndpoints)
        {
            var name = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()!.EndpointName;
            var function = Emitted.Value[name];
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()!.HttpMethods.Select(m => m.ToLowerInvariant()).Order();
            Assert.Equal(methods, function.Methods().Order());
            // The same path as the endpoint, without the api prefix ({**x} is spelled {*x} for the host).
            var route = function.Trigger()["route"]!.GetValue<string>();
            var pattern = endpoint.RoutePattern.RawText!.Trim('/')["api/".Length..].TrimEnd('/').Replace("{**", "{*");
            Assert.Equal(pattern, route);
        }
    }

    [Fact]
    public void Emitted_functions_obey_the_hosts_rules()
    {
        var seen = new Dictionary<string, string>();
        foreach (var (name, function) in Emitted.Value)
        {
            Assert.Matches("^[A-Za-z][A-Za-z0-9_-]{0,127}$", name);
            var bindings = function["bindings"]!.AsArray();
            Assert.Equal(2, bindings.Count);
            var trigger = function.Trigger();
            Assert.Equal("httpTrigger", trigger["type"]!.GetValue<string>());
            Assert.Equal("anonymous", trigger["authLevel"]!.GetValue<string>());
            Assert.Equal("req", trigger["name"]!.GetValue<string>());
            var output = bindings.Single(b => b!["direction"]!.GetValue<string>() == "out")!;
            Assert.Equal("http", output["type"]!.GetValue<string>());
            Assert.Equal("res", output["name"]!.GetValue<string>());

            var route = trigger["route"]!.GetValue<string>();
            Assert.False(route.StartsWith("api/", StringComparison.OrdinalIgnoreCase), $"{name}: the route must not repeat the api prefix");
            Assert.DoesNotMatch("^(admin|runtime)(/|$)", route.ToLowerInvariant());
            Assert.All(function.Methods(), m => Assert.Equal(m.ToLowerInvariant(), m));
            Assert.NotEmpty(function.Methods());
            // No two functions on one route template with a common method (parameter names do not matter).
            var shape = Regex.Replace(route.ToLowerInvariant(), @"\{[^}]*\}", "{}");
            foreach (var method in function.Methods())
                Assert.True(seen.TryAdd(method + " " + shape, name), $"{name} and {seen.GetValueOrDefault(method + " " + shape)} both take {method} {route}");
        }
    }
}
