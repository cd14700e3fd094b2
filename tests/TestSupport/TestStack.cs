namespace TravelFunctions.TestSupport;

/// <summary>
/// Where the local stack (scripts/stack.sh) listens. scripts/test.sh exports the values; the defaults
/// match the script so a test run from an IDE works against a stack started by hand.
/// </summary>
public static class TestStack
{
    public static string AdminConnectionString =>
        Environment.GetEnvironmentVariable("TRAVEL_TEST_ADMIN")
        ?? "Host=127.0.0.1;Port=55432;Database=postgres;Username=postgres;Password=postgres_local";

    public static int PostgresPort => int.Parse(Environment.GetEnvironmentVariable("TRAVEL_PG_PORT") ?? "55432");
    public static int PgBouncerPort => int.Parse(Environment.GetEnvironmentVariable("TRAVEL_TEST_PGBOUNCER_PORT") ?? "56432");

    // Local-only passwords of the throwaway cluster (scripts/stack.sh).
    public const string OwnerPassword = "travel_owner_local";
    public const string AppPassword = "travel_app_local";
    public const string MaintenancePassword = "travel_maintenance_local";

    public static string ArchiveStorage =>
        Environment.GetEnvironmentVariable("ArchiveStorage")
        ?? "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;";

    public static string RepoRoot
    {
        get
        {
            var dir = new DirectoryInfo(AppContext.BaseDirectory);
            while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "TravelFunctions.sln"))) dir = dir.Parent;
            return dir?.FullName ?? throw new InvalidOperationException("TravelFunctions.sln not found above " + AppContext.BaseDirectory);
        }
    }
}
