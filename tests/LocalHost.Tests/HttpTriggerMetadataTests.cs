using System.Text.Json;
using Google.Protobuf.Collections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using TravelFunctions.LocalHost.Http;
using TravelFunctions.LocalHost.Rpc;
using Xunit;

namespace TravelFunctions.LocalHost.Tests;

/// <summary>The trigger metadata of an HTTP invocation, shaped as the host's HTTP trigger makes it.</summary>
public sealed class HttpTriggerMetadataTests
{
    [Fact]
    public void Query_parameters_and_route_values_are_strings_and_Query_and_Headers_are_json_objects()
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?q=hello&id=from-query&code=secret");
        context.Request.Headers["X-Custom"] = "a";
        var metadata = new MapField<string, TypedData>();

        HttpTriggerMetadata.Add(metadata, context.Request, new RouteValueDictionary { ["id"] = "42" });

        Assert.Equal("hello", metadata["q"].String);
        Assert.Equal("42", metadata["id"].String); // the route value wins over the query parameter
        Assert.False(metadata.ContainsKey("code"), "the host leaves the function key out");
        var query = JsonDocument.Parse(metadata["Query"].Json).RootElement;
        Assert.Equal("hello", query.GetProperty("q").GetString());
        Assert.Equal("secret", query.GetProperty("code").GetString());
        Assert.Equal("a", JsonDocument.Parse(metadata["Headers"].Json).RootElement.GetProperty("X-Custom").GetString());
    }

    [Fact]
    public void Without_query_or_headers_the_json_objects_are_empty()
    {
        var metadata = new MapField<string, TypedData>();

        HttpTriggerMetadata.Add(metadata, new DefaultHttpContext().Request, new RouteValueDictionary());

        Assert.Equal("{}", metadata["Query"].Json);
        Assert.Equal("{}", metadata["Headers"].Json);
    }
}
