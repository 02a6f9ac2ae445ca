using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

/// <summary>
/// Per-thread signal masks, for writing a file under a file size limit a caller chose without
/// being killed by SIGXFSZ (the audit file writer, <see cref="Launcher.Posix.Logging.AuditFileSink"/>;
/// getrlimit is in LibC.Containment.cs). sigset_t is glibc's 1024-bit set on every Linux
/// architecture; it is only ever handled through the libc functions below.
/// </summary>
internal static unsafe partial class LibC
{
    public const int SIGXFSZ = 25;
    public const int SIG_BLOCK = 0;
    public const int SIG_SETMASK = 2;

    /// <summary>glibc's sigset_t: 1024 bits.</summary>
    [StructLayout(LayoutKind.Sequential)]
    public struct SigSet
    {
        public fixed ulong bits[16];
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct Timespec
    {
        public long tv_sec;
        public long tv_nsec;
    }

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sigemptyset(SigSet* set);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sigaddset(SigSet* set, int signal);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sigismember(SigSet* set, int signal);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sigpending(SigSet* set);

    /// <summary>Returns an errno value (not -1/errno) like every pthread_* call.</summary>
    [LibraryImport(Lib)]
    public static partial int pthread_sigmask(int how, SigSet* set, SigSet* old);

    /// <summary>siginfo may be null.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int sigtimedwait(SigSet* set, void* siginfo, Timespec* timeout);
}
