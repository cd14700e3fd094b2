using System.Globalization;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Azure.Functions.Worker.Converters;
using TravelFunctions.Data.Paging;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// A function's query string as one typed record. <see cref="Read"/> reads each parameter through the
/// <see cref="QueryReader"/>, which both parses (errors become a 400 naming the parameter) and records the
/// parameters read, so the OpenAPI document lists exactly what the code reads.
/// </summary>
public interface IQueryRecord<TSelf> where TSelf : IQueryRecord<TSelf>
{
    static abstract TSelf Read(QueryReader query);
}

/// <summary>Binds a query record parameter (<c>[InputConverter(typeof(QueryConverter&lt;T&gt;))]</c> on the record).</summary>
public sealed class QueryConverter<T> : IInputConverter where T : IQueryRecord<T>
{
    public ValueTask<ConversionResult> ConvertAsync(ConverterContext context)
    {
        if (context.TargetType != typeof(T)) return ValueTask.FromResult(ConversionResult.Unhandled());
        var http = context.FunctionContext.GetHttpContext()
            ?? throw new InvalidOperationException($"{typeof(T).Name} is read from an HTTP request's query string.");
        var reader = new QueryReader(http.Request.Query);
        var value = T.Read(reader);
        if (reader.Errors.Count > 0) throw new RequestValidationException(reader.Errors);
        return ValueTask.FromResult(ConversionResult.Success(value));
    }
}

/// <summary>One query parameter a record reads: for the OpenAPI document.</summary>
public sealed record QueryParameter(string Name, Type Type, string Description);

public sealed class QueryReader(IQueryCollection values)
{
    private readonly List<QueryParameter> _parameters = [];

    public Dictionary<string, string[]> Errors { get; } = new(StringComparer.Ordinal);

    /// <summary>The parameters the record reads, in order.</summary>
    public IReadOnlyList<QueryParameter> Parameters => _parameters;

    /// <summary>The parameters of record T, read from an empty query string.</summary>
    public static IReadOnlyList<QueryParameter> Describe<T>() where T : IQueryRecord<T>
    {
        var reader = new QueryReader(QueryCollection.Empty);
        T.Read(reader);
        return reader.Parameters;
    }

    public string? Text(string name, string description, int maxLength = 200)
    {
        var text = Raw(name, typeof(string), description);
        if (text is null) return null;
        text = text.Trim();
        if (text.Length > maxLength) return Fail<string>(name, $"{name} is at most {maxLength} characters.");
        if (text.Contains('\0')) return Fail<string>(name, $"{name} may not contain the NUL character."); // PostgreSQL text cannot
        return text.Length == 0 ? null : text;
    }

    /// <summary>An ISO 4217 currency code ("EUR"), upper case as the API writes it.</summary>
    public string? Currency(string name, string description)
    {
        var text = Raw(name, typeof(string), description);
        if (text is null) return null;
        return text.Length == 3 && text.All(char.IsAsciiLetterUpper) ? text : Fail<string>(name, $"{name} is an ISO 4217 code such as 'EUR'.");
    }

    /// <summary>An enum in its JSON spelling ("in_progress"), like every enum the API writes.</summary>
    public T? Enum<T>(string name, string description) where T : struct, Enum
    {
        var text = Raw(name, typeof(T), description);
        return EnumText.TryParseText<T>(text, out var value) ? value : Fail<T?>(name, $"{name} must be one of: {EnumText.Allowed<T>()}.");
    }

    public Guid? Guid(string name, string description)
    {
        var text = Raw(name, typeof(Guid), description);
        if (text is null) return null;
        return System.Guid.TryParse(text, out var id) ? id : Fail<Guid?>(name, $"{name} must be a UUID.");
    }

    public DateOnly? Date(string name, string description)
    {
        var text = Raw(name, typeof(DateOnly), description);
        if (text is null) return null;
        return DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)
            ? date : Fail<DateOnly?>(name, $"{name} must be a date (yyyy-MM-dd).");
    }

    /// <summary>A point in time: a date-time with its offset, or a date, meaning that whole UTC day (its start, or its last microsecond when <paramref name="endOfDay"/>).</summary>
    public DateTimeOffset? Instant(string name, string description, bool endOfDay = false)
    {
        var text = Raw(name, typeof(DateTimeOffset), description);
        if (text is null) return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            var start = new DateTimeOffset(date.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? start.AddTicks(TimeSpan.TicksPerDay - 10) : start; // not AddDays(1): 9999-12-31 has no next day
        }
        return OffsetDateTimeConverter.TryParse(text, out var instant)
            ? instant : Fail<DateTimeOffset?>(name, $"{name} must be a date (yyyy-MM-dd) or a date-time with its offset (ISO 8601).");
    }

    /// <summary>A number between <paramref name="min"/> and <paramref name="max"/> (inclusive), invariant culture.</summary>
    public double? Number(string name, string description, double min, double max)
    {
        var text = Raw(name, typeof(double), description);
        if (text is null) return null;
        return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
               && value >= min && value <= max
            ? value : Fail<double?>(name, $"{name} must be a number between {min.ToString(CultureInfo.InvariantCulture)} and {max.ToString(CultureInfo.InvariantCulture)}.");
    }

    /// <summary>A whole number between <paramref name="min"/> and <paramref name="max"/> (inclusive).</summary>
    public int? Integer(string name, string description, int min, int max)
    {
        var text = Raw(name, typeof(int), description);
        if (text is null) return null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value : Fail<int?>(name, $"{name} must be a whole number between {min} and {max}.");
    }

    /// <summary>The page of a list: <c>limit</c> (1 to <see cref="Pages.MaxLimit"/>) and the <c>cursor</c> a previous page returned.</summary>
    public PageRequest<T> Page<T>() where T : struct, IParsable<T>
    {
        var limit = Pages.DefaultLimit;
        if (Raw("limit", typeof(int), $"Page size, 1 to {Pages.MaxLimit} (default {Pages.DefaultLimit}).") is { } text
            && (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit is < 1 or > Pages.MaxLimit))
        {
            Fail<int>("limit", $"limit must be a whole number between 1 and {Pages.MaxLimit}.");
            limit = Pages.DefaultLimit;
        }
        Keyset<T>? after = null;
        if (Raw("cursor", typeof(string), "The nextCursor of the previous page, unchanged.") is { } cursor)
        {
            if (KeysetCursor.TryDecode<T>(cursor, out var keyset)) after = keyset;
            else Fail<int>("cursor", "The cursor is not one this API issued.");
        }
        return new PageRequest<T>(limit, after);
    }

    /// <summary>Records an error found by a rule across parameters (e.g. to before from).</summary>
    public void Fail(string name, string message) => Fail<int>(name, message);

    private T? Fail<T>(string name, string message)
    {
        Errors[name] = Errors.TryGetValue(name, out var existing) ? [.. existing, message] : [message];
        return default;
    }

    /// <summary>The raw value: absent or empty is null; a repeated parameter is an error.</summary>
    private string? Raw(string name, Type type, string description)
    {
        _parameters.Add(new QueryParameter(name, type, description));
        var value = values[name];
        if (value.Count == 0 || (value.Count == 1 && string.IsNullOrEmpty(value[0]))) return null;
        if (value.Count > 1) return Fail<string>(name, $"{name} is given more than once.");
        return value[0];
    }
}
