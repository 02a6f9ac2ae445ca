using System.Globalization;

namespace Launcher.Core.Batch;

/// <summary>
/// Slurm's time limits (<c>--time</c>): <c>minutes</c>, <c>minutes:seconds</c>,
/// <c>hours:minutes:seconds</c>, <c>days-hours</c>, <c>days-hours:minutes</c>,
/// <c>days-hours:minutes:seconds</c>, or <c>infinite</c>/<c>unlimited</c> (null here).
/// </summary>
public static class SlurmTime
{
    /// <summary>False when <paramref name="text"/> is not a Slurm time; <paramref name="limit"/> null means unlimited.</summary>
    public static bool TryParse(string text, out TimeSpan? limit)
    {
        limit = null;
        if (text is "infinite" or "INFINITE" or "unlimited" or "UNLIMITED" or "-1") return true;
        if (text.Length == 0 || text.Length > 32) return false;
        long days = 0;
        string rest = text;
        int dash = text.IndexOf('-');
        bool hasDays = dash >= 0;
        if (hasDays)
        {
            if (!Number(text[..dash], out days)) return false;
            rest = text[(dash + 1)..];
        }
        string[] parts = rest.Split(':');
        var n = new long[parts.Length];
        for (int i = 0; i < parts.Length; i++)
            if (!Number(parts[i], out n[i])) return false;
        long seconds;
        if (hasDays)
        {
            seconds = parts.Length switch
            {
                1 => n[0] * 3600,
                2 => n[0] * 3600 + n[1] * 60,
                3 => n[0] * 3600 + n[1] * 60 + n[2],
                _ => -1,
            };
            if (seconds < 0) return false;
            seconds += days * 86400;
        }
        else
        {
            seconds = parts.Length switch
            {
                1 => n[0] * 60,
                2 => n[0] * 60 + n[1],
                3 => n[0] * 3600 + n[1] * 60 + n[2],
                _ => -1,
            };
            if (seconds < 0) return false;
        }
        limit = TimeSpan.FromSeconds(seconds);
        return true;
    }

    /// <summary>The form Slurm reads back exactly: <c>D-HH:MM:SS</c> or <c>HH:MM:SS</c>.</summary>
    public static string Format(TimeSpan span)
    {
        long total = (long)Math.Ceiling(span.TotalSeconds);
        long days = total / 86400, h = total % 86400 / 3600, m = total % 3600 / 60, s = total % 60;
        return days > 0
            ? string.Create(CultureInfo.InvariantCulture, $"{days}-{h:00}:{m:00}:{s:00}")
            : string.Create(CultureInfo.InvariantCulture, $"{h:00}:{m:00}:{s:00}");
    }

    private static bool Number(string s, out long value)
    {
        value = 0;
        return s.Length is > 0 and <= 9 && s.All(char.IsAsciiDigit)
            && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
