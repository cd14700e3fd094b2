using System.Text.Json;

namespace TravelFunctions.LocalHost.Tests;

/// <summary>What the sample's timer functions recorded: one JSON line per run in &lt;function&gt;.log.</summary>
internal static class TimerRuns
{
    public sealed record Run(string InvocationId, bool IsPastDue, Status? ScheduleStatus, int? RetryCount, int? MaxRetryCount);

    public sealed record Status(DateTime Last, DateTime Next, DateTime LastUpdated);

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IReadOnlyList<Run> Read(string stateDirectory, string function)
    {
        var path = Path.Combine(stateDirectory, function + ".log");
        if (!File.Exists(path)) return [];
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(line => JsonSerializer.Deserialize<Run>(line, Json)!)
            .ToList();
    }

    /// <summary>Waits (up to a generous bound, to fail instead of hang) until the runs satisfy <paramref name="done"/>.</summary>
    public static async Task<IReadOnlyList<Run>> WaitFor(string stateDirectory, string function, Func<IReadOnlyList<Run>, bool> done)
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (true)
        {
            var runs = Read(stateDirectory, function);
            if (done(runs) || DateTime.UtcNow > deadline) return runs;
            await Task.Delay(100);
        }
    }
}
