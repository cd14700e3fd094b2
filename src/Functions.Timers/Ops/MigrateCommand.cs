using TravelFunctions.Data.Connections;
using System.CommandLine;
using TravelFunctions.Data.Migrations;
using TravelFunctions.Timers.Settings;

namespace TravelFunctions.Timers.Ops;

/// <summary>
/// `Functions.Timers migrate [--dir DIR]`: applies sql/migrations (shipped beside the executable) to the database
/// named by TravelDbDirect (Neon's direct endpoint, role travel_owner). Safe to run from two places at once
/// (advisory lock); refuses to run when an applied file was edited or removed.
/// </summary>
public static class MigrateCommand
{
    public const string Name = "migrate";

    public static Command Create(IServiceProvider services, TextWriter output, TextWriter error)
    {
        var dir = new Option<string>("--dir")
        {
            Description = "Folder of the NNNN_name.sql files (default: the migrations shipped with the app)",
            DefaultValueFactory = _ => MigrationRunner.DefaultDirectory,
        };
        var command = new Command(Name, "Apply the database migrations on the direct endpoint (TravelDbDirect)") { dir };
        command.SetAction(async (parse, ct) =>
        {
            var direct = services.GetRequiredService<IOptions<DirectDatabaseOptions>>().Value.TravelDbDirect!;
            var log = services.GetRequiredService<ILoggerFactory>().CreateLogger("migrate");
            try
            {
                var applied = await new MigrationRunner(direct, parse.GetValue(dir)!, log).MigrateAsync(ct);
                await output.WriteLineAsync(applied.Count == 0 ? "migrate: up to date" : $"migrate: applied {string.Join(", ", applied)}");
                return 0;
            }
            catch (Exception ex) when (ex is MigrationException or DirectoryNotFoundException)
            {
                await error.WriteLineAsync("migrate: " + ex.Message);
                return OpsCommandLine.Failed;
            }
        });
        return command;
    }
}
