using Npgsql;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Timers.Settings;

/// <summary>
/// Settings TravelDb (Neon's pooled endpoint, role travel_maintenance) and TravelDbDirect (the direct endpoint,
/// role travel_owner), in Neon's URI form or Npgsql's key=value form. Which of them an entry point needs differs
/// (`migrate` and `archive` only the direct one), so the validator checks the form of whatever is set and each
/// entry point asks for what it needs (<see cref="Missing"/>): the function app for both, at start.
/// </summary>
public sealed class DatabaseOptions
{
    public string? TravelDb { get; set; }
    public string? TravelDbDirect { get; set; }

    public const string PooledMissing = "Setting TravelDb (the pooled connection string, role travel_maintenance) is missing.";
    public const string DirectMissing = "Setting TravelDbDirect (the direct connection string, role travel_owner) is missing.";

    public IEnumerable<string> Missing(bool pooled, bool direct)
    {
        if (pooled && string.IsNullOrWhiteSpace(TravelDb)) yield return PooledMissing;
        if (direct && string.IsNullOrWhiteSpace(TravelDbDirect)) yield return DirectMissing;
    }
}

/// <summary>
/// A connection string that cannot be used fails the start, naming the setting but never echoing the value
/// (it holds a password).
/// </summary>
public sealed class DatabaseOptionsValidator : IValidateOptions<DatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, DatabaseOptions options)
    {
        var failures = new List<string>();
        Check("TravelDb", options.TravelDb, value => ConnectionStrings.ForPooledEndpoint(value), failures);
        Check("TravelDbDirect", options.TravelDbDirect, value => ConnectionStrings.ForDirectEndpoint(value), failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(string setting, string? value, Func<string, string> build, List<string> failures)
    {
        if (string.IsNullOrWhiteSpace(value)) return;
        // An unresolved Key Vault reference arrives as its literal text.
        if (value.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
        {
            failures.Add($"Setting {setting} is an unresolved Key Vault reference; check the secret and the app's Key Vault access.");
            return;
        }
        try
        {
            build(value);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or NpgsqlException)
        {
            // ConnectionStrings' own messages name no value; Npgsql's name the offending keyword at most.
            failures.Add($"Setting {setting} is not a usable connection string: {ex.Message}");
        }
    }
}
