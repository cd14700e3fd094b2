using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Core.FunctionMetadata;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// Every path under /api that no other function takes (the host routes literal segments and parameters before a
/// catch-all): 405 with Allow when another function has the path with other methods, else 404 — problem details
/// either way, instead of the host's empty answer.
/// </summary>
public sealed class UnmatchedRouteFunction(RouteTable routes)
{
    [Function("UnmatchedRoute")]
    [AllowAnonymous, ExcludeFromDescription]
    public IResult Answer([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", "head", "options", Route = "{*path}")] HttpRequest req)
    {
        var allowed = routes.MethodsFor(req.Path);
        if (allowed.Count == 0)
            return TypedResults.Problem(statusCode: 404, title: "Not found", detail: "No operation of this API has this path.");
        req.HttpContext.Response.Headers.Allow = string.Join(", ", allowed);
        return TypedResults.Problem(statusCode: 405, title: "Method not allowed", detail: $"This path answers {string.Join(", ", allowed)}.");
    }
}

/// <summary>The routes of the app's other HTTP functions, to tell a wrong method from a wrong path.</summary>
public sealed class RouteTable(IFunctionMetadataProvider functions, IHostEnvironment environment)
{
    private readonly Lazy<IReadOnlyList<(TemplateMatcher Matcher, IReadOnlyList<string> Methods)>> _routes = new(() =>
        HttpFunction.All(functions, environment).Where(f => f.Name != "UnmatchedRoute")
            .Select(f => (new TemplateMatcher(TemplateParser.Parse(f.Route), new RouteValueDictionary()), f.Methods)).ToList());

    public IReadOnlyList<string> MethodsFor(PathString path)
    {
        var methods = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var (matcher, allowed) in _routes.Value)
            if (matcher.TryMatch(path, new RouteValueDictionary())) methods.UnionWith(allowed);
        return [.. methods];
    }
}
