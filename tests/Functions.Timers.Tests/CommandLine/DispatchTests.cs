using TravelFunctions.Timers.Ops;
using Xunit;

namespace TravelFunctions.Timers.Tests.CommandLine;

/// <summary>
/// One executable, two roles: the Functions host's launch arguments start the worker, anything else is the ops
/// command line. The host may put the worker's .dll path first (when it runs the app's own executable), so the
/// decision rests on the worker id it always passes, not on the first argument.
/// </summary>
public sealed class DispatchTests
{
    [Theory]
    [InlineData("--host", "127.0.0.1", "--port", "5000", "--workerId", "w", "--requestId", "r", "--functions-uri", "http://127.0.0.1:5000/", "--functions-worker-id", "w")]
    [InlineData("/home/site/wwwroot/Functions.Timers.dll", "--host", "127.0.0.1", "--port", "5000", "--functions-worker-id", "w", "--functions-uri", "http://127.0.0.1:5000/")]
    [InlineData("/home/site/wwwroot/Functions.Timers.dll", "--workerId", "w", "--host", "127.0.0.1", "--port", "5000")]
    public void Host_launch_arguments_start_the_worker(params string[] args) =>
        Assert.False(OpsCommandLine.Handles(args));

    [Theory]
    [InlineData]
    [InlineData("migrate")]
    [InlineData("run", "CacheExpiry", "--dry-run")]
    [InlineData("archive", "list")]
    [InlineData("--help")]
    [InlineData("--version")]
    [InlineData("--bogus")]
    public void Anything_else_is_the_command_line(params string[] args) =>
        Assert.True(OpsCommandLine.Handles(args));
}
