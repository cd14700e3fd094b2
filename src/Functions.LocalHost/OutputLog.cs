using System.Text;

namespace TravelFunctions.LocalHost;

/// <summary>Everything the worker printed or logged, for error messages and test failures, passed on to
/// <see cref="LocalHostOptions.Output"/> as it arrives. Keeps the latest ~1 MB so a long benchmark run
/// cannot grow it without end.</summary>
internal sealed class OutputLog(Action<string>? sink)
{
    private const int MaxChars = 1 << 20;
    private readonly StringBuilder _text = new();
    private readonly Lock _lock = new();

    public void Write(string line)
    {
        lock (_lock)
        {
            if (_text.Length + line.Length > MaxChars) _text.Remove(0, Math.Min(_text.Length, MaxChars / 2));
            _text.AppendLine(line);
        }
        try { sink?.Invoke(line); }
        catch (Exception) { /* a failing sink (e.g. a finished test's output helper) must not stop the host */ }
    }

    public override string ToString()
    {
        lock (_lock) return _text.ToString();
    }
}
