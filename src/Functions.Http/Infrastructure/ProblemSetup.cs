using System.Text.Json;
using FluentValidation;

namespace TravelFunctions.Http.Infrastructure;

public static class ProblemSetup
{
    public static IServiceCollection AddApiProblems(this IServiceCollection services)
    {
        // Field errors are keyed like the JSON: "destinations[0].country", not "Destinations[0].Country".
        ValidatorOptions.Global.PropertyNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        ValidatorOptions.Global.DisplayNameResolver = (_, member, _) =>
            member is null ? null : JsonNamingPolicy.CamelCase.ConvertName(member.Name);
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
            ctx.ProblemDetails.Extensions["traceId"] = ctx.HttpContext.TraceIdentifier);
        services.AddExceptionHandler<ApiExceptionHandler>();
        // Binding failures (bad JSON, a non-UUID id) are thrown so ApiExceptionHandler can name the field.
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        services.ConfigureHttpJsonOptions(o => ApiJson.Configure(o.SerializerOptions));
        return services;
    }

    /// <summary>Exceptions → problem details; empty 401/404/405 answers get a problem body too.</summary>
    public static WebApplication UseApiProblems(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        return app;
    }
}
