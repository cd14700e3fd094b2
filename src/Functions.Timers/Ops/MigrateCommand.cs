using Microsoft.Extensions.Logging;
using TravelFunctions.Data.Migrations;

namespace TravelFunctions.Timers.Ops;

/// <summary>
/// `Functions.Timers migrate [--dir DIR]`: applies sql/migrations to the database named by TravelDbDirect
/// (Neon's direct endpoint, role travel_owner). Safe to run from two places at once (advisory lock).
/// </summary>
public static class MigrateCommand
{
    public static async Task<int> RunAsync(string[] args, ILoggerFactory logs)
    {
        var log = logs.CreateLogger("migrate");
        var direct = Environment.GetEnvironmentVariable("TravelDbDirect");
        if (string.IsNullOrWhiteSpace(direct))
        {
            Console.Error.WriteLine("migrate: set TravelDbDirect to the direct (non-pooled) connection string of the owner role.");
            return 2;
        }
        var dirIndex = Array.IndexOf(args, "--dir");
        var dir = dirIndex >= 0 && dirIndex + 1 < args.Length ? args[dirIndex + 1] : MigrationRunner.DefaultDirectory;
        try
        {
            var applied = await new MigrationRunner(direct, dir, log).MigrateAsync();
            Console.WriteLine(applied.Count == 0 ? "migrate: up to date" : $"migrate: applied {string.Join(", ", applied)}");
            return 0;
        }
        catch (MigrationException ex)
        {
            Console.Error.WriteLine("migrate: " + ex.Message);
            return 1;
        }
    }
}
