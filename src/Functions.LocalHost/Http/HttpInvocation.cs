using TravelFunctions.LocalHost.Rpc;
using TravelFunctions.LocalHost.Worker;

namespace TravelFunctions.LocalHost.Http;

/// <summary>One HTTP invocation in flight, between the forwarded request and the InvocationResponse.
/// Its token cancels the forwarded request when the client goes away, or when the worker reports the
/// invocation failed before its HTTP response began: the front door then answers 500 at once instead of
/// waiting for the worker's own HTTP timeout. (A CancellationTokenSource itself, to spend one allocation
/// per request, not two.)</summary>
internal sealed class HttpInvocation : CancellationTokenSource, IPendingInvocation
{
    private const int Waiting = 0, ResponseStarted = 1, FailedEarly = 2;
    private static readonly object Succeeded = new(), Failed = new();
    private static readonly Task<bool> SucceededTask = Task.FromResult(true), FailedTask = Task.FromResult(false);

    private int _state;
    // null while the outcome is unknown; Succeeded or Failed once known; a waiter while someone waits for it.
    private object? _outcome;

    public bool HasFailedEarly => Volatile.Read(ref _state) == FailedEarly;

    /// <summary>Claims the response for the worker's answer; false when the invocation already failed.</summary>
    public bool TryStartResponse() => Interlocked.CompareExchange(ref _state, ResponseStarted, Waiting) != FailedEarly;

    /// <summary>Whether the invocation succeeded, once the worker has said so.</summary>
    public Task<bool> OutcomeAsync()
    {
        var known = Volatile.Read(ref _outcome);
        if (known is null)
        {
            var waiter = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
            known = Interlocked.CompareExchange(ref _outcome, waiter, null);
            if (known is null) return waiter.Task;
        }
        return known == Succeeded ? SucceededTask : known == Failed ? FailedTask : ((TaskCompletionSource<bool>)known).Task;
    }

    public void Complete(InvocationResponse response) =>
        SetOutcome(response.Result?.Status == StatusResult.Types.Status.Success);

    public void Fail(Exception reason) => SetOutcome(false);

    public void CancelForwarding()
    {
        try { Cancel(); }
        catch (ObjectDisposedException) { /* the request has finished */ }
    }

    private void SetOutcome(bool succeeded)
    {
        if (!succeeded && Interlocked.CompareExchange(ref _state, FailedEarly, Waiting) == Waiting) CancelForwarding();
        if (Interlocked.Exchange(ref _outcome, succeeded ? Succeeded : Failed) is TaskCompletionSource<bool> waiter)
            waiter.TrySetResult(succeeded);
    }
}
