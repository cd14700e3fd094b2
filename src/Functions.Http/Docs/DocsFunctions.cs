using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Docs;

/// <summary>The OpenAPI document of every function, and a browsable UI over it: 404 both when Api__DocsEnabled is off.</summary>
public sealed class DocsFunctions(OpenApiDocuments documents, SwaggerUi ui, IOptions<DocsOptions> options)
{
    [Function("OpenApiDocument")]
    [AllowAnonymous, ExcludeFromDescription]
    public async Task<Results<ContentHttpResult, ProblemHttpResult>> Document(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "openapi/{documentName}.json")] HttpRequest req, string documentName) =>
        options.Value.DocsEnabled && await documents.JsonAsync(documentName, req.HttpContext.RequestAborted) is { } json
            ? TypedResults.Text(json, "application/json")
            : Problems.NotFound($"The OpenAPI document '{documentName}'");

    /// <summary>/api/docs/…: Swagger UI's page and assets, over <see cref="ApiDocs.DocumentPath"/>.</summary>
    [Function("Docs")]
    [AllowAnonymous, ExcludeFromDescription]
    public IResult Ui([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "docs/{*path}")] HttpRequest req) =>
        options.Value.DocsEnabled ? ui : Problems.NotFound("The API docs");
}
