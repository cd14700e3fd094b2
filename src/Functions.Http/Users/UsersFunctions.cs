using System.Text.Json;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Azure.Functions.Worker;
using TravelFunctions.Data.Users;
using TravelFunctions.Http.Auth;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Users;

public sealed class UsersFunctions(UserStore users, UserExport export, IPasswordHasher<PasswordOwner> hasher)
{
    [Function("RegisterUser")]
    [AllowAnonymous, EnableRateLimiting(AuthRateLimiter.PolicyName), RequestSizeLimit(AuthFunctions.BodyLimit)]
    public async Task<Results<Created<UserResponse>, ProblemHttpResult, ValidationProblem>> Register(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "users")] HttpRequest req, [JsonBody] RegisterRequest r)
    {
        var user = new NewUser(Guid.NewGuid(), r.Email!.Trim(), hasher.HashPassword(PasswordOwner.Instance, r.Password!),
            r.FirstName!.Trim(), r.LastName!.Trim(), string.IsNullOrWhiteSpace(r.Phone) ? null : r.Phone.Trim());
        return await users.RegisterAsync(user, req.HttpContext.RequestAborted) is { } created
            ? TypedResults.Created("/api/users/me", ToResponse(created))
            : Problems.Conflict("An account with this email already exists.");
    }

    [Function("GetMyProfile")]
    public async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetMe(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "users/me")] HttpRequest req)
    {
        req.NoStore();
        return await users.GetAsync(req.UserId(), req.HttpContext.RequestAborted) is { } found ? TypedResults.Ok(ToResponse(found)) : Problems.NotFound("The user");
    }

    [Function("UpdateMyProfile")]
    public async Task<Results<Ok<UserResponse>, ProblemHttpResult, ValidationProblem>> UpdateMe(
        [HttpTrigger(AuthorizationLevel.Anonymous, "patch", Route = "users/me")] HttpRequest req, [JsonBody] UpdateUserRequest r)
    {
        req.NoStore();
        var p = r.Preferences;
        var changes = new UserChanges(
            FirstName: r.FirstName?.Trim(), LastName: r.LastName?.Trim(),
            Phone: string.IsNullOrEmpty(r.Phone) ? null : r.Phone.Trim(), ClearPhone: r.Phone == "" || r.Clears("phone", r.Phone),
            CabinClass: p?.CabinClass.ToText(), Seat: p?.Seat.ToText(), Meal: p?.Meal.ToText(),
            AirlinesJson: ListJson(r, "airlines", p?.Airlines), HotelChainsJson: ListJson(r, "hotelChains", p?.HotelChains),
            LoyaltyJson: ListJson(r, "loyaltyPrograms", p?.LoyaltyPrograms), NotificationsJson: Json(p?.Notifications),
            AccessibilityJson: ListJson(r, "accessibility", p?.Accessibility), DietaryJson: ListJson(r, "dietary", p?.Dietary),
            Language: p?.Language, Timezone: p?.Timezone, HomeAirport: p?.HomeAirport,
            ClearCabinClass: r.Clears("preferences/cabinClass", p?.CabinClass), ClearSeat: r.Clears("preferences/seat", p?.Seat),
            ClearMeal: r.Clears("preferences/meal", p?.Meal), ClearHomeAirport: r.Clears("preferences/homeAirport", p?.HomeAirport));
        return await users.UpdateAsync(req.UserId(), changes, req.HttpContext.RequestAborted) is { } updated
            ? TypedResults.Ok(ToResponse(updated)) : Problems.NotFound("The user");
    }

    [Function("DeleteMyAccount")]
    public async Task<NoContent> DeleteMe([HttpTrigger(AuthorizationLevel.Anonymous, "delete", Route = "users/me")] HttpRequest req)
    {
        await users.SoftDeleteAsync(req.UserId(), req.HttpContext.RequestAborted);
        return TypedResults.NoContent();
    }

    [Function("ExportMyData")]
    public async Task<ContentHttpResult> ExportMe([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "users/me/export")] HttpRequest req)
    {
        req.NoStore();
        var json = await export.ExportAsync(req.UserId(), req.HttpContext.RequestAborted);
        req.HttpContext.Response.Headers.ContentDisposition = "attachment; filename=\"travel-data-export.json\"";
        return TypedResults.Text(json, "application/json");
    }

    private static string? Json<T>(T? value) => value is null ? null : JsonSerializer.Serialize(value, ApiJson.Options);

    /// <summary>A preferences list: its JSON when sent, "[]" when sent as null (cleared), null when left out.</summary>
    private static string? ListJson<T>(UpdateUserRequest r, string member, IReadOnlyList<T>? list) =>
        r.Clears("preferences/" + member, list) ? "[]" : Json(list);

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

public static class UsersRegistration
{
    public static IServiceCollection AddUsers(this IServiceCollection services) =>
        services.AddJsonContracts(UsersJson.Default).AddSingleton<UserStore>().AddSingleton<UserExport>();
}
