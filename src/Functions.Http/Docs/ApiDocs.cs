using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Mvc.ApiExplorer;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace TravelFunctions.Http.Docs;

public static class ApiDocs
{
    public const string DocumentName = "v1";
    public const string DocumentPath = "/api/openapi/v1.json";

    public static IServiceCollection AddApiDocs(this IServiceCollection services, IConfiguration config)
    {
        services.AddOptions<DocsOptions>().Bind(config.GetSection(DocsOptions.Section)).ValidateOnStart();
        services.AddEndpointsApiExplorer();
        services.AddSingleton<IApiDescriptionProvider, FunctionApiDescriptions>();
        services.AddOpenApi(DocumentName, o =>
        {
            o.AddDocumentTransformer((doc, _, _) =>
            {
                doc.Info.Title = "TravelFunctions API";
                doc.Info.Description = "Users and auth, trips with collaborators, bookings and the agents' feeds. Errors are RFC 9457 problem details.";
                // Generated once and served from wherever the app is reached: paths resolve against the document's own origin.
                doc.Servers = [];
                return Task.CompletedTask;
            });
            o.AddOperationTransformer(ParameterTexts.Apply);
            o.AddOperationTransformer(MergePatchTexts.Apply);
        });
        services.AddSingleton<OpenApiDocuments>();
        services.AddSingleton<SwaggerUi>();
        return services;
    }
}

/// <summary>Each OpenAPI document, generated on its first request and kept: the functions do not change while the process runs.</summary>
public sealed class OpenApiDocuments(IServiceProvider services)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _json = new(StringComparer.Ordinal);

    /// <summary>The document as JSON; null when there is no document of that name.</summary>
    public async Task<string?> JsonAsync(string name, CancellationToken ct)
    {
        if (services.GetKeyedService<IOpenApiDocumentProvider>(name) is not { } provider) return null;
        return await _json.GetOrAdd(name, _ => new Lazy<Task<string>>(async () =>
        {
            var document = await provider.GetOpenApiDocumentAsync(CancellationToken.None);
            return await document.SerializeAsJsonAsync(OpenApiSpecVersion.OpenApi3_1, CancellationToken.None);
        })).Value.WaitAsync(ct);
    }
}

/// <summary>Swagger UI's middleware, run as a result: it serves index.html and its assets under /api/docs.</summary>
public sealed class SwaggerUi : IResult
{
    private readonly RequestDelegate _pipeline;

    public SwaggerUi(IServiceProvider services)
    {
        var app = new ApplicationBuilder(services);
        app.UseSwaggerUI(o =>
        {
            o.RoutePrefix = "api/docs";
            o.SwaggerEndpoint(ApiDocs.DocumentPath, "TravelFunctions API v1");
            o.DocumentTitle = "TravelFunctions API";
        });
        _pipeline = app.Build();
    }

    public Task ExecuteAsync(HttpContext httpContext) => _pipeline(httpContext);
}
