using FluentValidation;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>Validates the endpoint's body argument of type T with its FluentValidation validator: 400 with field errors.</summary>
/// <remarks>
/// The validator (a singleton) is resolved per call, not when the endpoint is built: building a validator compiles its
/// rules, and doing that for every endpoint at startup was a measurable part of a cold start.
/// </remarks>
public static class ValidationFilter<T>
{
    public static async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var body = context.Arguments.OfType<T>().FirstOrDefault();
        if (body is null)
            return Problems.Invalid("body", "A JSON body is required.");
        var validator = context.HttpContext.RequestServices.GetRequiredService<IValidator<T>>();
        var result = await validator.ValidateAsync(body, context.HttpContext.RequestAborted);
        if (!result.IsValid)
            return TypedResults.ValidationProblem(result.ToDictionary());
        return await next(context);
    }
}

public static class ValidationFilterExtensions
{
    public static RouteHandlerBuilder Validate<T>(this RouteHandlerBuilder builder) =>
        builder.AddEndpointFilter(ValidationFilter<T>.InvokeAsync).ProducesValidationProblem();
}
