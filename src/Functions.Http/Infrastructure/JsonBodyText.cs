using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace TravelFunctions.Http.Infrastructure;

/// <summary>
/// Text rules for every JSON body, on what the serializer lets through but PostgreSQL (text or jsonb) refuses, so a
/// body that breaks them is a 400 naming the member instead of a database error: strings (values and names) are
/// valid UTF-8 without NUL (\u0000) or unpaired surrogates; numbers are at most <see cref="MaxNumberLength"/>
/// characters with an exponent within ±<see cref="MaxExponent"/> (jsonb stores numbers as numeric).
/// One reader pass; only escaped strings are decoded.
/// </summary>
public static class JsonBodyText
{
    public const int MaxNumberLength = 100;
    public const int MaxExponent = 1000;

    private record struct Frame(bool Array, int Index, long NameStart, int NameLength);

    /// <summary>The first member breaking a rule, as (field, message); null when the body keeps every rule.</summary>
    public static (string Field, string Message)? Check(ReadOnlySequence<byte> body, int maxDepth)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = maxDepth });
        var frames = new List<Frame>(8);
        while (reader.Read())
        {
            string? problem = null;
            switch (reader.TokenType)
            {
                case JsonTokenType.PropertyName:
                    frames[^1] = frames[^1] with { NameStart = reader.TokenStartIndex + 1, NameLength = Length(ref reader) };
                    problem = StringProblem(ref reader);
                    break;
                case JsonTokenType.StartObject or JsonTokenType.StartArray:
                    NextElement(frames);
                    frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray, -1, -1, 0));
                    break;
                case JsonTokenType.EndObject or JsonTokenType.EndArray:
                    frames.RemoveAt(frames.Count - 1);
                    break;
                case JsonTokenType.String:
                    NextElement(frames);
                    problem = StringProblem(ref reader);
                    break;
                case JsonTokenType.Number:
                    NextElement(frames);
                    problem = NumberProblem(ref reader);
                    break;
                default:
                    NextElement(frames);
                    break;
            }
            if (problem is not null) return (Path(body, frames), problem);
        }
        return null;
    }

    private static void NextElement(List<Frame> frames)
    {
        if (frames.Count > 0 && frames[^1].Array) frames[^1] = frames[^1] with { Index = frames[^1].Index + 1 };
    }

    private static int Length(ref Utf8JsonReader reader) => reader.HasValueSequence ? (int)reader.ValueSequence.Length : reader.ValueSpan.Length;

    private static string? StringProblem(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped)
        {
            var valid = reader.HasValueSequence ? Utf8.IsValid(reader.ValueSequence.ToArray()) : Utf8.IsValid(reader.ValueSpan);
            return valid ? null : "The text is not valid UTF-8.";
        }
        var rented = ArrayPool<char>.Shared.Rent(Length(ref reader));
        try
        {
            // Unescaping checks UTF-8 and surrogate pairs; it throws on either.
            var chars = rented.AsSpan(0, reader.CopyString(rented));
            return chars.Contains('\0') ? "Text may not contain the NUL character (\\u0000)." : null;
        }
        catch (InvalidOperationException)
        {
            return "The text is not valid Unicode (an unpaired surrogate or invalid UTF-8).";
        }
        finally
        {
            ArrayPool<char>.Shared.Return(rented);
        }
    }

    private static string? NumberProblem(ref Utf8JsonReader reader)
    {
        const string message = "A number is at most 100 characters, with an exponent between -1000 and 1000.";
        if (Length(ref reader) > MaxNumberLength) return message;
        ReadOnlySpan<byte> span = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        var e = span.IndexOfAny((byte)'e', (byte)'E');
        if (e < 0) return null;
        var digits = span[(e + 1)..];
        if (digits.Length > 0 && digits[0] is (byte)'+' or (byte)'-') digits = digits[1..];
        var exponent = 0;
        foreach (var d in digits)
        {
            exponent = exponent * 10 + (d - '0');
            if (exponent > MaxExponent) return message;
        }
        return null;
    }

    /// <summary>"events[3].data.name", as the serializer's paths and the validators' keys read.</summary>
    private static string Path(ReadOnlySequence<byte> body, List<Frame> frames)
    {
        var path = new StringBuilder();
        foreach (var frame in frames)
        {
            if (frame.Array)
            {
                if (frame.Index >= 0) path.Append('[').Append(frame.Index).Append(']');
            }
            else if (frame.NameStart >= 0)
            {
                if (path.Length > 0) path.Append('.');
                path.Append(Encoding.UTF8.GetString(body.Slice(frame.NameStart, frame.NameLength)));
            }
        }
        return path.Length == 0 ? "body" : path.ToString();
    }
}
