using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Routing.Patterns;

namespace TravelFunctions.Http.Hosting;

/// <summary>One Azure function of the HTTP app: an httpTrigger on a route (without the "api/" prefix) for some methods.</summary>
public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods);

/// <summary>
/// Derives the HTTP app's Azure functions from its real endpoints, so the packaged metadata and the
/// code cannot disagree. With enableProxyingHttpRequest the host forwards each request unchanged to the
/// app at the same path; a function's route only decides that the host accepts the request and which
/// function name its telemetry carries.
/// </summary>
public static partial class HttpFunctions
{
    /// <summary>The host's default route prefix (host.json extensions.http.routePrefix), kept.</summary>
    public const string RoutePrefix = "api";

    /// <summary>
    /// Paths under /api served by middleware rather than endpoints, so they have no EndpointNameMetadata:
    /// the Swagger UI at /api/docs (index.html, its scripts and styles). Listed here deliberately;
    /// the packaging tests check each one answers through its route.
    /// </summary>
    public static readonly IReadOnlyList<HttpFunction> MiddlewareFunctions =
    [
        new("Docs", "docs/{*path}", ["get"]),
    ];

    // Route constraints the Functions host resolves (ASP.NET Core's inline constraints it registers).
    private static readonly HashSet<string> HostConstraints = new(StringComparer.OrdinalIgnoreCase)
    {
        "int", "bool", "datetime", "decimal", "double", "float", "guid", "long",
        "minlength", "maxlength", "length", "min", "max", "range", "alpha", "regex",
    };

    // The host owns these route prefixes (its admin API and runtime endpoints).
    private static readonly string[] ReservedPrefixes = ["admin", "runtime"];

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_-]{0,127}$")]
    private static partial Regex ValidName();

    /// <summary>Every function of the app: one per named endpoint under /api, plus <see cref="MiddlewareFunctions"/>. Throws when a rule is broken.</summary>
    public static IReadOnlyList<HttpFunction> From(EndpointDataSource endpoints)
    {
        var errors = new List<string>();
        var functions = new List<HttpFunction>();
        foreach (var endpoint in endpoints.Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern;
            var underApi = pattern.PathSegments.Count > 0 && IsLiteral(pattern.PathSegments[0], RoutePrefix);
            var name = endpoint.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName;
            if (!underApi)
            {
                if (name is not null) errors.Add($"Endpoint '{name}' ({pattern.RawText}) is not under /{RoutePrefix}: the Functions host cannot route it.");
                continue; // e.g. GET / (the host's readiness probe), not a function
            }
            if (name is null)
            {
                errors.Add($"Endpoint {endpoint.DisplayName} ({pattern.RawText}) under /{RoutePrefix} has no name: add .WithName(...) (its name becomes its function name).");
                continue;
            }
            var route = Template(pattern.PathSegments.Skip(1), name, errors);
            var methods = endpoint.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods
                .Select(m => m.ToLowerInvariant()).Distinct().Order().ToList();
            functions.Add(new HttpFunction(name, route, methods is { Count: > 0 } ? methods : []));
        }
        functions.AddRange(MiddlewareFunctions);
        Validate(functions, errors);
        if (errors.Count > 0)
            throw new InvalidOperationException("The HTTP app's endpoints cannot be Azure functions:\n  " + string.Join("\n  ", errors));
        return functions.OrderBy(f => f.Name, StringComparer.Ordinal).ToList();
    }

    private static void Validate(List<HttpFunction> functions, List<string> errors)
    {
        foreach (var f in functions)
        {
            if (!ValidName().IsMatch(f.Name)) errors.Add($"'{f.Name}' is not a valid function name (^[A-Za-z][A-Za-z0-9_-]{{0,127}}$).");
            var first = f.Route.Split('/')[0];
            if (ReservedPrefixes.Any(p => first.Equals(p, StringComparison.OrdinalIgnoreCase)))
                errors.Add($"'{f.Name}' route '{f.Route}' begins with '{first}', which the Functions host reserves.");
        }
        foreach (var dup in functions.GroupBy(f => f.Name, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1))
            errors.Add($"Function name '{dup.Key}' is used by {dup.Count()} endpoints (names are case-insensitive in the host).");
        for (var i = 0; i < functions.Count; i++)
        for (var j = i + 1; j < functions.Count; j++)
        {
            var (a, b) = (functions[i], functions[j]);
            if (Shape(a.Route) != Shape(b.Route)) continue;
            // No methods = every method.
            var overlap = a.Methods.Count == 0 || b.Methods.Count == 0 || a.Methods.Intersect(b.Methods).Any();
            if (overlap) errors.Add($"'{a.Name}' and '{b.Name}' share the route template '{a.Route}' with overlapping methods.");
        }
    }

    /// <summary>The route's shape for conflict checks: literals case-insensitive, parameter names ignored.</summary>
    private static string Shape(string route) =>
        ParameterRegex().Replace(route.ToLowerInvariant(), m => m.Value.Contains('*') ? "{*}" : "{}");

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex ParameterRegex();

    private static bool IsLiteral(RoutePatternPathSegment segment, string text) =>
        segment.IsSimple && segment.Parts[0] is RoutePatternLiteralPart literal
        && literal.Content.Equals(text, StringComparison.OrdinalIgnoreCase);

    /// <summary>The route template the Functions host parses (ASP.NET Core template syntax), rebuilt from the pattern.</summary>
    private static string Template(IEnumerable<RoutePatternPathSegment> segments, string name, List<string> errors) =>
        string.Join("/", segments.Select(s => string.Concat(s.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart l => l.Content,
            RoutePatternSeparatorPart sep => sep.Content,
            RoutePatternParameterPart p => Parameter(p, name, errors),
            _ => throw new InvalidOperationException($"Unknown route part {part.GetType().Name}."),
        }))));

    private static string Parameter(RoutePatternParameterPart p, string name, List<string> errors)
    {
        var constraints = new List<string>();
        foreach (var policy in p.ParameterPolicies)
        {
            var text = policy.Content;
            var constraintName = text?.Split('(')[0];
            if (text is null || !HostConstraints.Contains(constraintName!))
                errors.Add($"'{name}' parameter '{p.Name}' has the route constraint '{text ?? policy.ParameterPolicy?.GetType().Name}', which the Functions host does not know.");
            else constraints.Add(":" + text);
        }
        if (p.Default is not null) errors.Add($"'{name}' parameter '{p.Name}' has a default value; keep defaults out of routes.");
        // {**path} (no slash encoding on link generation) is an ASP.NET Core-only spelling: the host takes {*path}.
        return "{" + (p.IsCatchAll ? "*" : "") + p.Name + string.Concat(constraints) + (p.IsOptional && !p.IsCatchAll ? "?" : "") + "}";
    }
}
