using System.Reflection;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker.Core.FunctionMetadata;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>One HTTP function as the Worker SDK generated its metadata: name, route under /api, methods, and its C# method.</summary>
public sealed record HttpFunction(string Name, string Route, IReadOnlyList<string> Methods, MethodInfo Method)
{
    /// <summary>host.json extensions.http.routePrefix (a packaging test keeps them in agreement).</summary>
    public const string RoutePrefix = "api";

    public static IReadOnlyList<HttpFunction> All(IFunctionMetadataProvider provider, IHostEnvironment environment)
    {
        var list = new List<HttpFunction>();
        foreach (var function in provider.GetFunctionMetadataAsync(environment.ContentRootPath).GetAwaiter().GetResult())
        {
            foreach (var raw in function.RawBindings ?? [])
            {
                using var binding = JsonDocument.Parse(raw);
                var root = binding.RootElement;
                if (!root.TryGetProperty("type", out var type) || !type.GetString()!.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase)) continue;
                var route = root.TryGetProperty("route", out var r) && r.GetString() is { } text ? text : function.Name!;
                var methods = root.TryGetProperty("methods", out var m) ? m.EnumerateArray().Select(x => x.GetString()!.ToUpperInvariant()).ToList() : [];
                list.Add(new HttpFunction(function.Name!, RoutePrefix + "/" + route, methods, FunctionMethods.Of(function.EntryPoint!)));
            }
        }
        return list;
    }
}
