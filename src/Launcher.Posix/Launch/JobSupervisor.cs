using System.Runtime.InteropServices;
using Launcher.Posix.Interop;
using Tmds.Linux;

namespace Launcher.Posix.Launch;

/// <summary>
/// The parent's side of a running job. Cancel signals (SIGTERM from gitlab-runner on cancel or
/// timeout, SIGINT, SIGHUP) are forwarded to the job's whole process group instead of killing
/// the supervisor, which would leave the job running unsupervised; kill_timeout after the first
/// one, the whole job (its cgroup, or its process group and orphans) gets SIGKILL. When the
/// job's leader exits, whatever of the job is left is killed too (<see cref="JobContainment"/>).
///
/// No signal ever goes to a bare pid or group id that may have been reused: the leader's exit is
/// observed with waitid(WNOWAIT), which leaves it a zombie, so its pid and its process group id
/// stay reserved while the rest is killed; it is reaped last, and after that nothing is signalled.
/// </summary>
internal sealed unsafe class JobSupervisor : IDisposable
{
    private readonly TimeSpan _grace;
    private readonly JobContainment _containment;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly Lock _lock = new();
    private int _pid;
    private int _pendingSignal;
    private long _deadlineMs;
    private Timer? _killTimer;
    private bool _cancelled;
    private bool _killed;
    private bool _leaderExited;
    private bool _ended;

    /// <summary>Registers the handlers before the fork, so no cancel can fall between fork and supervision.</summary>
    public JobSupervisor(TimeSpan grace, JobContainment containment)
    {
        _grace = grace;
        _containment = containment;
        // Any other signal the caller sends (same real uid) would end the supervisor without ending the job.
        Spawn.cil_ignore_stray_signals();
        foreach (var (signal, number) in new[] { (PosixSignal.SIGTERM, LibC.SIGTERM), (PosixSignal.SIGINT, LibC.SIGINT), (PosixSignal.SIGHUP, LibC.SIGHUP) })
        {
            _registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                context.Cancel = true;
                Forward(number);
            }));
        }
    }

    public bool Cancelled { get { lock (_lock) return _cancelled; } }

    public bool Killed { get { lock (_lock) return _killed; } }

    public void Attach(int pid)
    {
        lock (_lock)
        {
            _pid = pid;
            if (_pendingSignal != 0) Forward(_pendingSignal);
        }
    }

    private void Forward(int signal)
    {
        lock (_lock)
        {
            if (_ended) return;
            if (_pid == 0)
            {
                _pendingSignal = signal;
                return;
            }
            SignalGroup(signal);
            if (_cancelled) return;
            _cancelled = true;
            _deadlineMs = Environment.TickCount64 + (long)_grace.TotalMilliseconds;
            _killTimer = new Timer(_ => KillAll(), null, _grace, Timeout.InfiniteTimeSpan);
        }
    }

    private void KillAll()
    {
        lock (_lock)
        {
            // Once the leader has exited, Wait() ends the rest of the job itself and counts it.
            if (_ended || _leaderExited) return;
            SignalGroup(LibC.SIGKILL);
            _containment.KillAll(_pid);
            _killed = true;
        }
    }

    /// <summary>
    /// The child makes itself a session (and group) leader first thing; a signal sent before
    /// that reaches it by pid and stays pending until it unblocks signals right before exec.
    /// Only called before the leader is reaped (under the lock, while !_ended), so neither id
    /// can belong to anyone else.
    /// </summary>
    private void SignalGroup(int signal)
    {
        if (LibC.kill(-_pid, signal) == 0) return;
        if (Errno.Last == LibC.ESRCH) LibC.kill(_pid, signal);
    }

    /// <summary>
    /// Waits for the job's leader to exit; after a cancel, gives the rest of the job what is left
    /// of the grace; then kills whatever of the job remains and reaps the leader.
    /// </summary>
    public (int ExitStatus, int? Signal, int Leftovers) Wait()
    {
        siginfo_t info;
        while (Glibc.waitid(Glibc.P_PID, _pid, &info, Glibc.WEXITED | Glibc.WNOWAIT) < 0)
        {
            int errno = Errno.Last;
            if (errno != LibC.EINTR)
                throw new InvalidOperationException($"waitid({_pid}) failed: {Errno.Message(errno)}");
        }
        lock (_lock) _leaderExited = true;
        // After a cancel, stragglers that ignored the forwarded signal (or never got it: another
        // session) have the rest of the grace; without a cancel the job is over when its leader is.
        if (Cancelled)
            while (Environment.TickCount64 < _deadlineMs && _containment.AnyAlive(_pid)) Thread.Sleep(50);
        StopSignalling();
        int leftovers = _containment.KillRest(_pid);
        if (leftovers > 0 && Cancelled)
            lock (_lock) _killed = true;

        int status = 0;
        while (Glibc.waitpid(_pid, &status, 0) < 0)
        {
            int errno = Errno.Last;
            if (errno != LibC.EINTR)
                throw new InvalidOperationException($"waitpid({_pid}) failed: {Errno.Message(errno)}");
        }
        int termSignal = status & 0x7F;
        if (termSignal == 0) return ((status >> 8) & 0xFF, null, leftovers);
        return (128 + termSignal, termSignal, leftovers);
    }

    /// <summary>From now on no forwarded cancel and no kill_timeout signals anything: the leader is about to be reaped.</summary>
    public void StopSignalling()
    {
        lock (_lock)
        {
            _ended = true;
            _killTimer?.Dispose();
        }
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        StopSignalling();
    }
}
