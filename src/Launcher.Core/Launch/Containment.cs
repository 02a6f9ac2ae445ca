namespace Launcher.Core.Launch;

/// <summary>
/// How a job's processes are kept together so that none outlives the job (<c>launch.containment</c>).
/// </summary>
public enum Containment
{
    /// <summary>A cgroup per job when cgroup v2 is usable, else the process group (the default).</summary>
    Auto,
    /// <summary>A cgroup per job, or the job does not start (<c>launch.containment</c>).</summary>
    Cgroup,
    /// <summary>The job's process group (plus orphans it leaves, found as the supervisor's children).</summary>
    ProcessGroup,
}
