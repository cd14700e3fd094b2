namespace TravelFunctions.LocalHost;

/// <summary>The CLI's arguments: --app &lt;dir&gt; [--port 7071] [--settings &lt;local.settings.json&gt;] [--no-schedules].</summary>
internal sealed record CommandLine(string AppDirectory, int Port, string? SettingsFile, bool RunSchedules)
{
    public const string Usage =
        "usage: Functions.LocalHost --app <dir> [--port 7071] [--settings <local.settings.json>] [--no-schedules]";

    public static CommandLine Parse(string[] args)
    {
        string? app = null, settings = null;
        var port = 7071;
        var runSchedules = true;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--app": app = Value(args, ref i); break;
                case "--port": port = int.Parse(Value(args, ref i)); break;
                case "--settings": settings = Value(args, ref i); break;
                case "--no-schedules": runSchedules = false; break;
                default: throw new ArgumentException($"Unknown argument '{args[i]}'.");
            }
        }
        if (app is null) throw new ArgumentException("--app is required.");
        // Like func start: local.settings.json beside the app unless another is named.
        settings ??= File.Exists(Path.Combine(app, "local.settings.json")) ? Path.Combine(app, "local.settings.json") : null;
        return new CommandLine(app, port, settings, runSchedules);
    }

    private static string Value(string[] args, ref int i) =>
        ++i < args.Length ? args[i] : throw new ArgumentException($"{args[i - 1]} needs a value.");
}
