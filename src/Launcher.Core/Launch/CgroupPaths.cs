namespace Launcher.Core.Launch;

/// <summary>
/// Where cgroup v2 is and where this process sits in it, from the text of /proc/self/mountinfo
/// and /proc/self/cgroup. Machines differ: RHEL 9 mounts it at /sys/fs/cgroup, hybrid systems at
/// /sys/fs/cgroup/unified (with the controllers on v1), containers somewhere under a namespace
/// root. Pure parsing; Launcher.Posix.Launch.JobCgroup opens what this names.
/// </summary>
public static class CgroupPaths
{
    /// <summary>A cgroup2 mount: where it is mounted, and which cgroup of the hierarchy is its root.</summary>
    public sealed record Mount(string MountPoint, string Root);

    /// <summary>The first cgroup2 mount in mountinfo, or null when cgroup v2 is not mounted.</summary>
    public static Mount? FindMount(string mountinfo)
    {
        foreach (string line in mountinfo.Split('\n'))
        {
            // id parent major:minor root mount-point options [optional fields...] - fstype source super-options
            string[] fields = line.Split(' ');
            int separator = Array.IndexOf(fields, "-");
            if (separator < 6 || fields.Length < separator + 4 || fields[separator + 1] != "cgroup2") continue;
            return new Mount(Unescape(fields[4]), Unescape(fields[3]));
        }
        return null;
    }

    /// <summary>This process's cgroup v2 path (the "0::" line), or null on a v1-only system.</summary>
    public static string? OwnCgroup(string procSelfCgroup)
    {
        foreach (string line in procSelfCgroup.Split('\n'))
            if (line.StartsWith("0::/", StringComparison.Ordinal)) return line[3..];
        return null;
    }

    /// <summary>
    /// The directory components of <paramref name="cgroup"/> below the mount's root, or null when
    /// the cgroup is not visible under that mount (another namespace, or a deleted cgroup).
    /// </summary>
    public static IReadOnlyList<string>? ComponentsBelow(Mount mount, string cgroup)
    {
        if (cgroup.EndsWith(" (deleted)", StringComparison.Ordinal)) return null;
        string root = mount.Root.TrimEnd('/');
        if (cgroup != root && !cgroup.StartsWith(root + "/", StringComparison.Ordinal)) return null;
        var parts = cgroup[root.Length..].Split('/', StringSplitOptions.RemoveEmptyEntries);
        return parts.Any(p => p is "." or "..") ? null : parts;
    }

    /// <summary>mountinfo writes space, tab, newline and backslash as \040, \011, \012, \134.</summary>
    private static string Unescape(string field)
    {
        if (!field.Contains('\\', StringComparison.Ordinal)) return field;
        var sb = new System.Text.StringBuilder(field.Length);
        for (int i = 0; i < field.Length; i++)
        {
            if (field[i] == '\\' && i + 3 < field.Length && IsOctal(field[i + 1]) && IsOctal(field[i + 2]) && IsOctal(field[i + 3]))
            {
                sb.Append((char)(((field[i + 1] - '0') << 6) | ((field[i + 2] - '0') << 3) | (field[i + 3] - '0')));
                i += 3;
            }
            else sb.Append(field[i]);
        }
        return sb.ToString();
    }

    private static bool IsOctal(char c) => c is >= '0' and <= '7';
}
