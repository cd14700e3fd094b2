using Npgsql;

namespace TravelFunctions.Data.Connections;

/// <summary>
/// Turns a configured connection string (Neon's URI form or Npgsql's key=value form) into a builder,
/// and applies the settings each endpoint needs.
/// </summary>
public static class ConnectionStrings
{
    public static NpgsqlConnectionStringBuilder Parse(string value)
    {
        if (string.IsNullOrWhiteSpace(value))
            throw new InvalidOperationException("Connection string is empty.");
        value = value.Trim();
        return value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase)
            || value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
            ? FromUri(value)
            : new NpgsqlConnectionStringBuilder(value);
    }

    /// <summary>The pooled endpoint (PgBouncer in transaction mode): nothing may rely on session state.</summary>
    public static string ForPooledEndpoint(string value, int defaultMaxPoolSize = 20)
    {
        var b = Parse(value);
        if (!string.IsNullOrEmpty(b.Options) || !string.IsNullOrEmpty(b.SearchPath))
            throw new InvalidOperationException(
                "The pooled connection string must not set Options or Search Path: PgBouncer in transaction mode does not keep session settings.");
        b.NoResetOnClose = true;   // DISCARD ALL would run on a server connection another client may get next.
        b.MaxAutoPrepare = 0;      // PgBouncer 1.18 has no prepared-statement support.
        if (!Explicit(value, "Maximum Pool Size", "MaxPoolSize", "Max Pool Size")) b.MaxPoolSize = defaultMaxPoolSize;
        ApplyCommon(b, value);
        return b.ConnectionString;
    }

    /// <summary>The direct endpoint: migrations, DDL, COPY-heavy archive work, session locks.</summary>
    public static string ForDirectEndpoint(string value, int defaultMaxPoolSize = 5)
    {
        var b = Parse(value);
        if (!Explicit(value, "Maximum Pool Size", "MaxPoolSize", "Max Pool Size")) b.MaxPoolSize = defaultMaxPoolSize;
        ApplyCommon(b, value);
        return b.ConnectionString;
    }

    private static void ApplyCommon(NpgsqlConnectionStringBuilder b, string original)
    {
        // Neon wakes a suspended compute in ~0.5–3 s: be generous on connect.
        if (!Explicit(original, "Timeout")) b.Timeout = 15;
        if (!Explicit(original, "Command Timeout", "CommandTimeout")) b.CommandTimeout = 30;
        if (!Explicit(original, "Application Name", "ApplicationName"))
            b.ApplicationName = AppDomain.CurrentDomain.FriendlyName;
    }

    private static bool Explicit(string original, params string[] keys) =>
        keys.Any(k => original.Contains(k + "=", StringComparison.OrdinalIgnoreCase)
                   || original.Contains(k + " =", StringComparison.OrdinalIgnoreCase));

    private static NpgsqlConnectionStringBuilder FromUri(string value)
    {
        var uri = new Uri(value);
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port <= 0 ? 5432 : uri.Port,
            Database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/')) is { Length: > 0 } db ? db : "postgres",
        };
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            b.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2) b.Password = Uri.UnescapeDataString(parts[1]);
        }
        foreach (var pair in uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var kv = pair.Split('=', 2);
            var key = Uri.UnescapeDataString(kv[0]).ToLowerInvariant();
            var val = kv.Length == 2 ? Uri.UnescapeDataString(kv[1].Replace('+', ' ')) : "";
            switch (key)
            {
                case "sslmode":
                    b.SslMode = val.ToLowerInvariant() switch
                    {
                        "disable" => SslMode.Disable,
                        "allow" => SslMode.Allow,
                        "prefer" => SslMode.Prefer,
                        "require" => SslMode.Require,
                        "verify-ca" => SslMode.VerifyCA,
                        "verify-full" => SslMode.VerifyFull,
                        _ => throw new InvalidOperationException($"Unknown sslmode '{val}' in connection URI."),
                    };
                    break;
                case "channel_binding":
                    b.ChannelBinding = val.ToLowerInvariant() switch
                    {
                        "disable" => ChannelBinding.Disable,
                        "prefer" => ChannelBinding.Prefer,
                        "require" => ChannelBinding.Require,
                        _ => throw new InvalidOperationException($"Unknown channel_binding '{val}' in connection URI."),
                    };
                    break;
                case "connect_timeout": b.Timeout = int.Parse(val); break;
                case "application_name": b.ApplicationName = val; break;
                case "options": b.Options = val; break;
                default: b[key] = val; break; // let Npgsql reject what it does not know
            }
        }
        return b;
    }
}
