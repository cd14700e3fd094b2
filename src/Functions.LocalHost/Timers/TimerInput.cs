using System.Buffers;
using System.Text;
using System.Text.Json;

namespace TravelFunctions.LocalHost.Timers;

/// <summary>The last fire of a timer, as the host's schedule monitor records it.</summary>
internal sealed record ScheduleStatus(DateTime Last, DateTime Next, DateTime LastUpdated);

/// <summary>The "timer" input the host sends: its TimerInfo serialized as JSON.</summary>
internal static class TimerInput
{
    public static string ToJson(ScheduleStatus? status, bool isPastDue)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteStartObject("Schedule");
            json.WriteBoolean("AdjustForDST", true);
            json.WriteEndObject();
            if (status is null)
            {
                json.WriteNull("ScheduleStatus");
            }
            else
            {
                json.WriteStartObject("ScheduleStatus");
                json.WriteString("Last", status.Last);
                json.WriteString("Next", status.Next);
                json.WriteString("LastUpdated", status.LastUpdated);
                json.WriteEndObject();
            }
            json.WriteBoolean("IsPastDue", isPastDue);
            json.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
