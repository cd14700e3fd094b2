using Microsoft.Extensions.Options;
using TravelFunctions.Data.Users;

namespace TravelFunctions.Http.Auth;

/// <summary>
/// Settings Auth__… : request limits of the credential functions, the password hash, and the login throttling
/// policy (docs/security.md, Authentication). Defaults are the values in force before the policy was configurable.
/// </summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Requests per minute and client address to the credential functions.</summary>
    public int PermitsPerMinute { get; set; } = 20;

    /// <summary>PBKDF2 rounds of new password hashes (ASP.NET Core's default). Hashes keep their own count.</summary>
    public int PasswordHashIterations { get; set; } = 100_000;

    /// <summary>
    /// Proxies of ours in front of the Functions host that append the address they saw to X-Forwarded-For (an
    /// Azure Front Door, an Application Gateway). 0: the client is the address the Functions host saw.
    /// </summary>
    public int TrustedProxyHops { get; set; }

    /// <summary>Wrong passwords per (account, client address) before each further attempt must wait.</summary>
    public int LockoutFreeFailures { get; set; } = 5;

    /// <summary>The first wait after the free failures; each further failure doubles it.</summary>
    public int LockoutBaseDelaySeconds { get; set; } = 1;

    /// <summary>The longest wait between attempts of one (account, client address).</summary>
    public int LockoutMaxDelayMinutes { get; set; } = 15;

    /// <summary>Attempts per hour on one account from all clients together before the account-wide throttle starts.</summary>
    public int AccountFailuresPerHour { get; set; } = 100;

    /// <summary>Under the account-wide throttle: one attempt per this many seconds, whoever sends it.</summary>
    public int AccountIntervalSeconds { get; set; } = 30;

    /// <summary>How long an (account, client address) pair's failures are remembered after its last attempt.</summary>
    public static readonly TimeSpan ForgetPairAfter = TimeSpan.FromHours(24);

    public LoginPolicy LoginPolicy() => new(
        LockoutFreeFailures, TimeSpan.FromSeconds(LockoutBaseDelaySeconds), TimeSpan.FromMinutes(LockoutMaxDelayMinutes), ForgetPairAfter,
        AccountFailuresPerHour, TimeSpan.FromHours(1), TimeSpan.FromSeconds(AccountIntervalSeconds));
}

/// <summary>
/// Checked at startup. Fewer than 100,000 rounds only in Development (the tests' CPU budget); a production
/// instance with a weakened hash setting refuses to start.
/// </summary>
public sealed class AuthOptionsValidator(IHostEnvironment environment) : IValidateOptions<AuthOptions>
{
    public const int ProductionMinimumIterations = 100_000;

    public ValidateOptionsResult Validate(string? name, AuthOptions o)
    {
        var failures = new List<string>();
        if (o.PermitsPerMinute is < 1 or > 1_000_000) failures.Add("Auth:PermitsPerMinute must be between 1 and 1000000.");
        if (o.PasswordHashIterations < 1_000) failures.Add("Auth:PasswordHashIterations must be at least 1000.");
        else if (o.PasswordHashIterations < ProductionMinimumIterations && !environment.IsDevelopment())
            failures.Add($"Auth:PasswordHashIterations below {ProductionMinimumIterations} is allowed in Development only.");
        if (o.TrustedProxyHops is < 0 or > 5) failures.Add("Auth:TrustedProxyHops must be between 0 and 5.");
        if (o.LockoutFreeFailures is < 1 or > 100) failures.Add("Auth:LockoutFreeFailures must be between 1 and 100.");
        if (o.LockoutBaseDelaySeconds is < 1 or > 3600) failures.Add("Auth:LockoutBaseDelaySeconds must be between 1 and 3600.");
        if (o.LockoutMaxDelayMinutes is < 1 or > 1440) failures.Add("Auth:LockoutMaxDelayMinutes must be between 1 and 1440.");
        if (o.AccountFailuresPerHour is < 1 or > 100_000) failures.Add("Auth:AccountFailuresPerHour must be between 1 and 100000.");
        if (o.AccountIntervalSeconds is < 1 or > 3600) failures.Add("Auth:AccountIntervalSeconds must be between 1 and 3600.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
