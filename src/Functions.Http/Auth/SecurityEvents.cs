namespace TravelFunctions.Http.Auth;

/// <summary>
/// Security events, as structured logs in one category (<see cref="Category"/>) so an operator can alert on them.
/// They name the account by id or by a hash of the email it was tried with, and the client address: never a
/// password, a token or a secret.
/// </summary>
public sealed partial class SecurityEvents(ILoggerFactory loggers)
{
    public const string Category = "TravelFunctions.Security";

    private readonly ILogger _log = loggers.CreateLogger(Category);

    /// <summary>A short, stable tag for an email: lets events of one account be correlated without logging the address.</summary>
    public static string EmailTag(string email) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant())))[..16];

    public void LoginFailed(string emailTag, string client, string reason) => LoginFailedLog(_log, emailTag, client, reason);
    public void LoginThrottled(string emailTag, string client, string scope) => LoginThrottledLog(_log, emailTag, client, scope);
    public void RateLimited(string function, string client) => RateLimitedLog(_log, function, client);
    public void RefreshReuse(Guid userId, Guid familyId, string client) => RefreshReuseLog(_log, userId, familyId, client);
    public void Logout(Guid userId, Guid familyId, int revoked) => LogoutLog(_log, userId, familyId, revoked);
    public void AgentTokenIssued(Guid clientId, string scopes, string client) => AgentTokenIssuedLog(_log, clientId, scopes, client);
    public void AgentTokenRefused(Guid clientId, string client) => AgentTokenRefusedLog(_log, clientId, client);

    [LoggerMessage(EventId = 9001, EventName = "LoginFailed", Level = LogLevel.Warning,
        Message = "Security event login.failed: email {EmailTag} from {Client} ({Reason})")]
    private static partial void LoginFailedLog(ILogger log, string emailTag, string client, string reason);

    [LoggerMessage(EventId = 9002, EventName = "LoginThrottled", Level = LogLevel.Warning,
        Message = "Security event login.throttled: email {EmailTag} from {Client} ({Scope}); the password was not checked")]
    private static partial void LoginThrottledLog(ILogger log, string emailTag, string client, string scope);

    [LoggerMessage(EventId = 9003, EventName = "RateLimited", Level = LogLevel.Warning,
        Message = "Security event rate.limited: {Function} from {Client}")]
    private static partial void RateLimitedLog(ILogger log, string function, string client);

    [LoggerMessage(EventId = 9004, EventName = "RefreshReuse", Level = LogLevel.Warning,
        Message = "Security event refresh.reuse: user {UserId} family {FamilyId} from {Client}; the family is revoked")]
    private static partial void RefreshReuseLog(ILogger log, Guid userId, Guid familyId, string client);

    [LoggerMessage(EventId = 9005, EventName = "Logout", Level = LogLevel.Information,
        Message = "Security event logout: user {UserId} family {FamilyId}, {Revoked} refresh token(s) revoked")]
    private static partial void LogoutLog(ILogger log, Guid userId, Guid familyId, int revoked);

    [LoggerMessage(EventId = 9006, EventName = "AgentTokenIssued", Level = LogLevel.Information,
        Message = "Security event agent.token.issued: client {ClientId} scopes {Scopes} from {Client}")]
    private static partial void AgentTokenIssuedLog(ILogger log, Guid clientId, string scopes, string client);

    [LoggerMessage(EventId = 9007, EventName = "AgentTokenRefused", Level = LogLevel.Warning,
        Message = "Security event agent.token.refused: client {ClientId} from {Client}")]
    private static partial void AgentTokenRefusedLog(ILogger log, Guid clientId, string client);
}
