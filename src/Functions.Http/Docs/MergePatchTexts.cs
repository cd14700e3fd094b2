using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using TravelFunctions.Http.Infrastructure;

namespace TravelFunctions.Http.Docs;

/// <summary>Says on every PATCH operation whose body is a merge patch how absent, null and a value differ.</summary>
public static class MergePatchTexts
{
    public const string Text =
        "A JSON Merge Patch (RFC 7396; Content-Type application/merge-patch+json, or application/json with the same meaning): " +
        "a member left out keeps its value, null clears an optional member (a required one answers 400), any other value sets it; " +
        "nested objects merge member by member, arrays are replaced whole.";

    public static Task Apply(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var isMergePatch = context.Description.ParameterDescriptions.Any(p => p.Type?.IsAssignableTo(typeof(IMergePatch)) == true);
        if (isMergePatch && operation.RequestBody is OpenApiRequestBody body) body.Description = Text;
        return Task.CompletedTask;
    }
}
