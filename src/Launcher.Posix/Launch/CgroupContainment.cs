namespace Launcher.Posix.Launch;

/// <summary>Containment by the job's own cgroup (<see cref="JobCgroup"/>): nothing the job forks can leave it.</summary>
internal sealed class CgroupContainment(JobCgroup cgroup) : JobContainment
{
    public override string Name => "cgroup";

    public override int CgroupProcsFd => cgroup.ProcsFd;

    public override int CgroupFd => cgroup.DirFd;

    public override void KillAll(int leader) => cgroup.Kill();

    public override bool AnyAlive(int leader) => cgroup.Populated();

    public override int KillRest(int leader)
    {
        var (killed, note) = cgroup.KillAndRemove(leader);
        if (note is not null) Note = note;
        return killed;
    }

    public override void Dispose() => cgroup.Dispose();
}
