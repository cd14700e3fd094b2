using System.ComponentModel.DataAnnotations;
using System.Text;
using Microsoft.IdentityModel.Tokens;

namespace TravelFunctions.Http.Auth;

/// <summary>Settings Jwt__Issuer, Jwt__Audience, Jwt__SigningKey (Key Vault in Azure), Jwt__AccessTokenMinutes.</summary>
public sealed class JwtOptions : IValidatableObject
{
    public const string Section = "Jwt";

    [Required] public string Issuer { get; set; } = "";
    [Required] public string Audience { get; set; } = "";
    /// <summary>HMAC-SHA256 key: at least 32 bytes of randomness (base64 or plain text).</summary>
    [Required, MinLength(32)] public string SigningKey { get; set; } = "";
    [Range(1, 240)] public int AccessTokenMinutes { get; set; } = 15;
    [Range(1, 365)] public int RefreshTokenDays { get; set; } = 30;

    public IEnumerable<ValidationResult> Validate(ValidationContext context)
    {
        // An unresolved Key Vault reference arrives as its literal text: long enough to pass MinLength,
        // and public. Refuse to start rather than sign tokens with it.
        if (SigningKey.StartsWith("@Microsoft.KeyVault(", StringComparison.OrdinalIgnoreCase))
            yield return new ValidationResult("Jwt:SigningKey is an unresolved Key Vault reference; check the secret and the app's Key Vault access.", [nameof(SigningKey)]);
    }

    public SymmetricSecurityKey Key() => new(Encoding.UTF8.GetBytes(SigningKey));
}
