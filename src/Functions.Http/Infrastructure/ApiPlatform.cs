using System.Text.Json;
using FluentValidation;

namespace TravelFunctions.Http.Infrastructure;

public static class ApiPlatform
{
    /// <summary>What every function relies on: the API's JSON, problem details, validators, quiet framework logs.</summary>
    public static IServiceCollection AddApiPlatform(this IServiceCollection services, IConfiguration config)
    {
        // Field errors are keyed like the JSON: "destinations[0].country", not "Destinations[0].Country".
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        services.AddValidatorsFromAssemblyContaining<ProblemMiddleware>(ServiceLifetime.Singleton);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
            ctx.ProblemDetails.Extensions["traceId"] = System.Diagnostics.Activity.Current?.TraceId.ToString() ?? ctx.HttpContext.TraceIdentifier);
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<RouteTable>();
        services.AddLogging(logging => logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning));
        return services;
    }
}
