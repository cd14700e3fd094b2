using System.Text.Json;
using System.Text.Json.Nodes;

namespace TravelFunctions.Http.Hosting;

/// <summary>
/// <c>Functions.Http emit-functions &lt;dir&gt;</c>: writes one <c>&lt;Name&gt;/function.json</c> per HTTP function
/// (scripts/publish.sh puts them in the package). Runs on the built app, after every endpoint is mapped
/// and before it starts: no server, no database, no settings needed.
/// </summary>
public static class EmitFunctionsCommand
{
    public const string Verb = "emit-functions";

    public static bool IsRequested(string[] args) => args.Length > 0 && args[0] == Verb;

    /// <returns>The process exit code.</returns>
    public static int Run(WebApplication app, string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine($"usage: Functions.Http {Verb} <dir>");
            return 2;
        }
        IReadOnlyList<HttpFunction> functions;
        try
        {
            // The app's own data sources: the DI EndpointDataSource is only filled when the pipeline is built (at start).
            functions = HttpFunctions.From(new CompositeEndpointDataSource(((IEndpointRouteBuilder)app).DataSources));
        }
        catch (InvalidOperationException ex)
        {
            Console.Error.WriteLine(ex.Message);
            return 1;
        }
        var dir = Path.GetFullPath(args[1]);
        foreach (var f in functions)
        {
            var folder = Path.Combine(dir, f.Name);
            Directory.CreateDirectory(folder);
            File.WriteAllText(Path.Combine(folder, "function.json"), FunctionJson(f).ToJsonString(Indented) + "\n");
            Console.WriteLine($"{f.Name,-22} {string.Join(",", f.Methods).ToUpperInvariant(),-12} /{HttpFunctions.RoutePrefix}/{f.Route}");
        }
        Console.WriteLine($"{functions.Count} functions written to {dir}");
        return 0;
    }

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };

    public static JsonObject FunctionJson(HttpFunction f)
    {
        var trigger = new JsonObject
        {
            ["authLevel"] = "anonymous", // the app authenticates (bearer tokens it issues itself)
            ["type"] = "httpTrigger",
            ["direction"] = "in",
            ["name"] = "req",
        };
        if (f.Methods.Count > 0) trigger["methods"] = new JsonArray(f.Methods.Select(m => (JsonNode)JsonValue.Create(m)!).ToArray());
        trigger["route"] = f.Route;
        return new JsonObject
        {
            ["bindings"] = new JsonArray(trigger, new JsonObject { ["type"] = "http", ["direction"] = "out", ["name"] = "res" }),
        };
    }
}
