using System.Security.Cryptography;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace TravelFunctions.Http.Auth;

public sealed record TokenPair(string AccessToken, string TokenType, int ExpiresIn, string RefreshToken);

/// <summary>Issues the API's own bearer tokens (HS256) and opaque refresh tokens.</summary>
public sealed class TokenIssuer(IOptions<JwtOptions> options, TimeProvider clock)
{
    private readonly JsonWebTokenHandler _handler = new();
    private readonly JwtOptions _o = options.Value;
    // One key instance for the process, so IdentityModel's cached HMAC provider is reused per token.
    private readonly SigningCredentials _signing = new(options.Value.Key(), SecurityAlgorithms.HmacSha256);

    public TimeSpan RefreshLifetime => TimeSpan.FromDays(_o.RefreshTokenDays);

    /// <summary>A user's token, tied to the refresh family it was issued in.</summary>
    public string CreateUserToken(Guid userId, Guid familyId) =>
        CreateAccessToken(userId, new() { [TokenKinds.Claim] = TokenKinds.User, [TokenKinds.SessionClaim] = familyId.ToString() });

    /// <summary>An agent client's token: its scopes and nothing a user token has.</summary>
    public string CreateAgentToken(Guid clientId, IEnumerable<string> scopes)
    {
        var claims = new Dictionary<string, object> { [TokenKinds.Claim] = TokenKinds.Agent };
        if (scopes.Any()) claims["scope"] = string.Join(' ', scopes);
        return CreateAccessToken(clientId, claims);
    }

    private string CreateAccessToken(Guid subject, Dictionary<string, object> claims)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        claims[JwtRegisteredClaimNames.Sub] = subject.ToString();
        claims[JwtRegisteredClaimNames.Jti] = Guid.NewGuid().ToString("N");
        return _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = _o.Issuer,
            Audience = _o.Audience,
            IssuedAt = now,
            NotBefore = now,
            Expires = now.AddMinutes(_o.AccessTokenMinutes),
            Claims = claims,
            SigningCredentials = _signing,
        });
    }

    public TokenPair CreatePair(Guid userId, Guid familyId, string refreshToken) =>
        new(CreateUserToken(userId, familyId), "Bearer", _o.AccessTokenMinutes * 60, refreshToken);

    /// <summary>A new opaque refresh token and the SHA-256 the database keeps instead of it.</summary>
    public static (string Token, byte[] Hash) NewRefreshToken()
    {
        var token = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
        return (token, HashRefreshToken(token));
    }

    public static byte[] HashRefreshToken(string token) => SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token));
}
