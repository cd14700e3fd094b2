using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Constraints;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.Options;

namespace TravelFunctions.LocalHost.Http;

/// <summary>Finds the HTTP function for a request the way the Functions host does: one ASP.NET Core route
/// template per function (prefix included), inline constraints honoured, the binding's methods as a
/// constraint, routes tried in the host's order (literal segments before parameters, constrained
/// parameters before free ones, longer before shorter) and the first full match wins. A path that
/// matches only with another method matches nothing: the host answers 404, not 405.</summary>
internal sealed class RouteTable
{
    private readonly Route[] _routes;

    private RouteTable(Route[] routes) => _routes = routes;

    public static RouteTable Build(IEnumerable<LoadedFunction> functions, IServiceProvider services)
    {
        var options = new RouteOptions();
        options.SetParameterPolicy<RegexInlineRouteConstraint>("regex");
        var constraintResolver = new DefaultInlineConstraintResolver(Options.Create(options), services);

        var routes = functions
            .Where(f => f.IsHttp)
            .Select(f => Route.Create(f, constraintResolver))
            .OrderBy(r => r.Template, RoutePrecedence.Instance) // stable: ties keep metadata order
            .ToArray();
        return new RouteTable(routes);
    }

    /// <summary>The matching function and its route values, or null.</summary>
    public LoadedFunction? Match(HttpContext context, RouteValueDictionary values)
    {
        var method = context.Request.Method;
        var path = context.Request.Path;
        foreach (var route in _routes)
        {
            if (!route.AllowsMethod(method)) continue;
            if (route.Matcher.TryMatch(path, values) && route.SatisfiesConstraints(context, values)) return route.Function;
            values.Clear();
        }
        return null;
    }

    private sealed class Route
    {
        public required LoadedFunction Function { get; init; }
        public required RouteTemplate Template { get; init; }
        public required TemplateMatcher Matcher { get; init; }
        public required string[] Methods { get; init; }
        public required (string Parameter, IRouteConstraint Constraint)[] Constraints { get; init; }

        public static Route Create(LoadedFunction function, IInlineConstraintResolver constraintResolver)
        {
            var template = TemplateParser.Parse(function.Route!);
            var defaults = new RouteValueDictionary();
            var constraints = new List<(string, IRouteConstraint)>();
            foreach (var parameter in template.Parameters)
            {
                if (parameter.DefaultValue is not null) defaults[parameter.Name!] = parameter.DefaultValue;
                foreach (var inline in parameter.InlineConstraints)
                    constraints.Add((parameter.Name!, constraintResolver.ResolveConstraint(inline.Constraint)
                        ?? throw new InvalidOperationException($"Function '{function.Name}': unknown route constraint '{inline.Constraint}' in '{function.Route}'.")));
            }
            return new Route
            {
                Function = function,
                Template = template,
                Matcher = new TemplateMatcher(template, defaults),
                Methods = function.Methods.ToArray(),
                Constraints = constraints.ToArray(),
            };
        }

        public bool AllowsMethod(string method)
        {
            if (Methods.Length == 0) return true;
            foreach (var allowed in Methods)
                if (string.Equals(allowed, method, StringComparison.OrdinalIgnoreCase)) return true;
            return false;
        }

        public bool SatisfiesConstraints(HttpContext context, RouteValueDictionary values)
        {
            foreach (var (parameter, constraint) in Constraints)
                if (!constraint.Match(context, null, parameter, values, RouteDirection.IncomingRequest)) return false;
            return true;
        }
    }

    /// <summary>The host's route order, segment by segment from the left.</summary>
    private sealed class RoutePrecedence : IComparer<RouteTemplate>
    {
        public static readonly RoutePrecedence Instance = new();

        public int Compare(RouteTemplate? x, RouteTemplate? y)
        {
            for (var i = 0; i < x!.Segments.Count; i++)
            {
                if (i >= y!.Segments.Count) return -1;
                var a = x.Segments[i].Parts[0];
                var b = y.Segments[i].Parts[0];
                if (a.IsParameter != b.IsParameter) return a.IsParameter ? 1 : -1;
                var order = a.IsParameter
                    ? b.InlineConstraints.Count().CompareTo(a.InlineConstraints.Count())
                    : string.Compare(a.Text, b.Text, StringComparison.OrdinalIgnoreCase);
                if (order != 0) return order;
            }
            return y!.Segments.Count > x.Segments.Count ? 1 : 0;
        }
    }
}
