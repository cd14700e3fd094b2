using System.Xml.Linq;
using Azure;
using Azure.Core;

namespace TravelFunctions.Data.Archive.Blob;

/// <summary>
/// Turns a storage error answer into <see cref="RequestFailedException"/> details: the code from x-ms-error-code
/// (present even on HEAD, which has no body), the message from the XML body's &lt;Error&gt;&lt;Message&gt;.
/// </summary>
internal sealed class StorageErrorParser : RequestFailedDetailsParser
{
    public static StorageErrorParser Instance { get; } = new();

    public override bool TryParse(Response response, out ResponseError? error, out IDictionary<string, string>? data)
    {
        data = null;
        response.Headers.TryGetValue("x-ms-error-code", out var code);
        string? message = null;
        try
        {
            var content = response.Content;
            if (content is not null && content.ToMemory().Length > 0)
            {
                var root = XDocument.Parse(content.ToString()).Root;
                code ??= root?.Element("Code")?.Value;
                message = root?.Element("Message")?.Value?.Split('\n')[0].Trim();
                var detail = root?.Element("AuthenticationErrorDetail")?.Value;
                if (detail is not null) data = new Dictionary<string, string> { ["AuthenticationErrorDetail"] = detail };
            }
        }
        catch (Exception e) when (e is System.Xml.XmlException or InvalidOperationException)
        {
            // Not XML (or a non-buffered body): the header code alone will do.
        }
        error = code is null && message is null ? null : new ResponseError(code, message ?? code);
        return error is not null;
    }
}
