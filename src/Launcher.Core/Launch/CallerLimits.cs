using System.Globalization;
using Launcher.Core.Authorization;

namespace Launcher.Core.Launch;

/// <summary>One resource limit; <see cref="CallerLimits.Unlimited"/> is RLIM_INFINITY.</summary>
public readonly record struct ResourceLimit(ulong Soft, ulong Hard);

/// <summary>
/// The caller's resource limits as ci-launcher-suid recorded them before it set the privileged
/// part's own (native/ci-launcher-suid.c, limit_rules): <c>cpu=inf/inf,fsize=1024/inf,...</c>,
/// every resource once, in RLIMIT_* order. The job gets exactly these back before exec. The
/// wrapper sets the variable after dropping every variable it does not allow, so a caller
/// cannot choose it; a set-id launcher without it was not started by the wrapper.
/// </summary>
public static class CallerLimits
{
    public const string Variable = "CI_LAUNCHER_CALLER_RLIMITS";

    public const ulong Unlimited = ulong.MaxValue;

    /// <summary>Index = the RLIMIT_* number (Linux, every architecture ci-launcher builds for).</summary>
    public static IReadOnlyList<string> Names { get; } =
        ["cpu", "fsize", "data", "stack", "core", "rss", "nproc", "nofile", "memlock", "as", "locks", "sigpending", "msgqueue", "nice", "rtprio", "rttime"];

    /// <summary>The limits indexed by RLIMIT_* number, or what was wrong (launch.rlimit, the site's to fix).</summary>
    public static Outcome<IReadOnlyList<ResourceLimit>> Parse(string? value)
    {
        if (string.IsNullOrEmpty(value))
            return Refused($"{Variable} is not set: a set-id ci-launcher must be started through ci-launcher-suid, which records the caller's resource limits there");
        string[] entries = value.Split(',');
        if (entries.Length != Names.Count)
            return Refused($"{Variable} has {entries.Length} entries, expected {Names.Count} ({string.Join(',', Names)}); ci-launcher-suid and ci-launcher are from different builds: reinstall both");
        var limits = new ResourceLimit[Names.Count];
        for (int i = 0; i < entries.Length; i++)
        {
            string entry = entries[i];
            int eq = entry.IndexOf('=', StringComparison.Ordinal);
            string name = eq < 0 ? entry : entry[..eq];
            if (name != Names[i])
                return Refused($"{Variable} entry {i + 1} is '{Truncate(name)}', expected '{Names[i]}'; ci-launcher-suid and ci-launcher are from different builds: reinstall both");
            string[] pair = entry[(eq + 1)..].Split('/');
            if (pair.Length != 2 || Value(pair[0]) is not { } soft || Value(pair[1]) is not { } hard || soft > hard)
                return Refused($"{Variable}: '{Truncate(entry)}' is not {Names[i]}=SOFT/HARD with SOFT <= HARD (numbers or 'inf')");
            limits[i] = new ResourceLimit(soft, hard);
        }
        return Outcome.Of<IReadOnlyList<ResourceLimit>>(limits);
    }

    private static Refusal Refused(string detail) => Refusal.SiteError(Reasons.LaunchRlimit, detail);

    private static ulong? Value(string text)
    {
        if (text == "inf") return Unlimited;
        return text.Length is > 0 and <= 20 && text.All(char.IsAsciiDigit)
            && ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ulong v) && v != Unlimited
            ? v
            : null;
    }

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..40] + "...";
}
