using System.Globalization;

namespace Launcher.Core.Config;

/// <summary>Durations as written in the config: <c>500ms</c>, <c>30s</c>, <c>5m</c>, <c>1h</c>, <c>1m30s</c>.</summary>
public static class Duration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrEmpty(text)) return false;
        long totalMs = 0;
        int i = 0;
        while (i < text.Length)
        {
            int start = i;
            while (i < text.Length && char.IsAsciiDigit(text[i])) i++;
            if (i == start || i - start > 9) return false;
            long number = long.Parse(text.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture);
            int unitStart = i;
            while (i < text.Length && char.IsAsciiLetterLower(text[i])) i++;
            long unitMs = text[unitStart..i] switch
            {
                "ms" => 1,
                "s" => 1000,
                "m" => 60_000,
                "h" => 3_600_000,
                "d" => 86_400_000,
                _ => -1,
            };
            if (unitMs < 0) return false;
            totalMs += number * unitMs;
        }
        value = TimeSpan.FromMilliseconds(totalMs);
        return true;
    }

    public static string Format(TimeSpan span) =>
        span.TotalMilliseconds % 1000 != 0 ? $"{(long)span.TotalMilliseconds}ms" : $"{(long)span.TotalSeconds}s";

    /// <summary>
    /// Whole seconds in the config's own syntax, largest units first (<c>1h5m</c>, <c>24h</c>,
    /// <c>3650d</c>), so a refusal can be compared with, and copied into, the setting it names.
    /// Days appear only from 2d on: 24h reads as the setting is usually written.
    /// </summary>
    public static string Readable(long seconds)
    {
        if (seconds <= 0) return $"{seconds}s";
        var sb = new System.Text.StringBuilder();
        if (seconds >= 2 * 86400)
        {
            sb.Append(seconds / 86400).Append('d');
            seconds %= 86400;
        }
        if (seconds >= 3600) { sb.Append(seconds / 3600).Append('h'); seconds %= 3600; }
        if (seconds >= 60) { sb.Append(seconds / 60).Append('m'); seconds %= 60; }
        if (seconds > 0) sb.Append(seconds).Append('s');
        return sb.ToString();
    }
}
