using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Converters;
using Microsoft.Extensions.Primitives;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// A request header a function takes as a typed parameter (<c>[InputConverter(typeof(HeaderConverter&lt;T&gt;))]</c> on
/// the type): its name and meaning (for the OpenAPI document) and how it reads, a malformed value being a 400.
/// </summary>
public interface IRequestHeader<TSelf> where TSelf : IRequestHeader<TSelf>
{
    static abstract string HeaderName { get; }
    static abstract string Description { get; }
    static abstract TSelf Read(StringValues values);
}

public sealed class HeaderConverter<T> : IInputConverter where T : IRequestHeader<T>
{
    public ValueTask<ConversionResult> ConvertAsync(ConverterContext context)
    {
        if (context.TargetType != typeof(T)) return ValueTask.FromResult(ConversionResult.Unhandled());
        var http = context.FunctionContext.GetHttpContext()
            ?? throw new InvalidOperationException($"{typeof(T).Name} is read from an HTTP request's headers.");
        return ValueTask.FromResult(ConversionResult.Success(T.Read(http.Request.Headers[T.HeaderName])));
    }
}
