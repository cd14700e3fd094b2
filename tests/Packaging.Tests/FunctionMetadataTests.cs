using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.TestSupport;
using Xunit;

namespace TravelFunctions.Tests.Packaging;

/// <summary>
/// The function metadata the Worker SDK generated from the attributes (functions.metadata in the build output and
/// in the package) lists every [Function] of the app and nothing else, and obeys the Functions host's rules.
/// </summary>
public class FunctionMetadataTests
{
    private static JsonArray Metadata(string appDirectory) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(appDirectory, "functions.metadata")))!.AsArray();

    private static IEnumerable<(string Name, MethodInfo Method)> FunctionMethods(Assembly app) =>
        app.GetTypes().SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static))
            .Select(m => (m.GetCustomAttribute<FunctionAttribute>()?.Name, m)).Where(f => f.Name is not null)!;

    public static TheoryData<string> Apps => new() { "Functions.Http", "Functions.Timers" };

    [Theory]
    [MemberData(nameof(Apps))]
    public void Every_function_of_the_code_is_in_the_metadata_and_nothing_else(string app)
    {
        var dir = TestApps.BuildOutput(app);
        var assembly = Assembly.LoadFrom(Path.Combine(dir, app + ".dll"));
        var inCode = FunctionMethods(assembly).Select(f => f.Name).Order(StringComparer.Ordinal).ToList();
        var inMetadata = Metadata(dir).Select(f => f!["name"]!.GetValue<string>()).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(inCode);
        Assert.Equal(inCode, inMetadata);
        foreach (var function in Metadata(dir))
        {
            Assert.Equal("dotnet-isolated", function!["language"]!.GetValue<string>());
            Assert.Equal(app + ".dll", function["scriptFile"]!.GetValue<string>());
        }
    }

    [Theory]
    [MemberData(nameof(Apps))]
    public void Names_are_valid_and_unique_ignoring_case(string app)
    {
        var names = Metadata(TestApps.BuildOutput(app)).Select(f => f!["name"]!.GetValue<string>()).ToList();
        Assert.All(names, n => Assert.Matches("^[A-Za-z][A-Za-z0-9_-]{0,127}$", n));
        Assert.Equal(names.Count, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Fact]
    public void Http_functions_are_anonymous_and_no_two_take_one_route_and_method()
    {
        var seen = new Dictionary<string, string>();
        foreach (var function in Metadata(TestApps.Http))
        {
            var name = function!["name"]!.GetValue<string>();
            var trigger = function["bindings"]!.AsArray().Single(b => b!["direction"]!.GetValue<string>() == "In")!;
            Assert.Equal("httpTrigger", trigger["type"]!.GetValue<string>());
            // The app authenticates callers itself (bearer tokens it issues); function keys would stand in front of that.
            Assert.Equal("Anonymous", trigger["authLevel"]!.GetValue<string>());
            Assert.Contains(function["bindings"]!.AsArray(), b => b!["type"]!.GetValue<string>() == "http" && b["direction"]!.GetValue<string>() == "Out");

            var route = trigger["route"]!.GetValue<string>();
            Assert.False(route.StartsWith("api/", StringComparison.OrdinalIgnoreCase), $"{name}: the route must not repeat the api prefix");
            Assert.DoesNotMatch("^(admin|runtime)(/|$)", route.ToLowerInvariant());
            var methods = trigger["methods"]!.AsArray().Select(m => m!.GetValue<string>()).ToList();
            Assert.NotEmpty(methods);
            // No two functions on one route template with a common method (parameter names do not matter).
            var shape = Regex.Replace(route.ToLowerInvariant(), @"\{[^}]*\}", "{}");
            foreach (var method in methods)
                Assert.True(seen.TryAdd(method + " " + shape, name), $"{name} and {seen.GetValueOrDefault(method + " " + shape)} both take {method} {route}");
        }
    }

    [Fact]
    public void Http_route_prefix_in_host_json_is_the_one_the_app_documents()
    {
        var host = JsonNode.Parse(File.ReadAllText(Path.Combine(TestApps.Http, "host.json")))!;
        Assert.Equal(TravelFunctions.Http.Infrastructure.HttpFunction.RoutePrefix, host["extensions"]!["http"]!["routePrefix"]!.GetValue<string>());
        Assert.Null(host["customHandler"]);
        Assert.Null(host["extensionBundle"]); // the worker's extensions ship in .azurefunctions/
    }
}
