using TravelFunctions.LocalHost.Functions;
using TravelFunctions.LocalHost.Rpc;
using Xunit;

namespace TravelFunctions.LocalHost.Tests;

public sealed class LogFilterTests : IDisposable
{
    private readonly string _app = Directory.CreateTempSubdirectory("localhost-logs-").FullName;

    public void Dispose() => Directory.Delete(_app, recursive: true);

    [Fact]
    public void The_longest_matching_host_json_category_decides_and_default_covers_the_rest()
    {
        File.WriteAllText(Path.Combine(_app, "host.json"),
            """{ "logging": { "logLevel": { "default": "Warning", "Function": "Information", "Function.Noisy": "Error" } } }""");

        var filter = LogFilter.Read(_app);

        Assert.True(filter.IsEnabled("Function.Echo.User", RpcLog.Types.Level.Information));
        Assert.False(filter.IsEnabled("Function.Noisy.User", RpcLog.Types.Level.Warning));
        Assert.False(filter.IsEnabled("Microsoft.AspNetCore.Hosting.Diagnostics", RpcLog.Types.Level.Information));
        Assert.True(filter.IsEnabled("Microsoft.AspNetCore.Hosting.Diagnostics", RpcLog.Types.Level.Warning));
    }

    [Fact]
    public void Without_host_json_logging_information_and_above_pass()
    {
        var filter = LogFilter.Read(_app);

        Assert.True(filter.IsEnabled("Anything", RpcLog.Types.Level.Information));
        Assert.False(filter.IsEnabled("Anything", RpcLog.Types.Level.Debug));
    }
}
