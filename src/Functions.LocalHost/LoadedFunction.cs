namespace TravelFunctions.LocalHost;

/// <summary>A function the worker indexed and loaded.</summary>
/// <param name="Name">The [Function] name.</param>
/// <param name="FunctionId">The id the worker gave it; invocations name it.</param>
/// <param name="TriggerType">The trigger binding's type, e.g. httpTrigger or timerTrigger.</param>
/// <param name="TriggerName">The trigger binding's name (the parameter the worker binds it to).</param>
/// <param name="Route">HTTP functions: the route template from the host root, prefix included (api/items/{id}).</param>
/// <param name="Methods">HTTP functions: the allowed methods in upper case; empty = every method.</param>
/// <param name="Schedule">Timer functions: the NCRONTAB schedule with %Setting% resolved.</param>
/// <param name="Retry">The function's retry policy, if it has one.</param>
/// <param name="RawBindings">The bindings as the worker reported them, one JSON object each.</param>
public sealed record LoadedFunction(
    string Name,
    string FunctionId,
    string TriggerType,
    string TriggerName,
    string? Route,
    IReadOnlyList<string> Methods,
    string? Schedule,
    RetryPolicy? Retry,
    IReadOnlyList<string> RawBindings)
{
    public bool IsHttp => string.Equals(TriggerType, "httpTrigger", StringComparison.OrdinalIgnoreCase);
    public bool IsTimer => string.Equals(TriggerType, "timerTrigger", StringComparison.OrdinalIgnoreCase);
}

/// <summary>A retry policy from the function metadata ([FixedDelayRetry] or [ExponentialBackoffRetry]).</summary>
/// <param name="Strategy">fixedDelay or exponentialBackoff.</param>
/// <param name="MaxRetryCount">Retries after the first attempt; -1 = without end.</param>
public sealed record RetryPolicy(
    string Strategy,
    int MaxRetryCount,
    TimeSpan? DelayInterval,
    TimeSpan? MinimumInterval,
    TimeSpan? MaximumInterval);

/// <summary>The outcome of <see cref="FunctionsLocalHost.InvokeAsync"/>, retries included.</summary>
/// <param name="InvocationIds">One id per attempt, in order.</param>
/// <param name="Exception">The last failed attempt's exception message, if the invocation failed.</param>
public sealed record InvocationResult(IReadOnlyList<string> InvocationIds, bool Succeeded, string? Exception)
{
    public int Attempts => InvocationIds.Count;
}
