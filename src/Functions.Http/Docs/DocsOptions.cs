namespace TravelFunctions.Http.Docs;

/// <summary>
/// Setting Api__DocsEnabled: whether the app serves its API docs, the Swagger UI (/api/docs) and the OpenAPI document
/// it renders (/api/openapi/v1.json); when off, both answer 404. Off unless set: on in local.settings and the tests,
/// off in the Bicep-deployed apps unless the apiDocsEnabled parameter turns it on. One switch for both, because the
/// document is the UI's content: it maps every operation and schema, which a public production API need not hand to
/// anyone who asks; a deployment that wants it published (client generation, agents) enables it.
/// </summary>
public sealed class DocsOptions
{
    public const string Section = "Api";

    public bool DocsEnabled { get; set; }
}
