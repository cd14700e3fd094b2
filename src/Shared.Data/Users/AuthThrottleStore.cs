using System.Security.Cryptography;
using System.Text;
using TravelFunctions.Data.Connections;

namespace TravelFunctions.Data.Users;

/// <summary>Whether a login attempt's password may be checked (app.auth_login_attempt, migration 0010).</summary>
public enum LoginGate { Allowed, ClientThrottled, AccountThrottled }

/// <summary>A request counter's window: hits so far (this one included) and when it starts over.</summary>
public sealed record RateWindow(int Hits, DateTimeOffset WindowEnds);

/// <summary>The login throttling policy's parameters (see docs/security.md, Authentication).</summary>
public sealed record LoginPolicy(
    int FreeFailures, TimeSpan BaseDelay, TimeSpan MaxDelay, TimeSpan ForgetAfter,
    int AccountFailures, TimeSpan AccountWindow, TimeSpan AccountInterval);

/// <summary>
/// Request limits and login throttling, in PostgreSQL so every instance sees the same counts. Keys are SHA-256
/// digests of what they count (an address, an email, an email and an address), never the values themselves.
/// </summary>
public sealed class AuthThrottleStore(Db db)
{
    public static byte[] Key(string kind, string value) => SHA256.HashData(Encoding.UTF8.GetBytes(kind + ":" + value));

    /// <summary>Counts one request in the key's current window; returns the window's count with it and when the window ends.</summary>
    public Task<RateWindow> HitAsync(byte[] key, DateTimeOffset now, TimeSpan window, CancellationToken ct) =>
        db.AnonymousAsync(tx => tx.QuerySingleAsync<RateWindow>(
            "SELECT o_hits AS hits, o_window_ends AS window_ends FROM app.auth_rate_hit(@key, @now, make_interval(secs => @seconds))",
            new { key, now, seconds = window.TotalSeconds }), ct);

    /// <summary>Decides and counts the attempt atomically, before any password is checked.</summary>
    public async Task<LoginGate> BeginLoginAsync(byte[] account, byte[] pair, DateTimeOffset now, LoginPolicy p, CancellationToken ct) =>
        await db.AnonymousAsync(tx => tx.ExecuteScalarAsync<string>("""
            SELECT app.auth_login_attempt(@account, @pair, @now, @FreeFailures, make_interval(secs => @baseDelay),
                     make_interval(secs => @maxDelay), make_interval(secs => @forgetAfter), @AccountFailures,
                     make_interval(secs => @accountWindow), make_interval(secs => @accountInterval))
            """, new
            {
                account, pair, now, p.FreeFailures, baseDelay = p.BaseDelay.TotalSeconds, maxDelay = p.MaxDelay.TotalSeconds,
                forgetAfter = p.ForgetAfter.TotalSeconds, p.AccountFailures, accountWindow = p.AccountWindow.TotalSeconds,
                accountInterval = p.AccountInterval.TotalSeconds,
            }), ct) switch
        {
            "allowed" => LoginGate.Allowed,
            "client" => LoginGate.ClientThrottled,
            _ => LoginGate.AccountThrottled,
        };

    /// <summary>The password was right: the (account, client) pair starts over.</summary>
    public Task SucceededAsync(byte[] account, byte[] pair, CancellationToken ct) =>
        db.AnonymousAsync(tx => tx.ExecuteAsync("SELECT app.auth_login_succeeded(@account, @pair)", new { account, pair }), ct);
}
