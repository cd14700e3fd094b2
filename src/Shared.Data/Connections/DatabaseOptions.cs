using Microsoft.Extensions.Options;
using Npgsql;

namespace TravelFunctions.Data.Connections;

/// <summary>
/// Setting TravelDb: Neon's pooled endpoint (PgBouncer, transaction mode) for all request and job DML, in Neon's
/// URI form or Npgsql's key=value form. Both apps read it (the HTTP app as travel_app, the timers as travel_maintenance).
/// </summary>
public sealed class PooledDatabaseOptions
{
    /// <summary>App settings at the configuration root (no section).</summary>
    public const string Section = "";
    public const string Missing = "Setting TravelDb (the pooled connection string) is missing.";

    public string? TravelDb { get; set; }
}

/// <summary>
/// Setting TravelDbDirect: the direct endpoint, role travel_owner, for migrations, partition DDL, archive COPY and
/// session locks. Only the timers app (and the pipeline) read it; the HTTP app never gets the owner's string.
/// </summary>
public sealed class DirectDatabaseOptions
{
    public const string Section = "";
    public const string Missing = "Setting TravelDbDirect (the direct connection string, role travel_owner) is missing.";

    public string? TravelDbDirect { get; set; }
}

/// <summary>
/// A connection string that is set but cannot be used fails the start, naming the setting but never echoing the value
/// (it holds a password). Whether a setting must be present is each entry point's call (<see cref="DataServiceCollectionExtensions"/>).
/// </summary>
public sealed class DatabaseOptionsValidator : IValidateOptions<PooledDatabaseOptions>, IValidateOptions<DirectDatabaseOptions>
{
    public ValidateOptionsResult Validate(string? name, PooledDatabaseOptions options) =>
        Check("TravelDb", options.TravelDb, value => ConnectionStrings.ForPooledEndpoint(value));

    public ValidateOptionsResult Validate(string? name, DirectDatabaseOptions options) =>
        Check("TravelDbDirect", options.TravelDbDirect, value => ConnectionStrings.ForDirectEndpoint(value));

    private static ValidateOptionsResult Check(string setting, string? value, Func<string, string> build)
    {
        if (string.IsNullOrWhiteSpace(value)) return ValidateOptionsResult.Success;
        // An unresolved Key Vault reference arrives as its literal text.
        if (value.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
            return ValidateOptionsResult.Fail($"Setting {setting} is an unresolved Key Vault reference; check the secret and the app's Key Vault access.");
        try
        {
            build(value);
            return ValidateOptionsResult.Success;
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException or FormatException or NpgsqlException)
        {
            // ConnectionStrings' own messages name no value; Npgsql's name the offending keyword at most.
            return ValidateOptionsResult.Fail($"Setting {setting} is not a usable connection string: {ex.Message}");
        }
    }
}
