using System.Security.Claims;

namespace TravelFunctions.Http.Infrastructure;

public static class CurrentUser
{
    /// <summary>The authenticated user's id (the token's sub). Endpoints that call this require authorization.</summary>
    public static Guid UserId(this ClaimsPrincipal principal)
    {
        var sub = principal.FindFirstValue(ClaimTypes.NameIdentifier) ?? principal.FindFirstValue("sub");
        return Guid.TryParse(sub, out var id) ? id : throw new InvalidOperationException("Authenticated principal has no user id.");
    }
}
