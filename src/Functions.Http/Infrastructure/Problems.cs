using Microsoft.AspNetCore.Http.HttpResults;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>The RFC 9457 answers handlers give for domain outcomes.</summary>
public static class Problems
{
    public static ProblemHttpResult NotFound(string what) =>
        TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"{what} was not found.");

    public static ProblemHttpResult Conflict(string detail) =>
        TypedResults.Problem(statusCode: 409, title: "Conflict", detail: detail);

    public static ProblemHttpResult Forbidden(string detail) =>
        TypedResults.Problem(statusCode: 403, title: "Forbidden", detail: detail);

    public static ProblemHttpResult PreconditionFailed() =>
        TypedResults.Problem(statusCode: 412, title: "Precondition failed",
            detail: "The resource has changed since it was read (If-Match does not match the current ETag). Read it again and retry.");

    public static ProblemHttpResult Unprocessable(string detail) =>
        TypedResults.Problem(statusCode: 422, title: "Unprocessable request", detail: detail);

    public static ProblemHttpResult Unauthorized(string detail) =>
        TypedResults.Problem(statusCode: 401, title: "Unauthorized", detail: detail);

    public static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
