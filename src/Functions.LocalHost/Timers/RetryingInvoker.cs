using System.Diagnostics;
using TravelFunctions.LocalHost.Rpc;
using TravelFunctions.LocalHost.Worker;

namespace TravelFunctions.LocalHost.Timers;

/// <summary>Invokes a non-HTTP function and applies its retry policy as the host does: each attempt is a new
/// invocation with a RetryContext (attempt number from 0, the policy's maximum, the last failure), the next
/// attempt after the policy's delay, until one succeeds or the retries are spent (-1 = no limit).</summary>
internal sealed class RetryingInvoker(WorkerChannel channel, OutputLog output, TimeSpan? delayOverride)
{
    public async Task<InvocationResult> InvokeAsync(LoadedFunction function, TypedData triggerInput, CancellationToken ct)
    {
        var policy = function.Retry;
        var ids = new List<string>();
        RpcException? lastFailure = null;
        for (var attempt = 0; ; attempt++)
        {
            var request = new InvocationRequest
            {
                InvocationId = Guid.NewGuid().ToString(),
                FunctionId = function.FunctionId,
                TraceContext = new RpcTraceContext { TraceParent = TraceParent.New() },
            };
            request.InputData.Add(new ParameterBinding { Name = function.TriggerName, Data = triggerInput });
            if (policy is not null)
                request.RetryContext = new RetryContext { RetryCount = attempt, MaxRetryCount = policy.MaxRetryCount, Exception = lastFailure };
            ids.Add(request.InvocationId);

            var started = Stopwatch.GetTimestamp();
            var pending = new AwaitedInvocation();
            channel.Invoke(request, pending);
            var result = (await pending.Task.WaitAsync(ct)).Result;
            var succeeded = result?.Status == StatusResult.Types.Status.Success;
            output.Write($"[host] Executed '{function.Name}' ({(succeeded ? "Succeeded" : "Failed")}, Id={request.InvocationId}, Duration={Stopwatch.GetElapsedTime(started).TotalMilliseconds:0}ms)");
            if (succeeded) return new InvocationResult(ids, true, null);

            lastFailure = result?.Exception ?? new RpcException { Message = result?.Result ?? "The invocation failed without an exception." };
            if (policy is null || (policy.MaxRetryCount >= 0 && attempt >= policy.MaxRetryCount))
                return new InvocationResult(ids, false, lastFailure.Message);

            var delay = delayOverride ?? Delay(policy, attempt + 1);
            output.Write($"[host] '{function.Name}' failed: {lastFailure.Message}; retry {attempt + 1} of {(policy.MaxRetryCount < 0 ? "unlimited" : policy.MaxRetryCount)} in {delay}.");
            await Task.Delay(delay, ct);
        }
    }

    /// <summary>fixedDelay: the interval each time. exponentialBackoff: the minimum, doubled per retry, at most the maximum.</summary>
    internal static TimeSpan Delay(RetryPolicy policy, int retry)
    {
        if (policy.Strategy == "fixedDelay") return policy.DelayInterval ?? TimeSpan.Zero;
        var minimum = policy.MinimumInterval ?? TimeSpan.Zero;
        var maximum = policy.MaximumInterval ?? TimeSpan.MaxValue;
        var ticks = minimum.Ticks * Math.Pow(2, retry - 1);
        return ticks >= maximum.Ticks ? maximum : TimeSpan.FromTicks((long)ticks);
    }

    private sealed class AwaitedInvocation : TaskCompletionSource<InvocationResponse>, IPendingInvocation
    {
        public AwaitedInvocation() : base(TaskCreationOptions.RunContinuationsAsynchronously) { }

        public void Complete(InvocationResponse response) => TrySetResult(response);

        public void Fail(Exception reason) => TrySetException(reason);
    }
}
