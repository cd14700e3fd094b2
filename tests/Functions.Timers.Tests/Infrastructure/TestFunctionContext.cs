using Microsoft.Azure.Functions.Worker;

namespace TravelFunctions.Timers.Tests.Infrastructure;

/// <summary>
/// An invocation's context for calling a function's body in-process. JobInvocation reads only the invocation id and
/// the cancellation token; the rest is the worker's plumbing, left empty.
/// </summary>
public sealed class TestFunctionContext(string invocationId, CancellationToken cancellationToken) : FunctionContext
{
    public override string InvocationId => invocationId;
    public override CancellationToken CancellationToken => cancellationToken;
    public override string FunctionId => "";
    public override TraceContext TraceContext => null!;
    public override BindingContext BindingContext => null!;
    public override RetryContext RetryContext => null!;
    public override IServiceProvider InstanceServices { get; set; } = null!;
    public override FunctionDefinition FunctionDefinition => null!;
    public override IDictionary<object, object> Items { get; set; } = new Dictionary<object, object>();
    public override IInvocationFeatures Features => null!;
}
