using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using TravelFunctions.Data.Connections;
using TravelFunctions.Data.Jobs;
using TravelFunctions.Data.Maintenance;
using TravelFunctions.Timers.Jobs;

namespace TravelFunctions.Timers.Ops;

/// <summary>
/// `Functions.Timers policy [--json]`: the maintenance policy in force, as the jobs would read it now. Per table from
/// maintenance.table_settings (partition premake, hot window, action, enabled; row-level retention periods; rows no
/// job reads), the expiry-partitioned caches, and the effective settings (Maintenance__…, JobTimeBudgetSeconds, the
/// schedules). Reads through TravelDb as travel_maintenance, the jobs' own role; writes nothing.
/// </summary>
public static class PolicyCommand
{
    public const string Name = "policy";

    public static Command Create(IServiceProvider services, TextWriter output, TextWriter error)
    {
        var json = new Option<bool>("--json") { Description = "Print the policy as one JSON document" };
        var command = new Command(Name, "Show the maintenance policy in force: per-table settings and the effective option values") { json };
        command.SetAction(async (parse, ct) =>
        {
            MaintenancePolicy policy;
            try
            {
                await using var conn = await services.GetRequiredService<TravelDataSources>().Pooled.OpenConnectionAsync(ct);
                policy = await MaintenancePolicy.ReadAsync(conn, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await error.WriteLineAsync($"policy: failed: {ex.GetType().Name}: {ex.Message}");
                return OpsCommandLine.Failed;
            }
            var settings = Settings(services);
            if (parse.GetValue(json)) await output.WriteLineAsync(ToJson(policy, settings).ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            else await WriteTextAsync(output, policy, settings);
            return 0;
        });
        return command;
    }

    /// <summary>Setting name, effective value, what it does; in the order of the README's table.</summary>
    private static List<(string Setting, string? Value, string Meaning)> Settings(IServiceProvider services)
    {
        var maintenance = services.GetRequiredService<IOptions<MaintenanceOptions>>().Value;
        var list = maintenance.Describe().Select(s => (s.Setting, (string?)s.Value.ToString(CultureInfo.InvariantCulture), s.Meaning)).ToList();
        list.Add(("JobTimeBudgetSeconds", services.GetRequiredService<IOptions<JobRunnerOptions>>().Value.JobTimeBudgetSeconds.ToString(CultureInfo.InvariantCulture),
            "time budget of one run"));
        // The schedules are the host's (it resolves %<Job>Schedule%): shown as this process's configuration has them.
        var config = services.GetRequiredService<IConfiguration>();
        foreach (var job in services.GetRequiredService<JobCatalog>().Names)
        {
            var setting = JobCatalog.ScheduleSetting(job);
            list.Add((setting, config[setting] is { Length: > 0 } schedule ? schedule : null, $"when {job} runs (UTC NCRONTAB)"));
        }
        return list;
    }

    private static async Task WriteTextAsync(TextWriter o, MaintenancePolicy p, List<(string Setting, string? Value, string Meaning)> settings)
    {
        await o.WriteLineAsync("Partitioned tables (PartitionMaintenance; maintenance.table_settings):");
        await o.WriteLineAsync($"  {"table",-24} {"premake",7} {"hot months",10}  {"action",-8} {"enabled",-7}");
        foreach (var t in p.Partitioned)
            await o.WriteLineAsync($"  {t.Name,-24} {t.PremakeMonths,7} {t.HotMonths?.ToString(CultureInfo.InvariantCulture) ?? "-",10}  " +
                $"{t.RetentionAction ?? "-",-8} {YesNo(t.Enabled),-7}" + (t.HotMonths is null ? "  (no retention: partitions are kept)" : ""));
        await o.WriteLineAsync();
        await o.WriteLineAsync("Row retention (maintenance.table_settings.retention_days):");
        await o.WriteLineAsync($"  {"table",-24} {"job",-15} {"days",5}  {"enabled",-7} meaning");
        foreach (var r in p.RowRetention)
            await o.WriteLineAsync($"  {r.Table,-24} {r.Job,-15} {r.Days,5}  {YesNo(r.Enabled),-7} {r.Meaning}" +
                (r.FromTableSettings ? "" : " [built-in default: no retention_days in table_settings]"));
        await o.WriteLineAsync();
        await o.WriteLineAsync("Caches partitioned by expiry (CacheExpiry; maintenance.expiry_partitioned_tables):");
        foreach (var e in p.ExpiryPartitioned)
            await o.WriteLineAsync($"  {e.Table,-24} buckets of {e.Bucket.TotalHours:0.##} h, longest TTL {e.MaxTtl.TotalHours:0.##} h");
        if (p.UnusedSettings.Count > 0)
        {
            await o.WriteLineAsync();
            await o.WriteLineAsync($"Rows of maintenance.table_settings no job reads: {string.Join(", ", p.UnusedSettings)}");
        }
        await o.WriteLineAsync();
        await o.WriteLineAsync("Settings (app settings; defaults where unset):");
        foreach (var (setting, value, meaning) in settings)
            await o.WriteLineAsync($"  {setting,-36} {value ?? "(not set)",-16} {meaning}");
    }

    private static JsonObject ToJson(MaintenancePolicy p, List<(string Setting, string? Value, string Meaning)> settings)
    {
        var partitioned = new JsonArray();
        foreach (var t in p.Partitioned)
            partitioned.Add(new JsonObject
            {
                ["table"] = t.Name, ["premake_months"] = t.PremakeMonths, ["hot_months"] = t.HotMonths,
                ["retention_action"] = t.RetentionAction, ["enabled"] = t.Enabled,
            });
        var rows = new JsonArray();
        foreach (var r in p.RowRetention)
            rows.Add(new JsonObject
            {
                ["table"] = r.Table, ["job"] = r.Job, ["retention_days"] = r.Days, ["enabled"] = r.Enabled,
                ["from_table_settings"] = r.FromTableSettings, ["meaning"] = r.Meaning,
            });
        var expiry = new JsonArray();
        foreach (var e in p.ExpiryPartitioned)
            expiry.Add(new JsonObject { ["table"] = e.Table, ["bucket_hours"] = e.Bucket.TotalHours, ["max_ttl_hours"] = e.MaxTtl.TotalHours });
        var values = new JsonObject();
        // Numbers stay numbers in JSON; schedules are strings.
        foreach (var (setting, value, _) in settings)
            values[setting] = value is null ? null : long.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? n : value;
        return new JsonObject
        {
            ["partitioned_tables"] = partitioned,
            ["row_retention"] = rows,
            ["expiry_partitioned_tables"] = expiry,
            ["unused_table_settings"] = new JsonArray(p.UnusedSettings.Select(t => (JsonNode?)t).ToArray()),
            ["settings"] = values,
        };
    }

    private static string YesNo(bool value) => value ? "yes" : "no";
}
