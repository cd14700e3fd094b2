using FluentValidation;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Users;

public sealed class RegisterRequestValidator : AbstractValidator<RegisterRequest>
{
    public RegisterRequestValidator()
    {
        // Checked as stored (trimmed): " @example.com" must not pass here and then break users' email CHECK.
        RuleFor(r => r.Email).NotEmpty().MaximumLength(254)
            .Must(e => UserRules.IsEmail(e!.Trim())).When(r => !string.IsNullOrWhiteSpace(r.Email), ApplyConditionTo.CurrentValidator)
            .WithMessage("'email' is not a valid email address.");
        RuleFor(r => r.Password).NotEmpty().MinimumLength(10).MaximumLength(256);
        RuleFor(r => r.FirstName).NotEmpty().MaximumLength(100);
        RuleFor(r => r.LastName).NotEmpty().MaximumLength(100);
        // Blank means no phone; anything else is checked trimmed, as it is stored ("1234 " is four digits).
        RuleFor(r => r.Phone).Must(p => string.IsNullOrWhiteSpace(p) || UserRules.IsPhone(p.Trim()))
            .WithMessage(UserRules.PhoneRule);
    }
}

public sealed class UpdateUserRequestValidator : AbstractValidator<UpdateUserRequest>
{
    public UpdateUserRequestValidator()
    {
        RuleFor(r => r.FirstName).NotEmpty().MaximumLength(100).When(r => r.FirstName is not null);
        // Members an account cannot be without: null in a merge patch would clear them, which is refused.
        RuleFor(r => r.FirstName).NotNull().When(r => r.Sent.Contains("firstName")).WithMessage(MergePatch.CannotClear);
        RuleFor(r => r.LastName).NotNull().When(r => r.Sent.Contains("lastName")).WithMessage(MergePatch.CannotClear);
        RuleFor(r => r.Preferences).NotNull().When(r => r.Sent.Contains("preferences")).WithMessage(MergePatch.CannotClear);
        RuleFor(r => r.Preferences!.Notifications).NotNull().When(r => r.Sent.Contains("preferences/notifications"))
            .OverridePropertyName("preferences.notifications").WithMessage(MergePatch.CannotClear);
        RuleFor(r => r.Preferences!.Language).NotNull().When(r => r.Sent.Contains("preferences/language"))
            .OverridePropertyName("preferences.language").WithMessage(MergePatch.CannotClear);
        RuleFor(r => r.Preferences!.Timezone).NotNull().When(r => r.Sent.Contains("preferences/timezone"))
            .OverridePropertyName("preferences.timezone").WithMessage(MergePatch.CannotClear);
        RuleFor(r => r.LastName).NotEmpty().MaximumLength(100).When(r => r.LastName is not null);
        // "" clears the phone; anything else is checked trimmed, as it is stored.
        RuleFor(r => r.Phone).Must(p => UserRules.IsPhone(p!.Trim())).When(r => !string.IsNullOrEmpty(r.Phone))
            .WithMessage(UserRules.PhoneRule);
        RuleFor(r => r.Preferences!).ChildRules(p =>
        {
            p.RuleFor(x => x.Airlines).Must(a => a!.Count <= 20).When(x => x.Airlines is not null).WithMessage("At most 20 airlines.");
            p.RuleForEach(x => x.Airlines).Matches(@"^[A-Z0-9]{2}\z").WithMessage("Airlines are IATA codes of two letters or digits.");
            p.RuleFor(x => x.HotelChains).Must(a => a!.Count <= 20).When(x => x.HotelChains is not null).WithMessage("At most 20 hotel chains.");
            p.RuleForEach(x => x.HotelChains).NotEmpty().MaximumLength(100);
            p.RuleFor(x => x.LoyaltyPrograms).Must(a => a!.Count <= 20).When(x => x.LoyaltyPrograms is not null).WithMessage("At most 20 programs.");
            p.RuleForEach(x => x.LoyaltyPrograms).ChildRules(l =>
            {
                l.RuleFor(x => x.Program).NotEmpty().MaximumLength(100);
                l.RuleFor(x => x.Number).NotEmpty().MaximumLength(50);
            });
            p.RuleForEach(x => x.Accessibility).NotEmpty().MaximumLength(100);
            p.RuleFor(x => x.Accessibility).Must(a => a!.Count <= 20).When(x => x.Accessibility is not null).WithMessage("At most 20 entries.");
            p.RuleForEach(x => x.Dietary).NotEmpty().MaximumLength(100);
            p.RuleFor(x => x.Dietary).Must(a => a!.Count <= 20).When(x => x.Dietary is not null).WithMessage("At most 20 entries.");
            p.RuleFor(x => x.Language).Matches(@"^[a-z]{2}(-[A-Z]{2})?\z").When(x => x.Language is not null)
                .WithMessage("Language is a code like 'en' or 'pt-BR'.");
            p.RuleFor(x => x.Timezone).Must(UserRules.IsTimeZone).When(x => x.Timezone is not null)
                .WithMessage("Timezone must be an IANA time zone such as 'Europe/Paris'.");
            p.RuleFor(x => x.HomeAirport).Matches(@"^[A-Z]{3}\z").When(x => x.HomeAirport is not null)
                .WithMessage("Home airport is an IATA code of three capital letters.");
        }).When(r => r.Preferences is not null);
    }
}

internal static class UserRules
{
    public const string Phone = @"^\+?[0-9 ()-]{5,25}\z";
    private static readonly System.Text.RegularExpressions.Regex PhonePattern = new(Phone, System.Text.RegularExpressions.RegexOptions.Compiled);

    public static bool IsPhone(string phone) => PhonePattern.IsMatch(phone);

    /// <summary>As FluentValidation's EmailAddress() (one '@', neither first nor last), which also keeps users' email CHECK.</summary>
    public static bool IsEmail(string email)
    {
        var at = email.IndexOf('@');
        return at > 0 && at != email.Length - 1 && at == email.LastIndexOf('@');
    }

    public const string PhoneRule = "Phone must be 5–25 digits, spaces, parentheses or dashes, optionally starting with +.";

    public static bool IsTimeZone(string? id) =>
        id is { Length: > 0 and <= 64 } && (id == "UTC" || TimeZoneInfo.TryFindSystemTimeZoneById(id, out _));
}
