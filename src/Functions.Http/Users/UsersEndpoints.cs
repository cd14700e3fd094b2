using System.Security.Claims;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using TravelFunctions.Data.Users;
using TravelFunctions.Http.Auth;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Users;

public static class UsersEndpoints
{
    public static RouteGroupBuilder MapUsers(this RouteGroupBuilder api)
    {
        var users = api.MapGroup("/users").WithTags("Users");
        users.MapPost("/", Register).WithName("RegisterUser").Validate<RegisterRequest>()
            .RequireRateLimiting(AuthExtensions.AuthRateLimit);

        var me = users.MapGroup("/me").RequireAuthorization();
        me.MapGet("/", GetMe).WithName("GetMyProfile");
        me.MapPatch("/", UpdateMe).WithName("UpdateMyProfile").Validate<UpdateUserRequest>();
        me.MapDelete("/", DeleteMe).WithName("DeleteMyAccount");
        me.MapGet("/export", ExportMe).WithName("ExportMyData");
        return api;
    }

    private static async Task<Results<Created<UserResponse>, ProblemHttpResult, ValidationProblem>> Register(
        RegisterRequest r, UserStore users, IPasswordHasher<PasswordOwner> hasher, CancellationToken ct)
    {
        var user = new NewUser(Guid.NewGuid(), r.Email!.Trim(), hasher.HashPassword(PasswordOwner.Instance, r.Password!),
            r.FirstName!.Trim(), r.LastName!.Trim(), string.IsNullOrWhiteSpace(r.Phone) ? null : r.Phone.Trim());
        if (!await users.RegisterAsync(user, ct))
            return Problems.Conflict("An account with this email already exists.");
        var created = await users.GetAsync(user.Id, ct);
        return TypedResults.Created("/api/users/me", ToResponse(created!.Value));
    }

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetMe(ClaimsPrincipal principal, UserStore users, CancellationToken ct) =>
        await users.GetAsync(principal.UserId(), ct) is { } found ? TypedResults.Ok(ToResponse(found)) : Problems.NotFound("The user");

    private static async Task<Results<Ok<UserResponse>, ProblemHttpResult, ValidationProblem>> UpdateMe(
        UpdateUserRequest r, ClaimsPrincipal principal, UserStore users, CancellationToken ct)
    {
        var p = r.Preferences;
        var changes = new UserChanges(
            FirstName: r.FirstName?.Trim(), LastName: r.LastName?.Trim(),
            Phone: string.IsNullOrEmpty(r.Phone) ? null : r.Phone.Trim(), ClearPhone: r.Phone == "",
            CabinClass: p?.CabinClass.ToText(), Seat: p?.Seat.ToText(), Meal: p?.Meal.ToText(),
            AirlinesJson: Json(p?.Airlines), HotelChainsJson: Json(p?.HotelChains), LoyaltyJson: Json(p?.LoyaltyPrograms),
            NotificationsJson: Json(p?.Notifications), AccessibilityJson: Json(p?.Accessibility), DietaryJson: Json(p?.Dietary),
            Language: p?.Language, Timezone: p?.Timezone, HomeAirport: p?.HomeAirport);
        return await users.UpdateAsync(principal.UserId(), changes, ct) is { } updated
            ? TypedResults.Ok(ToResponse(updated)) : Problems.NotFound("The user");
    }

    private static async Task<NoContent> DeleteMe(ClaimsPrincipal principal, UserStore users, CancellationToken ct)
    {
        await users.SoftDeleteAsync(principal.UserId(), ct);
        return TypedResults.NoContent();
    }

    private static async Task<ContentHttpResult> ExportMe(ClaimsPrincipal principal, UserExport export, HttpContext http, CancellationToken ct)
    {
        var json = await export.ExportAsync(principal.UserId(), ct);
        http.Response.Headers.ContentDisposition = "attachment; filename=\"travel-data-export.json\"";
        return TypedResults.Text(json, "application/json");
    }

    private static string? Json<T>(T? value) => value is null ? null : JsonSerializer.Serialize(value, ApiJson.Options);

    private static T FromJson<T>(string json) => JsonSerializer.Deserialize<T>(json, ApiJson.Options)!;

    internal static UserResponse ToResponse((UserRow User, ProfileRow Profile) found)
    {
        var (u, p) = found;
        return new UserResponse(u.Id, u.Email, u.FirstName, u.LastName, u.Phone, u.EmailVerified, u.CreatedAt,
            u.UpdatedAt > p.UpdatedAt ? u.UpdatedAt : p.UpdatedAt, u.LastLoginAt,
            new Preferences(
                EnumText.ParseOrNull<CabinClass>(p.PreferredCabinClass), EnumText.ParseOrNull<SeatPreference>(p.SeatPreference),
                EnumText.ParseOrNull<MealPreference>(p.MealPreference),
                FromJson<List<string>>(p.PreferredAirlines), FromJson<List<string>>(p.PreferredHotelChains),
                FromJson<List<LoyaltyProgram>>(p.LoyaltyPrograms), FromJson<NotificationPreferences>(p.NotificationPreferences),
                FromJson<List<string>>(p.AccessibilityRequirements), FromJson<List<string>>(p.DietaryRestrictions),
                p.PreferredLanguage, p.Timezone, p.HomeAirport));
    }
}
