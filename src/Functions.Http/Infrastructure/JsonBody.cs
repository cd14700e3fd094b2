using System.Text.Json;
using FluentValidation;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Converters;
using Microsoft.Extensions.Options;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// A function parameter read from the JSON request body with the API's strict JSON options, then checked by its
/// FluentValidation validator. Anything wrong is a 400 naming the field (or 415 for a body that is not JSON),
/// thrown before the function runs, so a function only ever sees a valid body.
/// </summary>
[AttributeUsage(AttributeTargets.Parameter)]
public sealed class JsonBodyAttribute() : InputConverterAttribute(typeof(JsonBodyConverter)), IFromBodyMetadata
{
    public bool AllowEmpty => false;
}

public sealed class JsonBodyConverter : IInputConverter
{
    public async ValueTask<ConversionResult> ConvertAsync(ConverterContext context)
    {
        var http = context.FunctionContext.GetHttpContext()
            ?? throw new InvalidOperationException("[JsonBody] is for HTTP-triggered functions only.");
        if (!http.Request.HasJsonContentType())
            throw new UnsupportedMediaTypeException("The body must be JSON (Content-Type: application/json).");
        var services = context.FunctionContext.InstanceServices;
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        var body = typeof(IMergePatch).IsAssignableFrom(context.TargetType)
            ? await ReadMergePatchAsync(http.Request, context.TargetType, json)
            : await http.Request.ReadFromJsonAsync(context.TargetType, json, http.RequestAborted);
        if (body is null) throw new RequestValidationException("body", "A JSON body is required.");
        if (services.GetService(typeof(IValidator<>).MakeGenericType(context.TargetType)) is IValidator validator)
        {
            var result = await validator.ValidateAsync(new ValidationContext<object>(body), http.RequestAborted);
            if (!result.IsValid) throw new RequestValidationException(result.ToDictionary());
        }
        return ConversionResult.Success(body);
    }

    /// <summary>The body parsed once: the record from it, and which members it held (null clears, absent leaves).</summary>
    private static async Task<object?> ReadMergePatchAsync(HttpRequest request, Type type, JsonSerializerOptions json)
    {
        using var document = await JsonDocument.ParseAsync(request.Body,
            new JsonDocumentOptions { MaxDepth = json.MaxDepth, AllowTrailingCommas = false, CommentHandling = JsonCommentHandling.Disallow },
            request.HttpContext.RequestAborted);
        return document.Deserialize(type, json) is IMergePatch patch ? patch.WithSent(MergePatch.MembersOf(document.RootElement)) : null;
    }
}
