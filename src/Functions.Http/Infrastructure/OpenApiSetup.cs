namespace TravelFunctions.Http.Infrastructure;

public static class OpenApiSetup
{
    public const string DocumentPath = "/api/openapi/v1.json";

    public static IServiceCollection AddApiDocs(this IServiceCollection services) =>
        services.AddOpenApi("v1", o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "TravelFunctions API";
            doc.Info.Description = "Users and auth, trips with collaborators, bookings and the agents' feeds. Errors are RFC 9457 problem details.";
            return Task.CompletedTask;
        }));

    /// <summary>The OpenAPI document at /api/openapi/v1.json and a browsable UI at /api/docs.</summary>
    public static WebApplication MapApiDocs(this WebApplication app)
    {
        app.MapOpenApi("/api/openapi/{documentName}.json").WithName("OpenApiDocument").AllowAnonymous();
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "api/docs";
            o.SwaggerEndpoint(DocumentPath, "TravelFunctions API v1");
            o.DocumentTitle = "TravelFunctions API";
        });
        return app;
    }
}
