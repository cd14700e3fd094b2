using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using TravelFunctions.TestSupport;

namespace TravelFunctions.Tests.Packaging.Infrastructure;

/// <summary>
/// The configuration keys an app's code reads, found in its source, in the Azure app-setting spelling
/// (":" becomes "__"), and the keys infra/app-settings.json gives it.
/// </summary>
public static partial class ConfigKeys
{
    /// <summary>Source folders whose reads count for each app (Shared.Data's connections are used by both; the rest by the timers).</summary>
    public static readonly IReadOnlyDictionary<string, string[]> SourceRoots = new Dictionary<string, string[]>
    {
        ["Functions.Http"] = ["src/Functions.Http", "src/Shared.Data/Connections"],
        ["Functions.Timers"] = ["src/Functions.Timers", "src/Shared.Data"],
    };

    /// <summary>Set by the Functions host itself, never an app setting.</summary>
    public static readonly string[] HostProvided = ["FUNCTIONS_CUSTOMHANDLER_PORT"];

    /// <summary>
    /// Settings the platform consumes (host storage identity, telemetry) or that Azure SDK conventions read:
    /// allowed in infra without the code reading them. When the code does read one, it must be set like any other.
    /// </summary>
    public static bool IsAmbient(string key) =>
        key.StartsWith("AzureWebJobsStorage__", StringComparison.Ordinal)
        || key.StartsWith("APPLICATIONINSIGHTS_", StringComparison.Ordinal)
        || key == "AZURE_CLIENT_ID";

    public static HashSet<string> InfraKeys(string app) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TestStack.RepoRoot, "infra", "app-settings.json")))![app]!.AsArray()
            .Select(k => k!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);

    [GeneratedRegex(@"const\s+string\s+(\w+)\s*=\s*""([^""]+)""")]
    private static partial Regex Constant();

    // config["X"], configuration[Key], GetValue<int>("X", …), GetSection(Section), GetConnectionString("X"), GetEnvironmentVariable(Key)
    [GeneratedRegex(@"(?:\b[Cc]onfig\w*|\bConfiguration)\s*\[\s*(?<arg>""[^""]+""|[\w.]+)\s*\]|\b(?<call>GetValue|GetSection|GetConnectionString|GetEnvironmentVariable|GetRequiredSection)\s*(?:<[^>()]+>)?\(\s*(?<arg>""[^""]+""|[\w.]+)\s*[,)]")]
    private static partial Regex Read();

    /// <summary>Every key the app's source reads; options sections expand to their properties.</summary>
    public static HashSet<string> ReadBy(string app, HashSet<string> infra)
    {
        var files = SourceRoots[app].SelectMany(root => Directory.EnumerateFiles(Path.Combine(TestStack.RepoRoot, root), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains("/bin/") && !f.Contains("/obj/")).ToList();
        var texts = files.Select(File.ReadAllText).ToList();
        var constants = texts.SelectMany(t => Constant().Matches(t)).GroupBy(m => m.Groups[1].Value)
            .ToDictionary(g => g.Key, g => g.Select(m => m.Groups[2].Value).Distinct().ToList());

        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in texts.SelectMany(t => Read().Matches(t)))
        {
            var arg = m.Groups["arg"].Value;
            IEnumerable<string> values = arg.StartsWith('"') ? [arg.Trim('"')]
                : constants.TryGetValue(arg.Split('.')[^1], out var v) ? v
                : []; // a local variable or parameter: the read it forwards is found where its value is a literal or constant
            foreach (var value in values)
            {
                var key = value.Replace(":", "__");
                if (m.Groups["call"].Value is "GetSection" or "GetRequiredSection") keys.UnionWith(Section(key, infra));
                else keys.Add(key);
            }
        }
        keys.ExceptWith(HostProvided);
        return keys;
    }

    /// <summary>An options section: the properties of the options class that declares it, else whatever infra sets under it.</summary>
    private static IEnumerable<string> Section(string section, HashSet<string> infra)
    {
        var options = new[] { typeof(Program).Assembly, typeof(TravelFunctions.Data.Connections.Db).Assembly }
            .SelectMany(a => a.GetTypes())
            .FirstOrDefault(t => t.GetField("Section", BindingFlags.Public | BindingFlags.Static) is { IsLiteral: true } f && (string?)f.GetRawConstantValue() == section);
        if (options is not null)
            return options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).Select(p => $"{section}__{p.Name}");
        var set = infra.Where(k => k.StartsWith(section + "__", StringComparison.Ordinal)).ToList();
        return set.Count > 0 ? set : [section + "__*"];
    }
}
