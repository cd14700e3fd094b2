using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Google.Protobuf.Collections;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Primitives;
using TravelFunctions.LocalHost.Rpc;

namespace TravelFunctions.LocalHost.Http;

/// <summary>The trigger metadata (binding data) of an HTTP invocation, shaped as the host's HTTP trigger
/// makes it: each query parameter but "code" as a string, then each route value as a string (route wins),
/// then "Query" and "Headers" as JSON objects of name to (comma-joined) value. The host also adds the
/// request itself ("req"/"$request"), but leaves it out for workers that report RpcHttpTriggerMetadataRemoved,
/// as the .NET worker does; and it adds a JSON body's top-level properties, which would mean buffering the
/// body, so the local host does not.</summary>
internal static class HttpTriggerMetadata
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [ThreadStatic] private static ArrayBufferWriter<byte>? t_buffer;
    [ThreadStatic] private static Utf8JsonWriter? t_writer;

    public static void Add(MapField<string, TypedData> metadata, HttpRequest request, RouteValueDictionary routeValues)
    {
        var query = request.Query;
        if (query.Count > 0)
            foreach (var parameter in query)
                if (!parameter.Key.Equals("code", StringComparison.OrdinalIgnoreCase))
                    metadata[parameter.Key] = new TypedData { String = parameter.Value.ToString() };

        foreach (var value in routeValues)
            if (value.Value is not null)
                metadata[value.Key] = new TypedData { String = value.Value.ToString() ?? "" };

        if (!metadata.ContainsKey("Query")) metadata["Query"] = new TypedData { Json = ToJson(query, query.Count) };
        if (!metadata.ContainsKey("Headers")) metadata["Headers"] = new TypedData { Json = ToJson(request.Headers, request.Headers.Count) };
    }

    private static string ToJson(IEnumerable<KeyValuePair<string, StringValues>> pairs, int count)
    {
        if (count == 0) return "{}";
        var buffer = t_buffer ??= new ArrayBufferWriter<byte>(1024);
        buffer.ResetWrittenCount();
        var writer = t_writer ??= new Utf8JsonWriter(buffer, WriterOptions);
        writer.Reset(buffer);

        writer.WriteStartObject();
        foreach (var (name, values) in pairs) writer.WriteString(name, values.Count == 1 ? values[0] : values.ToString());
        writer.WriteEndObject();
        writer.Flush();
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
