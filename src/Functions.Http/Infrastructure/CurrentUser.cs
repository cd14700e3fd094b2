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

    /// <summary>The id of the user who sent the request (functions without [AllowAnonymous] have one).</summary>
    public static Guid UserId(this HttpRequest request) => request.HttpContext.User.UserId();
}
