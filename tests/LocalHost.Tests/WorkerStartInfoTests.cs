using TravelFunctions.LocalHost.Worker;
using Xunit;

namespace TravelFunctions.LocalHost.Tests;

/// <summary>The start command built from worker.config.json, in both forms the Worker SDK writes.</summary>
public sealed class WorkerStartInfoTests : IDisposable
{
    private static readonly Uri Grpc = new("http://127.0.0.1:4321/");
    private readonly string _app = Directory.CreateTempSubdirectory("localhost-app-").FullName;

    public void Dispose() => Directory.Delete(_app, recursive: true);

    [Fact]
    public void The_framework_dependent_form_runs_dotnet_with_the_app_dll_and_the_hosts_arguments()
    {
        WriteWorkerConfig("dotnet", "App.dll");

        var start = WorkerStartInfo.Create(_app, Grpc, "worker-1", "request-1", new Dictionary<string, string> { ["Setting"] = "value" }, inheritEnvironment: false);

        Assert.Equal("dotnet", start.FileName);
        Assert.Equal(_app, start.WorkingDirectory);
        Assert.Equal(Path.Combine(_app, "App.dll"), start.ArgumentList[0]);
        Assert.Equal(
            ["--host", "127.0.0.1", "--port", "4321", "--workerId", "worker-1", "--requestId", "request-1",
             "--grpcMaxMessageLength", "2147483647", "--functions-uri", "http://127.0.0.1:4321/",
             "--functions-worker-id", "worker-1", "--functions-request-id", "request-1",
             "--functions-grpc-max-message-length", "2147483647"],
            start.ArgumentList.Skip(1));
        Assert.Equal("value", start.Environment["Setting"]);
        Assert.Equal(_app, start.Environment["FUNCTIONS_APPLICATION_DIRECTORY"]);
        Assert.Equal("dotnet-isolated", start.Environment["FUNCTIONS_WORKER_RUNTIME"]);
        Assert.False(start.Environment.ContainsKey("PATH"), "the environment was inherited");
    }

    [Fact]
    public void The_self_contained_form_runs_the_apps_own_executable_from_the_app_folder()
    {
        WriteWorkerConfig("{WorkerRoot}App", "App.dll");
        var executable = Path.Combine(_app, OperatingSystem.IsWindows() ? "App.exe" : "App");
        File.WriteAllText(executable, "");

        var start = WorkerStartInfo.Create(_app, Grpc, "worker-1", "request-1", new Dictionary<string, string>(), inheritEnvironment: true);

        Assert.Equal(executable, start.FileName);
        Assert.Equal(Path.Combine(_app, "App.dll"), start.ArgumentList[0]);
    }

    [Fact]
    public void A_relative_executable_path_is_relative_to_the_app_folder()
    {
        WriteWorkerConfig("bin/App", "App.dll");

        var start = WorkerStartInfo.Create(_app, Grpc, "w", "r", new Dictionary<string, string>(), inheritEnvironment: true);

        Assert.Equal(Path.Combine(_app, "bin", "App"), start.FileName);
    }

    [Fact]
    public void A_missing_worker_config_says_what_the_folder_should_be()
    {
        var failure = Assert.Throws<FileNotFoundException>(() =>
            WorkerStartInfo.Create(_app, Grpc, "w", "r", new Dictionary<string, string>(), inheritEnvironment: true));

        Assert.Contains("worker.config.json", failure.Message);
    }

    private void WriteWorkerConfig(string executable, string workerPath) =>
        File.WriteAllText(Path.Combine(_app, "worker.config.json"),
            $$"""{ "description": { "language": "dotnet-isolated", "defaultExecutablePath": "{{executable}}", "defaultWorkerPath": "{{workerPath}}", "workerIndexing": "true" } }""");
}
