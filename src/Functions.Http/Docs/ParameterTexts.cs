using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace TravelFunctions.Http.Docs;

/// <summary>What a query or header parameter means, by name: put on the operation's parameters by <see cref="Apply"/>.</summary>
public sealed record ParameterTexts(IReadOnlyDictionary<string, string> ByName)
{
    public static Task Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var texts = context.Description.ActionDescriptor.EndpointMetadata.OfType<ParameterTexts>().SelectMany(t => t.ByName)
            .ToDictionary(t => t.Key, t => t.Value);
        foreach (var parameter in operation.Parameters ?? [])
            if (parameter is OpenApiParameter p && p.Name is { } name && texts.TryGetValue(name, out var text))
                p.Description = text;
        return Task.CompletedTask;
    }
}
