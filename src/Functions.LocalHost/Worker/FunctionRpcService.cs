using Grpc.Core;
using TravelFunctions.LocalHost.Rpc;

namespace TravelFunctions.LocalHost.Worker;

/// <summary>The gRPC endpoint the worker connects to; hands its stream to the host's <see cref="WorkerChannel"/>.</summary>
internal sealed class FunctionRpcService(WorkerChannel channel) : FunctionRpc.FunctionRpcBase
{
    public override Task EventStream(IAsyncStreamReader<StreamingMessage> requestStream, IServerStreamWriter<StreamingMessage> responseStream, ServerCallContext context) =>
        channel.RunAsync(requestStream, responseStream, context.CancellationToken);
}
