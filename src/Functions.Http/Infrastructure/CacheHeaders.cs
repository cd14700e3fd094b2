namespace TravelFunctions.Http.Infrastructure;

public static class CacheHeaders
{
    /// <summary>
    /// Cache-Control: no-store on the answer: it carries personal data (a profile, an export), which no browser,
    /// proxy or CDN may keep a copy of.
    /// </summary>
    public static void NoStore(this HttpRequest request) => request.HttpContext.Response.Headers.CacheControl = "no-store";
}
