using Microsoft.Extensions.Options;

namespace TravelFunctions.Http.Auth;

/// <summary>Settings Auth__PermitsPerMinute and Auth__PasswordHashIterations.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Requests per minute and client address to the credential functions.</summary>
    public int PermitsPerMinute { get; set; } = 20;

    /// <summary>PBKDF2 rounds of new password hashes (ASP.NET Core's default). Hashes keep their own count.</summary>
    public int PasswordHashIterations { get; set; } = 100_000;
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
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
