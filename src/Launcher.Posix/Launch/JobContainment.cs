using Launcher.Core.Authorization;
using Launcher.Core.Launch;

namespace Launcher.Posix.Launch;

/// <summary>
/// What keeps a job's processes together so that none outlives the job (launch.containment):
/// its own cgroup, or else its process group. The supervisor calls these while the job's leader
/// has exited but is not reaped yet: its pid, and so its process group id, cannot be reused, so
/// nothing here can signal a stranger.
/// </summary>
internal abstract class JobContainment : IDisposable
{
    /// <summary>The audit value: <c>cgroup</c> or <c>process_group</c>.</summary>
    public abstract string Name { get; }

    /// <summary>Why auto fell back to the process group, or what went wrong cleaning up; null when nothing did.</summary>
    public string? Note { get; protected set; }

    /// <summary>The job cgroup's cgroup.procs for the child to join, or -1.</summary>
    public virtual int CgroupProcsFd => -1;

    /// <summary>The job cgroup's directory, for the child to be created in (clone3 CLONE_INTO_CGROUP), or -1.</summary>
    public virtual int CgroupFd => -1;

    /// <summary>kill_timeout ran out: SIGKILL to everything of the job besides its process group (which the supervisor kills).</summary>
    public abstract void KillAll(int leader);

    /// <summary>Whether any process of the job other than its exited leader still runs.</summary>
    public abstract bool AnyAlive(int leader);

    /// <summary>The job's end: SIGKILL to whatever of it still runs, wait until it is gone. Returns how many processes that was.</summary>
    public abstract int KillRest(int leader);

    public virtual void Dispose()
    {
    }

    /// <summary>The containment for <paramref name="mode"/>, or the launch.containment site error when a required cgroup cannot be had.</summary>
    public static Outcome<JobContainment> Choose(Containment mode)
    {
        if (mode == Containment.ProcessGroup) return Outcome.Of<JobContainment>(new ProcessGroupContainment(note: null));
        var cgroup = JobCgroup.Create();
        if (cgroup.Ok) return Outcome.Of<JobContainment>(new CgroupContainment(cgroup.Value));
        string unavailable = cgroup.Refusal.Detail;
        if (mode == Containment.Cgroup)
            return Refusal.SiteError(Reasons.LaunchContainment, $"a cgroup of its own is required for every job (launch.containment: cgroup), but {unavailable}; set launch.containment: auto or process_group to run jobs without one");
        return Outcome.Of<JobContainment>(new ProcessGroupContainment(note: $"no cgroup: {unavailable}"));
    }
}
