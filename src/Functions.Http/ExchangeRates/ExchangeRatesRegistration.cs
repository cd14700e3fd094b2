using TravelFunctions.Data.ExchangeRates;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.ExchangeRates;

public static class ExchangeRatesRegistration
{
    public static IServiceCollection AddExchangeRates(this IServiceCollection services) =>
        services.AddJsonContracts(ExchangeRatesJson.Default).AddSingleton<ExchangeRateStore>();
}
