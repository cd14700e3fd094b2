using System.Text;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace TravelFunctions.Http.Auth;

/// <summary>
/// Settings Jwt__Issuer, Jwt__Audience, Jwt__SigningKey and Jwt__PreviousSigningKey (Key Vault in Azure),
/// Jwt__AccessTokenMinutes, Jwt__RefreshTokenDays.
/// </summary>
public sealed class JwtOptions
{
    public const string Section = "Jwt";

    public string Issuer { get; set; } = "";
    public string Audience { get; set; } = "";
    /// <summary>HMAC-SHA256 key: at least 32 bytes of randomness (base64 or plain text).</summary>
    public string SigningKey { get; set; } = "";
    /// <summary>
    /// During a key rollover only: the key tokens were signed with until now, still accepted (never used to sign) so
    /// that access tokens issued before the rollover stay valid until they expire. Empty the rest of the time.
    /// </summary>
    public string PreviousSigningKey { get; set; } = "";
    public int AccessTokenMinutes { get; set; } = 15;
    public int RefreshTokenDays { get; set; } = 30;

    public SymmetricSecurityKey Key() => new(Encoding.UTF8.GetBytes(SigningKey));

    /// <summary>The keys a token may be signed with: the current one, and the previous one during a rollover.</summary>
    public IReadOnlyList<SecurityKey> ValidationKeys() =>
        PreviousSigningKey.Length == 0 ? [Key()] : [Key(), new SymmetricSecurityKey(Encoding.UTF8.GetBytes(PreviousSigningKey))];
}

/// <summary>
/// Checked at startup (ValidateOnStart), so a bad setting stops the app with a clear message instead of failing
/// at the first sign-in. Plain code rather than data annotations: those cost a reflection pass at every cold start.
/// </summary>
public sealed class JwtOptionsValidator(IHostEnvironment environment) : IValidateOptions<JwtOptions>
{
    /// <summary>The key in local.settings.sample.json: public, so good for local development and nothing else.</summary>
    public const string SampleSigningKey = "local-only-signing-key-change-me-0123456789abcdef";

    public ValidateOptionsResult Validate(string? name, JwtOptions o)
    {
        var failures = new List<string>();
        if (string.IsNullOrWhiteSpace(o.Issuer)) failures.Add("Jwt:Issuer is required.");
        if (string.IsNullOrWhiteSpace(o.Audience)) failures.Add("Jwt:Audience is required.");
        if (o.SigningKey.Length < 32) failures.Add("Jwt:SigningKey is required and must be at least 32 characters.");
        // An unresolved Key Vault reference arrives as its literal text: long enough, and public. Never sign with it.
        if (o.SigningKey.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
            failures.Add("Jwt:SigningKey is an unresolved Key Vault reference; check the secret and the app's Key Vault access.");
        if (o.PreviousSigningKey.Length > 0)
        {
            if (o.PreviousSigningKey.Length < 32) failures.Add("Jwt:PreviousSigningKey must be empty or at least 32 characters.");
            if (o.PreviousSigningKey.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
                failures.Add("Jwt:PreviousSigningKey is an unresolved Key Vault reference; check the secret version and the app's Key Vault access.");
            if (o.PreviousSigningKey == o.SigningKey) failures.Add("Jwt:PreviousSigningKey equals Jwt:SigningKey; a rollover needs a new signing key.");
        }
        if (o.SigningKey == SampleSigningKey && !environment.IsDevelopment())
            failures.Add("Jwt:SigningKey is the public sample key from local.settings.sample.json; it is allowed in Development only.");
        if (o.AccessTokenMinutes is < 1 or > 240) failures.Add("Jwt:AccessTokenMinutes must be between 1 and 240.");
        if (o.RefreshTokenDays is < 1 or > 365) failures.Add("Jwt:RefreshTokenDays must be between 1 and 365.");
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
