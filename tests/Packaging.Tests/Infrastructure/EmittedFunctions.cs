using System.Diagnostics;
using System.Text.Json.Nodes;

namespace TravelFunctions.Tests.Packaging.Infrastructure;

/// <summary>Runs the built <c>Functions.Http emit-functions &lt;dir&gt;</c> (the same command scripts/publish.sh runs) and reads what it wrote.</summary>
public static class EmittedFunctions
{
    public static IReadOnlyDictionary<string, JsonNode> OfHttpApp()
    {
        var dir = Path.Combine(Path.GetTempPath(), "tf-emit-" + Guid.NewGuid().ToString("N")[..12]);
        try
        {
            var dll = Path.Combine(AppContext.BaseDirectory, "Functions.Http.dll");
            var psi = new ProcessStartInfo("dotnet", ["exec", "--runtimeconfig", Path.ChangeExtension(dll, ".runtimeconfig.json"), dll, "emit-functions", dir])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            // No settings at all: emitting must not need a database or secrets.
            foreach (var key in new[] { "TravelDb", "TravelDbDirect", "Jwt__SigningKey", "Jwt__Issuer", "Jwt__Audience" }) psi.Environment.Remove(key);
            using var process = Process.Start(psi)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(TimeSpan.FromSeconds(60))) { process.Kill(); throw new TimeoutException("emit-functions did not exit within 60 s."); }
            if (process.ExitCode != 0) throw new InvalidOperationException($"emit-functions exited {process.ExitCode}: {stderr.Result}{stdout.Result}");
            return Read(dir);
        }
        finally
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Function name → function.json, for every folder of <paramref name="dir"/> holding one.</summary>
    public static IReadOnlyDictionary<string, JsonNode> Read(string dir) =>
        Directory.EnumerateDirectories(dir)
            .Where(d => File.Exists(Path.Combine(d, "function.json")))
            .ToDictionary(Path.GetFileName!, d => JsonNode.Parse(File.ReadAllText(Path.Combine(d, "function.json")))!);

    public static JsonObject Trigger(this JsonNode function) =>
        function["bindings"]!.AsArray().Single(b => b!["direction"]!.GetValue<string>() == "in")!.AsObject();

    public static IReadOnlyList<string> Methods(this JsonNode function) =>
        function.Trigger()["methods"]?.AsArray().Select(m => m!.GetValue<string>()).ToList() ?? [];
}
