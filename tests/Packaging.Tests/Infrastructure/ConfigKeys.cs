using System.Reflection;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TravelFunctions.TestSupport;

namespace TravelFunctions.Tests.Packaging.Infrastructure;

/// <summary>
/// The settings an app reads, from its typed options: each options class the app registers names its section
/// (<c>public const string Section</c>, "" for the configuration root) and its properties are the settings, in the
/// Azure app-setting spelling (":" becomes "__"). And the settings infra/app-settings.json gives each app.
/// </summary>
public static partial class ConfigKeys
{
    /// <summary>
    /// Settings the platform consumes (the host's storage identity, its telemetry authentication): allowed in infra
    /// without the code reading them.
    /// </summary>
    public static bool IsPlatform(string key) =>
        key.StartsWith("AzureWebJobsStorage__", StringComparison.Ordinal) || key == "APPLICATIONINSIGHTS_AUTHENTICATION_STRING";

    /// <summary>Settings the code reads that only a local run sets (infra leaves them out on purpose).</summary>
    public static readonly HashSet<string> LocalOnly = ["Telemetry__Console"];

    public static HashSet<string> InfraKeys(string app) =>
        JsonNode.Parse(File.ReadAllText(Path.Combine(TestStack.RepoRoot, "infra", "app-settings.json")))![app]!.AsArray()
            .Select(k => k!.GetValue<string>()).ToHashSet(StringComparer.Ordinal);

    /// <summary>The options types registered in <paramref name="services"/> (anything IOptions&lt;T&gt; is configured for).</summary>
    public static IReadOnlyList<Type> OptionsTypes(IServiceCollection services) =>
        services.Select(d => d.ServiceType)
            .Where(t => t.IsGenericType && (t.GetGenericTypeDefinition() == typeof(IConfigureOptions<>) || t.GetGenericTypeDefinition() == typeof(IOptionsChangeTokenSource<>)))
            .Select(t => t.GetGenericArguments()[0]).Distinct().ToList();

    /// <summary>The settings of the app's options types that declare a Section (framework options do not).</summary>
    public static HashSet<string> SettingsOf(IEnumerable<Type> optionsTypes)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        foreach (var type in optionsTypes)
        {
            if (type.GetField("Section", BindingFlags.Public | BindingFlags.Static) is not { IsLiteral: true } field) continue;
            var section = (string)field.GetRawConstantValue()!;
            foreach (var property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite))
            {
                var name = property.GetCustomAttribute<ConfigurationKeyNameAttribute>()?.Name ?? property.Name;
                keys.Add((section.Length == 0 ? name : section + ":" + name).Replace(":", "__"));
            }
        }
        return keys;
    }

    [GeneratedRegex("%([A-Za-z0-9_]+)%")]
    private static partial Regex SettingReference();

    /// <summary>Settings the host resolves in the function metadata (a timer's "schedule": "%XSchedule%").</summary>
    public static HashSet<string> MetadataSettings(string appDirectory) =>
        SettingReference().Matches(File.ReadAllText(Path.Combine(appDirectory, "functions.metadata")))
            .Select(m => m.Groups[1].Value).ToHashSet(StringComparer.Ordinal);

    /// <summary>The Add… calls on builder.Services in an app's Program.cs, in order.</summary>
    public static IReadOnlyList<string> ProgramRegistrations(string app) =>
        Regex.Matches(File.ReadAllText(Path.Combine(TestStack.RepoRoot, "src", app, "Program.cs")), @"builder\.Services\.(\w+)\(")
            .Select(m => m.Groups[1].Value).ToList();
}
