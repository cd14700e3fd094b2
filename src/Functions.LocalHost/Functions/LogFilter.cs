using System.Collections.Concurrent;
using System.Text.Json;
using TravelFunctions.LocalHost.Rpc;

namespace TravelFunctions.LocalHost.Functions;

/// <summary>Which worker logs (RpcLog) the host passes on: host.json logging.logLevel, where the longest key
/// that starts the log's category wins and "default" (Information when absent) covers the rest.</summary>
internal sealed class LogFilter
{
    private readonly Dictionary<string, RpcLog.Types.Level> _levels;
    private readonly RpcLog.Types.Level _default;
    private readonly ConcurrentDictionary<string, RpcLog.Types.Level> _byCategory = new(StringComparer.Ordinal);

    public static readonly LogFilter Default = new(new Dictionary<string, RpcLog.Types.Level>(), RpcLog.Types.Level.Information);

    private LogFilter(Dictionary<string, RpcLog.Types.Level> levels, RpcLog.Types.Level defaultLevel)
    {
        _levels = levels;
        _default = defaultLevel;
    }

    public bool IsEnabled(string category, RpcLog.Types.Level level) =>
        level != RpcLog.Types.Level.None && level >= _byCategory.GetOrAdd(category, MinimumFor);

    public static LogFilter Read(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "host.json");
        if (!File.Exists(path)) return Default;
        using var document = JsonDocument.Parse(File.ReadAllText(path),
            new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        if (!document.RootElement.TryGetProperty("logging", out var logging) || !logging.TryGetProperty("logLevel", out var logLevel)
            || logLevel.ValueKind != JsonValueKind.Object)
            return Default;

        var levels = new Dictionary<string, RpcLog.Types.Level>(StringComparer.OrdinalIgnoreCase);
        foreach (var entry in logLevel.EnumerateObject())
            if (Enum.TryParse<RpcLog.Types.Level>(entry.Value.GetString(), ignoreCase: true, out var level)) levels[entry.Name] = level;
        var defaultLevel = levels.Remove("default", out var configured) ? configured : RpcLog.Types.Level.Information;
        return new LogFilter(levels, defaultLevel);
    }

    private RpcLog.Types.Level MinimumFor(string category)
    {
        var best = _default;
        var bestLength = -1;
        foreach (var (prefix, level) in _levels)
            if (prefix.Length > bestLength && category.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
                (best, bestLength) = (level, prefix.Length);
        return best;
    }
}
