using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using TravelFunctions.Http.Hosting;
using Xunit;

namespace TravelFunctions.Tests.Packaging;

/// <summary>The metadata generator refuses endpoints the Functions host could not serve as functions.</summary>
public class HttpFunctionsRulesTests
{
    private static RouteEndpoint Endpoint(string pattern, string? name, params string[] methods)
    {
        var metadata = new List<object>();
        if (name is not null) metadata.Add(new EndpointNameMetadata(name));
        if (methods.Length > 0) metadata.Add(new HttpMethodMetadata(methods));
        return new RouteEndpoint(_ => Task.CompletedTask, RoutePatternFactory.Parse(pattern), 0, new EndpointMetadataCollection(metadata), name);
    }

    private static IReadOnlyList<HttpFunction> From(params RouteEndpoint[] endpoints) =>
        HttpFunctions.From(new DefaultEndpointDataSource(endpoints));

    private static void Refused(string expected, params RouteEndpoint[] endpoints)
    {
        var error = Assert.Throws<InvalidOperationException>(() => From(endpoints));
        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Maps_methods_routes_and_catch_alls()
    {
        var functions = From(
            Endpoint("/api/trips/{tripId}", "GetTrip", "GET"),
            Endpoint("/api/trips/{tripId}", "UpdateTrip", "PATCH"),
            Endpoint("/api/files/{**path}", "Files", "GET", "HEAD"),
            Endpoint("/api/items/{id:int}/{slug?}", "Item", "GET"),
            Endpoint("/", null, "GET"));
        Assert.Equal(["Docs", "Files", "GetTrip", "Item", "UpdateTrip"], functions.Select(f => f.Name));
        Assert.Equal("trips/{tripId}", functions.Single(f => f.Name == "GetTrip").Route);
        Assert.Equal("files/{*path}", functions.Single(f => f.Name == "Files").Route);
        Assert.Equal(["get", "head"], functions.Single(f => f.Name == "Files").Methods);
        Assert.Equal("items/{id:int}/{slug?}", functions.Single(f => f.Name == "Item").Route);
    }

    [Fact]
    public void Refuses_an_unnamed_api_endpoint() => Refused("has no name", Endpoint("/api/secret", null, "GET"));

    [Fact]
    public void Refuses_a_named_endpoint_outside_api() => Refused("is not under /api", Endpoint("/other", "Other", "GET"));

    [Fact]
    public void Refuses_invalid_names() => Refused("not a valid function name", Endpoint("/api/x", "1bad name", "GET"));

    [Fact]
    public void Refuses_routes_the_host_reserves()
    {
        Refused("reserves", Endpoint("/api/admin/users", "AdminUsers", "GET"));
        Refused("reserves", Endpoint("/api/Runtime", "Runtime", "GET"));
    }

    [Fact]
    public void Refuses_overlapping_methods_on_one_template()
    {
        Refused("overlapping methods", Endpoint("/api/trips/{tripId}", "A", "GET", "PUT"), Endpoint("/api/trips/{id}", "B", "PUT"));
        Refused("overlapping methods", Endpoint("/api/trips", "A"), Endpoint("/api/TRIPS", "B", "POST")); // no methods = all
        Refused("used by 2 endpoints", Endpoint("/api/a", "Same", "GET"), Endpoint("/api/b", "same", "GET"));
    }

    [Fact]
    public void Refuses_constraints_the_host_does_not_know() =>
        Refused("does not know", Endpoint("/api/files/{name:nonfile}", "Files", "GET"));
}
