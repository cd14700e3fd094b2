using System.Buffers;
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
/// thrown before the function runs, so a function only ever sees a valid body. Duplicate member names are refused
/// (ApiJson), and so is text PostgreSQL would refuse (<see cref="JsonBodyText"/>).
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
        if (!http.Request.HasJsonContentType() || (Microsoft.Net.Http.Headers.MediaTypeHeaderValue.TryParse(http.Request.ContentType, out var mediaType)
                && mediaType.Charset.HasValue && !mediaType.Charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase)))
            throw new UnsupportedMediaTypeException("The body must be JSON in UTF-8 (Content-Type: application/json).");
        var services = context.FunctionContext.InstanceServices;
        var json = services.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        // The whole body, once: the serializer reads it, then the text rules (JsonBodyText) look at what it let through.
        var pipe = http.Request.BodyReader;
        var read = await pipe.ReadAsync(http.RequestAborted);
        while (!read.IsCompleted)
        {
            pipe.AdvanceTo(read.Buffer.Start, read.Buffer.End);
            read = await pipe.ReadAsync(http.RequestAborted);
        }
        object body;
        try
        {
            object? value;
            try
            {
                value = Deserialize(read.Buffer, context.TargetType, json);
            }
            catch (InvalidOperationException) when (JsonBodyText.Check(read.Buffer, json.MaxDepth) is { } unreadable)
            {
                // Text the reader cannot turn into a string (a lone surrogate, invalid UTF-8), named by its member.
                throw new RequestValidationException(unreadable.Field, unreadable.Message);
            }
            body = value ?? throw new RequestValidationException("body", "A JSON body is required.");
            if (JsonBodyText.Check(read.Buffer, json.MaxDepth) is { } bad) throw new RequestValidationException(bad.Field, bad.Message);
            if (body is IMergePatch patch) body = WithSentMembers(patch, read.Buffer);
        }
        finally
        {
            pipe.AdvanceTo(read.Buffer.End);
        }
        if (services.GetService(typeof(IValidator<>).MakeGenericType(context.TargetType)) is IValidator validator)
        {
            var result = await validator.ValidateAsync(new ValidationContext<object>(body), http.RequestAborted);
            if (!result.IsValid) throw new RequestValidationException(result.ToDictionary());
        }
        return ConversionResult.Success(body);
    }

    /// <summary>
    /// From one contiguous span, as the serializer reads a buffered body: its errors then carry the member's path
    /// ("title" in a body cut short after "title":), and a second value after the first is an error.
    /// </summary>
    private static object? Deserialize(ReadOnlySequence<byte> utf8, Type type, JsonSerializerOptions options)
    {
        if (utf8.IsSingleSegment) return JsonSerializer.Deserialize(utf8.FirstSpan, type, options);
        var length = checked((int)utf8.Length);
        var rented = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            utf8.CopyTo(rented);
            return JsonSerializer.Deserialize(rented.AsSpan(0, length), type, options);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>A merge patch learns which members the body held (null clears, absent leaves): the same bytes, parsed once more.</summary>
    private static IMergePatch WithSentMembers(IMergePatch patch, ReadOnlySequence<byte> utf8)
    {
        using var document = JsonDocument.Parse(utf8);
        return patch.WithSent(MergePatch.MembersOf(document.RootElement));
    }
}
