using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Azure.Functions.Worker;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// The C# method behind each function, found from its entry point ("Namespace.Class.Method", as the Worker SDK
/// writes it into the function metadata) once per function: its attributes say who may call it (access) and
/// what it takes and answers (the OpenAPI document).
/// </summary>
public static class FunctionMethods
{
    private static readonly ConcurrentDictionary<string, MethodInfo> Cache = new(StringComparer.Ordinal);

    public static MethodInfo Of(FunctionDefinition function) => Of(function.EntryPoint);

    public static MethodInfo Of(string entryPoint) => Cache.GetOrAdd(entryPoint, static entry =>
    {
        var dot = entry.LastIndexOf('.');
        var type = typeof(FunctionMethods).Assembly.GetType(entry[..dot], throwOnError: true)!;
        return type.GetMethod(entry[(dot + 1)..], BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static)
            ?? throw new InvalidOperationException($"No public method for the function entry point '{entry}'.");
    });
}
