using Launcher.Core.Launch;
using Launcher.Posix.Interop;
using Tmds.Linux;

namespace Launcher.Posix.Launch;

/// <summary>
/// Containment without cgroup v2: the job's process group, plus the supervisor as a child
/// subreaper (PR_SET_CHILD_SUBREAPER). A job process that leaves the group (setsid, a
/// double-forked daemon) is still the job's descendant, so when its parent exits it becomes
/// the supervisor's child instead of init's, and is found and killed at the end. Signals go
/// only to the group while its leader is an unreaped zombie (the id stays reserved) and to the
/// supervisor's own unreaped children (their pids cannot be reused before they are reaped).
/// What this cannot hold: a process that escapes the tree altogether (a job that asks another
/// daemon, e.g. systemd-run --user, to start it); the cgroup containment has no such gap.
/// </summary>
internal sealed unsafe class ProcessGroupContainment : JobContainment
{
    private static readonly TimeSpan DrainTimeout = TimeSpan.FromSeconds(10);
    private readonly int _self = Environment.ProcessId;

    public ProcessGroupContainment(string? note)
    {
        Note = note;
        if (Glibc.prctl(Glibc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
            Note = (note is null ? "" : note + "; ") + $"PR_SET_CHILD_SUBREAPER failed ({Errno.Message()}): processes that leave the job's process group are not found";
    }

    public override string Name => "process_group";

    public override void KillAll(int leader)
    {
        foreach (var p in ProcessTable.Snapshot())
            if (p.ParentPid == _self && p.Pid != leader && !p.Zombie) LibC.kill(p.Pid, LibC.SIGKILL);
    }

    public override bool AnyAlive(int leader) => ProcessTable.Snapshot().Any(p => IsStray(p, leader) && !p.Zombie);

    public override int KillRest(int leader)
    {
        var seen = new HashSet<int>();
        long deadline = Environment.TickCount64 + (long)DrainTimeout.TotalMilliseconds;
        while (true)
        {
            // A zombie is done, except the supervisor's own: those it must reap.
            var strays = ProcessTable.Snapshot().Where(p => IsStray(p, leader) && (!p.Zombie || p.ParentPid == _self)).ToList();
            if (strays.Count == 0) break;
            bool groupAlive = false;
            foreach (var p in strays)
            {
                if (p.Zombie) continue;
                seen.Add(p.Pid);
                if (p.ProcessGroup == leader) groupAlive = true;
                if (p.ParentPid == _self) LibC.kill(p.Pid, LibC.SIGKILL);
            }
            if (groupAlive) LibC.kill(-leader, LibC.SIGKILL);
            // Reap the supervisor's own (a killed orphan, or one that exited during the job): each by its pid, never the leader.
            int status;
            foreach (var p in strays)
                if (p.ParentPid == _self) Glibc.waitpid(p.Pid, &status, Glibc.WNOHANG);
            if (Environment.TickCount64 > deadline)
            {
                Note = (Note is null ? "" : Note + "; ") + $"{strays.Count} job processes still present {DrainTimeout.TotalSeconds:0}s after SIGKILL";
                break;
            }
            Thread.Sleep(10);
        }
        return seen.Count;
    }

    /// <summary>A process of the job other than its leader: in the leader's group, or orphaned to the supervisor.</summary>
    private bool IsStray(ProcStat p, int leader) => p.Pid != leader && (p.ProcessGroup == leader || p.ParentPid == _self);
}
