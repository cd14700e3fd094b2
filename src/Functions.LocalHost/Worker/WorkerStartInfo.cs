using System.Diagnostics;
using System.Text.Json;

namespace TravelFunctions.LocalHost.Worker;

/// <summary>Builds the worker's process start info from worker.config.json the way the Functions host does:
/// executable + its arguments + "worker path" + worker arguments + the host's connection arguments,
/// working directory = the app folder, app settings and the host's own variables in the environment.</summary>
internal static class WorkerStartInfo
{
    private const string WorkerRootToken = "{WorkerRoot}";
    private const string WorkerDirectoryToken = "{workerDirectoryPath}";

    // The host passes int.MaxValue as the largest gRPC message either side may send.
    public const int MaxMessageLength = int.MaxValue;

    public static ProcessStartInfo Create(
        string appDirectory, Uri grpcUri, string workerId, string requestId,
        IReadOnlyDictionary<string, string> settings, bool inheritEnvironment)
    {
        var description = ReadDescription(appDirectory);
        var executable = ResolveExecutable(description.Executable, appDirectory);

        var startInfo = new ProcessStartInfo(executable)
        {
            WorkingDirectory = appDirectory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            CreateNoWindow = true,
        };

        foreach (var argument in description.ExecutableArguments) startInfo.ArgumentList.Add(Expand(argument, appDirectory));
        if (description.WorkerPath is { Length: > 0 } workerPath)
            startInfo.ArgumentList.Add(Path.IsPathRooted(workerPath) ? workerPath : Path.Combine(appDirectory, workerPath));
        foreach (var argument in description.WorkerArguments) startInfo.ArgumentList.Add(Expand(argument, appDirectory));

        // Both spellings, as the host sends them: older workers read the short ones, Worker 2.x the --functions-* ones.
        AddArguments(startInfo,
            "--host", grpcUri.Host, "--port", grpcUri.Port.ToString(),
            "--workerId", workerId, "--requestId", requestId,
            "--grpcMaxMessageLength", MaxMessageLength.ToString(),
            "--functions-uri", grpcUri.AbsoluteUri, "--functions-worker-id", workerId,
            "--functions-request-id", requestId,
            "--functions-grpc-max-message-length", MaxMessageLength.ToString());

        if (!inheritEnvironment) startInfo.Environment.Clear();
        foreach (var (name, value) in settings) startInfo.Environment[name] = value;

        // An app setting in Azure; the app cannot run as anything else here.
        startInfo.Environment.TryAdd("FUNCTIONS_WORKER_RUNTIME", "dotnet-isolated");
        // What the host (and the Azure platform around it) adds; these win over app settings, as in the host.
        startInfo.Environment["FUNCTIONS_WORKER_DIRECTORY"] = appDirectory;
        startInfo.Environment["FUNCTIONS_APPLICATION_DIRECTORY"] = appDirectory;
        startInfo.Environment["AzureWebJobsScriptRoot"] = appDirectory;
        return startInfo;
    }

    private static void AddArguments(ProcessStartInfo startInfo, params string[] arguments)
    {
        foreach (var argument in arguments) startInfo.ArgumentList.Add(argument);
    }

    private static string Expand(string argument, string appDirectory) =>
        Environment.ExpandEnvironmentVariables(argument.Replace(WorkerDirectoryToken, appDirectory));

    /// <summary>"dotnet" (any bare name) is found on PATH; {WorkerRoot}App is the app folder's App
    /// (App.exe on Windows); any other relative path is relative to the app folder.</summary>
    internal static string ResolveExecutable(string executable, string appDirectory)
    {
        if (executable.Contains(WorkerRootToken, StringComparison.Ordinal))
        {
            var name = executable.Replace(WorkerRootToken, "", StringComparison.Ordinal);
            if (name.Length == 0) throw new InvalidOperationException($"defaultExecutablePath '{executable}' names no file after {WorkerRootToken}.");
            var path = Path.Combine(appDirectory, name);
            if (OperatingSystem.IsWindows() && !path.EndsWith(".exe", StringComparison.OrdinalIgnoreCase)) path += ".exe";
            return File.Exists(path) ? path : throw new FileNotFoundException($"The worker executable '{path}' (from worker.config.json) does not exist.", path);
        }
        if (Path.IsPathRooted(executable)) return executable;
        var hasDirectory = executable.Contains('/') || executable.Contains(Path.DirectorySeparatorChar);
        return hasDirectory ? Path.GetFullPath(Path.Combine(appDirectory, executable)) : executable;
    }

    private sealed record Description(string Executable, string? WorkerPath, List<string> ExecutableArguments, List<string> WorkerArguments);

    private static Description ReadDescription(string appDirectory)
    {
        var path = Path.Combine(appDirectory, "worker.config.json");
        if (!File.Exists(path))
            throw new FileNotFoundException($"No worker.config.json in '{appDirectory}': is it the build output or package of a .NET isolated function app?", path);

        using var document = JsonDocument.Parse(File.ReadAllText(path), new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        if (!document.RootElement.TryGetProperty("description", out var description) || description.ValueKind != JsonValueKind.Object)
            throw new InvalidOperationException($"'{path}' has no \"description\" object.");

        var executable = GetString(description, "defaultExecutablePath");
        if (string.IsNullOrWhiteSpace(executable)) throw new InvalidOperationException($"'{path}' names no description.defaultExecutablePath.");
        return new Description(executable, GetString(description, "defaultWorkerPath"),
            GetStrings(description, "arguments"), GetStrings(description, "workerArguments"));
    }

    private static string? GetString(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static List<string> GetStrings(JsonElement element, string name)
    {
        var list = new List<string>();
        if (element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array)
            foreach (var item in value.EnumerateArray())
                if (item.GetString() is { Length: > 0 } text) list.Add(text);
        return list;
    }
}
