using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using TravelFunctions.Http.Infrastructure;
using TravelFunctions.TestSupport;

namespace TravelFunctions.Tests.Infrastructure;

/// <summary>One HTTP function as the Worker SDK described it in functions.metadata, with its C# method.</summary>
public sealed record FunctionSignature(string Name, string Route, IReadOnlyList<string> Methods, MethodInfo Method)
{
    /// <summary>The type read from the JSON body ([JsonBody]), if any.</summary>
    public Type? Body => Method.GetParameters().FirstOrDefault(p => p.GetCustomAttribute<JsonBodyAttribute>() is not null)?.ParameterType;

    public IReadOnlyList<ParameterInfo> RouteParameters =>
        Method.GetParameters().Where(p => Route.Contains("{" + p.Name + "}", StringComparison.Ordinal)).ToList();

    /// <summary>The query record parameter's type, if any.</summary>
    public Type? Query => Method.GetParameters().Select(p => p.ParameterType)
        .FirstOrDefault(t => t.GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IQueryRecord<>)));

    /// <summary>The values the typed results carry (Ok&lt;T&gt; → T), problem details aside.</summary>
    public IReadOnlyList<Type> ResponseTypes
    {
        get
        {
            var result = Method.ReturnType.IsGenericType && Method.ReturnType.GetGenericTypeDefinition() == typeof(Task<>)
                ? Method.ReturnType.GetGenericArguments()[0] : Method.ReturnType;
            var results = result.IsGenericType && result.Name.StartsWith("Results`", StringComparison.Ordinal) ? result.GetGenericArguments() : [result];
            return results.SelectMany(r => r.GetInterfaces())
                .Where(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IValueHttpResult<>))
                .Select(i => i.GetGenericArguments()[0])
                .Where(t => t != typeof(string) && !typeof(ProblemDetails).IsAssignableFrom(t) && !typeof(HttpValidationProblemDetails).IsAssignableFrom(t))
                .Distinct().ToList();
        }
    }

    public IEnumerable<Type> BodyTypes => Body is null ? ResponseTypes : ResponseTypes.Prepend(Body);
}

public static class HttpFunctionSignatures
{
    /// <summary>Every HTTP function of the app's build output.</summary>
    public static IReadOnlyList<FunctionSignature> All()
    {
        var metadata = JsonNode.Parse(File.ReadAllText(Path.Combine(TestApps.Http, "functions.metadata")))!.AsArray();
        var list = new List<FunctionSignature>();
        foreach (var function in metadata)
        {
            var trigger = function!["bindings"]!.AsArray().FirstOrDefault(b => b!["type"]!.GetValue<string>() == "httpTrigger");
            if (trigger is null) continue;
            var methods = trigger["methods"]?.AsArray().Select(m => m!.GetValue<string>().ToUpperInvariant()).ToList() ?? [];
            list.Add(new FunctionSignature(function["name"]!.GetValue<string>(), "/api/" + trigger["route"]!.GetValue<string>(), methods,
                FunctionMethods.Of(function["entryPoint"]!.GetValue<string>())));
        }
        return list;
    }
}
