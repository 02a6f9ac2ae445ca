using Launcher.Core.Authorization;
using Launcher.Core.Launch;
using Launcher.Posix.Interop;
using Launcher.Posix.Launch;
using Tmds.Linux;

namespace Launcher.Posix.Privileged;

/// <summary>
/// Starts a job as its account and supervises it to the end. The fork-to-exec part is
/// native/cil_spawn.c (see the step list there); this class prepares its input, tells a
/// failed setup (nothing ran) from a started job, and stays as the job's supervisor.
/// </summary>
public static unsafe class JobLauncher
{
    /// <summary>
    /// Runs <paramref name="spec"/>. Blocks until the job ends. <paramref name="onStarted"/> is
    /// called with the job's pid (= its process group id) once the script was exec'd.
    /// Call it from the thread that stays alive for the whole job (the main thread). The end of
    /// a started job, or why it did not start.
    /// </summary>
    public static Outcome<JobEnd> Run(LaunchPlan spec, Action<int>? onStarted = null)
    {
        if (!spec.Script.StartsWith('/') || !spec.Shell.StartsWith('/') || !spec.WorkingDirectory.StartsWith('/'))
            throw new ArgumentException("script, shell and working directory must be absolute paths", nameof(spec));

        // Through ci-launcher-suid the job must get the caller's limits back, never the raised ones.
        if (ProcessIdentity.IsSetId && spec.CallerLimits is null)
            return Refusal.SiteError(Reasons.LaunchRlimit, $"running set-id without the caller's resource limits ({CallerLimits.Variable}); start jobs through ci-launcher-suid");
        if (spec.CallerLimits is { Count: not 0 } limits && limits.Count != CallerLimits.Names.Count)
            throw new ArgumentException("limits must hold every RLIMIT_* resource", nameof(spec));

        var chosen = JobContainment.Choose(spec.Containment);
        if (!chosen.Ok) return chosen.Refusal;
        using var containment = chosen.Value;
        using var supervisor = new JobSupervisor(spec.KillTimeout, containment);
        int pid, errorFd;
        using (var native = new NativeStrings())
        {
            var argv = new List<string>(spec.Arguments.Count + 2) { spec.Shell, spec.Script };
            argv.AddRange(spec.Arguments);
            var groups = spec.ChangeIdentity ? spec.Account.Groups.Select(g => g.Gid).Prepend(spec.Account.Gid).Distinct().ToList() : [];
            var request = new Spawn.Request
            {
                uid = spec.Account.Uid,
                gid = spec.Account.Gid,
                groups = native.UInts(groups),
                ngroups = groups.Count,
                change_identity = spec.ChangeIdentity ? 1 : 0,
                no_new_privs = spec.NoNewPrivs ? 1 : 0,
                umask = spec.Umask,
                workdir = native.Str(spec.WorkingDirectory),
                shell = native.Str(spec.Shell),
                script = native.Str(spec.Script),
                argv = native.Array(argv),
                envp = native.Array(spec.Environment.Select(kv => $"{kv.Key}={kv.Value}").ToList()),
                cgroup_procs_fd = containment.CgroupProcsFd,
                cgroup_fd = containment.CgroupFd,
                nlimits = spec.CallerLimits?.Count ?? 0,
                limits = native.Limits(spec.CallerLimits ?? []),
            };
            int rc = Spawn.cil_spawn(&request, &pid, &errorFd);
            if (rc != 0)
                return Refusal.SiteError(Reasons.LaunchSpawnFailed, $"fork failed: {Errno.Message(-rc)}");
        }
        supervisor.Attach(pid);

        var failure = ReadSetupError(errorFd);
        LibC.close(errorFd);
        if (failure is { } f)
        {
            supervisor.StopSignalling();
            int ignored;
            while (Glibc.waitpid(pid, &ignored, 0) < 0 && Errno.Last == LibC.EINTR) { }
            return ChildFailure.Describe((Spawn.Step)f.step, f.err, spec);
        }

        onStarted?.Invoke(pid);
        var (exitStatus, signal, leftovers) = supervisor.Wait();
        return Outcome.Of(new JobEnd
        {
            Pid = pid,
            ExitStatus = exitStatus,
            TermSignal = signal,
            Cancelled = supervisor.Cancelled,
            Killed = supervisor.Killed,
            Containment = containment.Name,
            Leftovers = leftovers,
            ContainmentNote = containment.Note ?? "",
        });
    }

    /// <summary>EOF: execve succeeded (the pipe is close-on-exec). A record: the step that failed.</summary>
    private static Spawn.Error? ReadSetupError(int fd)
    {
        Spawn.Error error;
        int total = 0;
        byte* p = (byte*)&error;
        while (total < sizeof(Spawn.Error))
        {
            long n = LibC.read(fd, p + total, sizeof(Spawn.Error) - total);
            if (n == 0) break;
            if (n < 0)
            {
                if (Errno.Last == LibC.EINTR) continue;
                return new Spawn.Error { step = (int)Spawn.Step.Unknown, err = Errno.Last };
            }
            total += (int)n;
        }
        if (total == 0) return null;
        if (total < sizeof(Spawn.Error)) return new Spawn.Error { step = (int)Spawn.Step.Unknown, err = 0 };
        return error;
    }
}
