using System.Globalization;

namespace Launcher.Core.Launch;

/// <summary>
/// The fields of a /proc/PID/stat line the process-group containment needs. The command name
/// sits in parentheses and is the job's to choose (spaces, parentheses, anything): the fields
/// are read after the last ')'.
/// </summary>
public readonly record struct ProcStat(int Pid, char State, int ParentPid, int ProcessGroup)
{
    /// <summary>Exited, waiting for its parent to reap it: it runs nothing and holds its pid.</summary>
    public bool Zombie => State is 'Z' or 'X' or 'x';

    public static ProcStat? Parse(string line)
    {
        int open = line.IndexOf(" (", StringComparison.Ordinal);
        int close = line.LastIndexOf(')');
        if (open <= 0 || close < open || close + 2 >= line.Length) return null;
        string[] rest = line[(close + 2)..].Split(' ');
        if (rest.Length < 3 || rest[0].Length != 1
            || !int.TryParse(line.AsSpan(0, open), NumberStyles.None, CultureInfo.InvariantCulture, out int pid)
            || !int.TryParse(rest[1], NumberStyles.None, CultureInfo.InvariantCulture, out int ppid)
            || !int.TryParse(rest[2], NumberStyles.None, CultureInfo.InvariantCulture, out int pgrp))
            return null;
        return new ProcStat(pid, rest[0][0], ppid, pgrp);
    }
}
