using System.Runtime.InteropServices;
using Launcher.Posix.Interop;

namespace Launcher.Posix.Launch;

/// <summary>
/// The parent's side of a running job. Cancel signals (SIGTERM from gitlab-runner on cancel or
/// timeout, SIGINT, SIGHUP) are forwarded to the job's whole process group instead of killing
/// the supervisor, which would leave the job running unsupervised; kill_timeout after the first
/// one, whatever of the group is left gets SIGKILL.
/// </summary>
internal sealed unsafe class JobSupervisor : IDisposable
{
    private readonly TimeSpan _grace;
    private readonly List<PosixSignalRegistration> _registrations = [];
    private readonly Lock _lock = new();
    private int _pid;
    private int _pendingSignal;
    private long _deadlineMs;
    private Timer? _killTimer;
    private bool _cancelled;
    private bool _killed;

    /// <summary>Registers the handlers before the fork, so no cancel can fall between fork and supervision.</summary>
    public JobSupervisor(TimeSpan grace)
    {
        _grace = grace;
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
            if (_pid == 0)
            {
                _pendingSignal = signal;
                return;
            }
            SignalGroup(signal);
            if (_cancelled) return;
            _cancelled = true;
            _deadlineMs = Environment.TickCount64 + (long)_grace.TotalMilliseconds;
            _killTimer = new Timer(_ => KillGroup(), null, _grace, Timeout.InfiniteTimeSpan);
        }
    }

    private void KillGroup()
    {
        lock (_lock)
        {
            if (SignalGroup(LibC.SIGKILL)) _killed = true;
        }
    }

    /// <summary>
    /// The child makes itself a session (and group) leader first thing; a signal sent before
    /// that reaches it by pid and stays pending until it unblocks signals right before exec.
    /// </summary>
    private bool SignalGroup(int signal)
    {
        if (LibC.kill(-_pid, signal) == 0) return true;
        return Marshal.GetLastPInvokeError() == LibC.ESRCH && LibC.kill(_pid, signal) == 0;
    }

    /// <summary>Reaps the job; after a cancel, waits out the grace for the rest of its group, then SIGKILLs it.</summary>
    public (int ExitStatus, int? Signal) Wait()
    {
        int status = 0;
        while (LibC.waitpid(_pid, &status, 0) < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            if (errno != LibC.EINTR)
                throw new InvalidOperationException($"waitpid({_pid}) failed: {Marshal.GetPInvokeErrorMessage(errno)}");
        }
        if (Cancelled)
        {
            // Stragglers that ignored the forwarded signal: the process group outlives its leader.
            while (Environment.TickCount64 < _deadlineMs && LibC.kill(-_pid, 0) == 0) Thread.Sleep(50);
            if (LibC.kill(-_pid, 0) == 0) KillGroup();
        }
        int termSignal = status & 0x7F;
        if (termSignal == 0) return ((status >> 8) & 0xFF, null);
        return (128 + termSignal, termSignal);
    }

    public void Dispose()
    {
        foreach (var r in _registrations) r.Dispose();
        lock (_lock) _killTimer?.Dispose();
    }
}
