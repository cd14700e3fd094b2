using System.Net;
using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Routing;
using TravelFunctions.Http.Infrastructure;
using TravelFunctions.Tests.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Platform;

/// <summary>
/// The OpenAPI document is generated from the functions themselves (their metadata and signatures): every
/// function is in it with its route and query parameters, headers, request body and response bodies.
/// </summary>
public sealed class OpenApiTests(ApiFixture api) : IClassFixture<ApiFixture>
{
    [Fact]
    public async Task Every_function_appears_with_its_parameters_request_and_response_schemas()
    {
        var response = await api.Anonymous().GetAsync("/api/openapi/v1.json");
        await response.EnsureStatusAsync(HttpStatusCode.OK);
        var doc = await response.JsonAsync();
        var schemas = doc["components"]!["schemas"]!.AsObject();

        var functions = HttpFunctionSignatures.All().Where(f => f.Method.GetCustomAttribute<ExcludeFromDescriptionAttribute>() is null).ToList();
        Assert.True(functions.Count >= 30, $"only {functions.Count} functions found");
        foreach (var f in functions)
        foreach (var method in f.Methods)
        {
            var operation = doc["paths"]?[f.Route]?[method.ToLowerInvariant()]
                ?? throw new Xunit.Sdk.XunitException($"{f.Name}: no {method} {f.Route} in the document");
            Assert.Equal(f.Name, operation["operationId"]!.GetValue<string>());
            var parameters = operation["parameters"]?.AsArray().Select(p => (Name: p!["name"]!.GetValue<string>(), In: p["in"]!.GetValue<string>())).ToList() ?? [];

            foreach (var route in f.RouteParameters)
                Assert.Contains((route.Name!, "path"), parameters);
            if (f.Query is { } query)
                foreach (var q in (IReadOnlyList<QueryParameter>)RequestParts.QueryOf(query)!)
                    Assert.Contains((q.Name, "query"), parameters);

            if (f.Body is { } body)
                Assert.Equal("#/components/schemas/" + body.Name,
                    operation["requestBody"]?["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>());
            else
                Assert.Null(operation["requestBody"]);

            var documented = operation["responses"]!.AsObject()
                .SelectMany(r => r.Value!["content"]?.AsObject().Select(c => c.Value!["schema"]!) ?? [])
                .Select(s => s["$ref"]?.GetValue<string>()).OfType<string>().ToList();
            foreach (var type in f.ResponseTypes)
            {
                var name = type.IsGenericType ? $"{type.Name[..type.Name.IndexOf('`')]}Of{type.GetGenericArguments()[0].Name}" : type.Name;
                Assert.Contains("#/components/schemas/" + name, documented);
                Assert.True(schemas.ContainsKey(name), $"{f.Name}: no schema {name}");
            }
        }
    }

    [Fact]
    public async Task Headers_the_functions_read_are_documented()
    {
        var doc = await (await api.Anonymous().GetAsync("/api/openapi/v1.json")).JsonAsync();
        Assert.Contains(doc["paths"]!["/api/trips/{tripId}/bookings"]!["post"]!["parameters"]!.AsArray(),
            p => p!["name"]!.GetValue<string>() == "Idempotency-Key" && p["in"]!.GetValue<string>() == "header");
        Assert.Contains(doc["paths"]!["/api/trips/{tripId}"]!["patch"]!["parameters"]!.AsArray(),
            p => p!["name"]!.GetValue<string>() == "If-Match" && p["in"]!.GetValue<string>() == "header");
    }

    [Theory]
    [InlineData("/api/trips/{tripId}")]
    [InlineData("/api/users/me")]
    [InlineData("/api/trips/{tripId}/itineraries/{versionId}/items/{itemId}")]
    public async Task Patch_operations_take_a_merge_patch_and_say_what_null_means(string path)
    {
        var doc = await (await api.Anonymous().GetAsync("/api/openapi/v1.json")).JsonAsync();
        var body = doc["paths"]![path]!["patch"]!["requestBody"]!;

        var content = body["content"]!.AsObject();
        Assert.Contains("application/merge-patch+json", content.Select(c => c.Key));
        Assert.Contains("application/json", content.Select(c => c.Key));
        Assert.Contains("null clears an optional member", body["description"]!.GetValue<string>());
    }
}
