using Launcher.Core.Launch;

namespace Launcher.Posix.Launch;

/// <summary>
/// A snapshot of /proc: who is in a process group, who is whose child. Only for finding and
/// counting; a pid read here is never signalled unless something else pins it (an unreaped
/// child of this process, or a group whose leader this process has not reaped yet).
/// </summary>
internal static class ProcessTable
{
    public static List<ProcStat> Snapshot()
    {
        var table = new List<ProcStat>();
        foreach (string dir in Directory.EnumerateDirectories("/proc"))
        {
            string name = Path.GetFileName(dir);
            if (name.Length == 0 || !name.All(char.IsAsciiDigit)) continue;
            try
            {
                if (ProcStat.Parse(File.ReadAllText(dir + "/stat")) is { } stat) table.Add(stat);
            }
            catch (IOException)
            {
                // Exited between the listing and the read.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
        return table;
    }
}
