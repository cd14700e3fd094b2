using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Template;
using TravelFunctions.Http.Hosting;
using TravelFunctions.Tests.Packaging.Infrastructure;
using Xunit;

namespace TravelFunctions.Tests.Packaging;

/// <summary>
/// One proxied-style request through each generated route: the host's route template accepts the path, and
/// the app routes it to the endpoint of the same name (so an answer like 401/400/404-problem comes from that
/// endpoint, never a routing 404 or a 405).
/// </summary>
public class FunctionRoutingTests(HttpAppFixture app) : IClassFixture<HttpAppFixture>
{
    public static TheoryData<string, string, string> Requests()
    {
        var data = new TheoryData<string, string, string>();
        foreach (var (name, function) in EmittedFunctions.OfHttpApp().OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            var route = function.Trigger()["route"]!.GetValue<string>();
            foreach (var method in function.Methods()) data.Add(name, method.ToUpperInvariant(), route);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Requests))]
    public async Task The_route_reaches_its_endpoint(string function, string method, string route)
    {
        var path = "/" + HttpFunctions.RoutePrefix + "/" + Concrete(route);

        // What the host does first: match the request path against the function's route template.
        var values = new RouteValueDictionary();
        Assert.True(new TemplateMatcher(TemplateParser.Parse(route), new RouteValueDictionary()).TryMatch(path[("/" + HttpFunctions.RoutePrefix).Length..], values),
            $"the host would not route {method} {path} to {function} ({route})");

        // Then it proxies the request unchanged to the handler.
        var context = await app.Factory.Server.SendAsync(c =>
        {
            c.Request.Method = method;
            c.Request.Path = path;
            c.Request.Headers["X-Forwarded-For"] = "203.0.113.7";
            c.Request.Headers["X-Forwarded-Proto"] = "https";
            if (method is "POST" or "PATCH" or "PUT")
            {
                c.Request.ContentType = "application/json";
                c.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("{}"));
            }
        });
        var status = context.Response.StatusCode;
        Assert.NotEqual(StatusCodes.Status405MethodNotAllowed, status);
        var matched = context.Items[HttpAppFixture.MatchedEndpointItem] as Endpoint;

        if (HttpFunctions.MiddlewareFunctions.Any(f => f.Name == function))
        {
            // Served by the Swagger UI middleware, not an endpoint.
            Assert.Null(matched);
            Assert.Equal(StatusCodes.Status200OK, status);
            Assert.StartsWith("text/html", context.Response.ContentType);
            return;
        }
        Assert.True(matched is not null, $"{method} {path} matched no endpoint (a routing {status})");
        Assert.Equal(function, matched.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName);
        Assert.True(status < 500, $"{method} {path} answered {status}");
    }

    /// <summary>The route with a fresh UUID for every parameter; the docs catch-all gets the UI's page.</summary>
    private static string Concrete(string route) =>
        System.Text.RegularExpressions.Regex.Replace(route, @"\{(\*?)[^}]*\}",
            m => m.Groups[1].Value == "*" ? "index.html" : Guid.NewGuid().ToString());
}
