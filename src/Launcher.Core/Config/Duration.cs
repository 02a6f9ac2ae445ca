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
}
