using FluentValidation;

namespace TravelFunctions.Http.ExchangeRates;

/// <summary>The shapes exchange_rates accepts (0021_multi_currency.sql), and one rate per pair per request.</summary>
public sealed class RecordExchangeRatesRequestValidator : AbstractValidator<RecordExchangeRatesRequest>
{
    public RecordExchangeRatesRequestValidator(TimeProvider clock)
    {
        RuleFor(r => r.Rates).Must(l => l!.Count <= 200).WithMessage("At most 200 rates per request.")
            .Must(l => l!.Select(x => (x.Base, x.Quote)).Distinct().Count() == l!.Count).WithMessage("Each pair at most once per request.")
            .When(r => r.Rates is { Count: > 0 });
        RuleFor(r => r.Rates).NotEmpty();
        RuleForEach(r => r.Rates).ChildRules(rate =>
        {
            rate.RuleFor(x => x.Base).NotEmpty().Matches(@"^[A-Z]{3}\z").WithMessage("Currency is an ISO 4217 code such as 'EUR'.");
            rate.RuleFor(x => x.Quote).NotEmpty().Matches(@"^[A-Z]{3}\z").WithMessage("Currency is an ISO 4217 code such as 'EUR'.")
                .NotEqual(x => x.Base).WithMessage("A rate is between two different currencies.");
            rate.RuleFor(x => x.Rate).NotNull().GreaterThan(0m).LessThan(1_000_000_000_000m)
                .Must(v => v is null || decimal.Round(v.Value, 12) == v.Value).WithMessage("At most 12 decimals.");
            // A few minutes of clock skew between an agent and us is not an error; a rate from the future is.
            rate.RuleFor(x => x.AsOf).NotNull().Must(t => t is null || t <= clock.GetUtcNow().AddMinutes(5))
                .WithMessage("A rate cannot be observed in the future.");
            rate.RuleFor(x => x.Source).Length(1, 100).When(x => x.Source is not null);
        });
    }
}
