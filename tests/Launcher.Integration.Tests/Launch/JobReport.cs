namespace Launcher.Integration.Tests.Launch;

/// <summary>The report LaunchSite.JobScript leaves: sections of lines, and the job's open fds.</summary>
public sealed class JobReport
{
    private readonly Dictionary<string, List<string>> _sections = new(StringComparer.Ordinal);

    public JobReport(string reportPath)
    {
        List<string>? current = null;
        foreach (var line in File.ReadAllLines(reportPath))
        {
            if (line.StartsWith("== ", StringComparison.Ordinal)) _sections[line[3..]] = current = [];
            else current?.Add(line);
        }
        // ls -l /proc/self/fd: "lr-x------ 1 u g 64 date 3 -> /path"; the lister's own directory fd is left out.
        Fds = File.ReadAllLines(reportPath + ".fds")
            .Where(l => l.Contains(" -> ", StringComparison.Ordinal))
            .Select(l => l.Split(" -> ", 2))
            .Select(parts => (Fd: int.Parse(parts[0].Split(' ', StringSplitOptions.RemoveEmptyEntries)[^1], System.Globalization.CultureInfo.InvariantCulture), Target: parts[1]))
            .Where(f => !(f.Target.StartsWith("/proc/", StringComparison.Ordinal) && f.Target.EndsWith("/fd", StringComparison.Ordinal)))
            .ToDictionary(f => f.Fd, f => f.Target);
    }

    public IReadOnlyDictionary<int, string> Fds { get; }

    public IReadOnlyList<string> Section(string name) => _sections.TryGetValue(name, out var lines) ? lines : [];

    /// <summary>A /proc/self/status field, whitespace collapsed: "Uid" gives "1001 1001 1001 1001".</summary>
    public string Status(string field) =>
        string.Join(' ', Section("status").Single(l => l.StartsWith(field + ":", StringComparison.Ordinal))[(field.Length + 1)..]
            .Split(['\t', ' '], StringSplitOptions.RemoveEmptyEntries));

    public IReadOnlyDictionary<string, string> Environment =>
        Section("env").Where(l => l.Contains('=')).Select(l => l.Split('=', 2)).ToDictionary(kv => kv[0], kv => kv[1]);

    public int Pid => int.Parse(Section("pid").Single(), System.Globalization.CultureInfo.InvariantCulture);
}
