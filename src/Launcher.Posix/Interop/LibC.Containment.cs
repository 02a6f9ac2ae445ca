using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

/// <summary>The libc calls of job containment (the job's cgroup, the leader's exit without reaping it, the subreaper) and of resource limits.</summary>
internal static unsafe partial class LibC
{
    // O_PATH, AT_REMOVEDIR and unlinkat are declared with the other *at calls (LibC.At.cs).

    public const int P_PID = 1;
    public const int WEXITED = 4;
    public const int WNOHANG = 1;
    public const int WNOWAIT = 0x01000000;

    public const int PR_SET_CHILD_SUBREAPER = 36;

    public const int EBUSY = 16;
    public const int ECHILD = 10;

    /// <summary>statfs.f_type of cgroup v2 (linux/magic.h CGROUP2_SUPER_MAGIC).</summary>
    public const long CGROUP2_SUPER_MAGIC = 0x63677270;

    /// <summary>siginfo_t is 128 bytes on Linux; the caller only needs the call to return, not its content.</summary>
    public const int SiginfoSize = 128;

    public const int RLIMIT_FSIZE = 1;
    public const int RLIMIT_NOFILE = 7;
    public const ulong RLIM_INFINITY = ulong.MaxValue;

    [StructLayout(LayoutKind.Sequential)]
    public struct Rlimit
    {
        public ulong rlim_cur;
        public ulong rlim_max;
    }

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int getrlimit(int resource, Rlimit* rlim);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int waitid(int idtype, int id, void* infop, int options);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);

    /// <summary>Bytes from the kernel's generator (the urandom source once it is seeded; flags 0 blocks until then).</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint getrandom(void* buf, nuint buflen, uint flags);

    /// <summary>struct statfs starts with f_type (a long) on every LP64 Linux ABI; the rest is not read.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fstatfs(int fd, void* buf);
}
