using System.Security.Claims;

namespace TravelFunctions.Http.Auth;

/// <summary>
/// Every access token says whom it is for in its <c>token_use</c> claim: a user (signed in with a password) or an
/// agent client (client credentials). Functions accept one kind by their policy, so an agent id that happened to
/// equal a user id would still be no user.
/// </summary>
public static class TokenKinds
{
    public const string Claim = "token_use";
    public const string User = "user";
    public const string Agent = "agent";

    /// <summary>The refresh family a user token was issued in (POST /api/auth/logout revokes it).</summary>
    public const string SessionClaim = "sid";

    public static string? Of(ClaimsPrincipal principal) => principal.FindFirst(Claim)?.Value;
}
