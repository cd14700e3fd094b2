using System.Text.Json;
using System.Text.RegularExpressions;
using NCrontab;
using TravelFunctions.LocalHost.Rpc;

namespace TravelFunctions.LocalHost.Functions;

/// <summary>Turns the worker's metadata (worker indexing) into <see cref="LoadedFunction"/>s: which trigger,
/// which route and methods, which schedule (with %Setting% resolved), which retry policy.</summary>
internal static partial class FunctionIndex
{
    public static LoadedFunction Describe(RpcFunctionMetadata metadata, string routePrefix, Func<string, string?> setting)
    {
        var rawBindings = metadata.RawBindings.ToList();
        var trigger = FindTrigger(metadata.Name, rawBindings);
        var type = GetString(trigger, "type")!;
        var name = GetString(trigger, "name") ?? throw new InvalidOperationException($"Function '{metadata.Name}': its trigger binding has no name.");

        string? route = null, schedule = null;
        string[] methods = [];
        if (type.Equals("httpTrigger", StringComparison.OrdinalIgnoreCase))
        {
            // The host's default route is the function name; the prefix comes from host.json.
            var template = GetString(trigger, "route") is { Length: > 0 } r ? r : metadata.Name;
            route = routePrefix.Length == 0 ? template.TrimStart('/') : routePrefix + "/" + template.TrimStart('/');
            methods = GetStrings(trigger, "methods").Select(m => m.ToUpperInvariant()).ToArray();
        }
        else if (type.Equals("timerTrigger", StringComparison.OrdinalIgnoreCase))
        {
            var declared = GetString(trigger, "schedule") ?? "";
            schedule = ResolveSettings(metadata.Name, declared, setting);
            // Named as declared, so a schedule from a setting names the setting ('%XSchedule%' = '…').
            ParseSchedule(metadata.Name, declared == schedule ? schedule : $"{declared}' = '{schedule}", schedule);
        }

        return new LoadedFunction(metadata.Name, metadata.FunctionId, type, name, route, methods, schedule,
            ToRetryPolicy(metadata.RetryOptions), rawBindings);
    }

    /// <summary>A six-field NCRONTAB expression (seconds first), evaluated in UTC.</summary>
    public static CrontabSchedule ParseSchedule(string functionName, string schedule) => ParseSchedule(functionName, schedule, schedule);

    private static CrontabSchedule ParseSchedule(string functionName, string described, string schedule) =>
        CrontabSchedule.TryParse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = true })
        ?? throw new InvalidOperationException(
            $"Function '{functionName}': schedule '{described}' is not a six-field NCRONTAB expression (second minute hour day month day-of-week).");

    /// <summary>Replaces each %Name% with that app setting, as the host's name resolver does.</summary>
    public static string ResolveSettings(string functionName, string value, Func<string, string?> setting) =>
        SettingToken().Replace(value, match =>
            setting(match.Groups[1].Value)
            ?? throw new InvalidOperationException(
                $"Function '{functionName}': '{value}' names the app setting '{match.Groups[1].Value}', which is not set."));

    private static JsonElement FindTrigger(string functionName, List<string> rawBindings)
    {
        foreach (var raw in rawBindings)
        {
            using var document = JsonDocument.Parse(raw);
            var binding = document.RootElement;
            if (GetString(binding, "type") is { } type && type.EndsWith("Trigger", StringComparison.OrdinalIgnoreCase)
                && string.Equals(GetString(binding, "direction"), "in", StringComparison.OrdinalIgnoreCase))
                return binding.Clone();
        }
        throw new InvalidOperationException($"Function '{functionName}' has no trigger binding.");
    }

    private static RetryPolicy? ToRetryPolicy(RpcRetryOptions? options) => options switch
    {
        null => null,
        { RetryStrategy: RpcRetryOptions.Types.RetryStrategy.FixedDelay } => new RetryPolicy(
            "fixedDelay", options.MaxRetryCount, options.DelayInterval?.ToTimeSpan(), null, null),
        _ => new RetryPolicy("exponentialBackoff", options.MaxRetryCount, null,
            options.MinimumInterval?.ToTimeSpan(), options.MaximumInterval?.ToTimeSpan()),
    };

    private static string? GetString(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase))
                return property.Value.ValueKind == JsonValueKind.String ? property.Value.GetString() : null;
        return null;
    }

    private static IEnumerable<string> GetStrings(JsonElement element, string name)
    {
        foreach (var property in element.EnumerateObject())
            if (property.Name.Equals(name, StringComparison.OrdinalIgnoreCase) && property.Value.ValueKind == JsonValueKind.Array)
                return property.Value.EnumerateArray().Select(v => v.GetString()).OfType<string>().ToList();
        return [];
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingToken();
}
