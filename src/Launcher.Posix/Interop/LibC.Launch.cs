using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

/// <summary>The libc calls of the launch path: process control, fd-relative directory creation, filesystem ids.</summary>
internal static unsafe partial class LibC
{
    public const int AT_EMPTY_PATH = 0x1000;

    public const int ESRCH = 3;
    public const int ENOENT = 2;
    public const int EACCES = 13;
    public const int EEXIST = 17;
    public const int ENOTDIR = 20;
    public const int ELOOP = 40;

    public const int SIGHUP = 1;
    public const int SIGINT = 2;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int kill(int pid, int sig);

    /// <summary>Replaces this process's image; returns only on failure.</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int execve(byte* path, byte** argv, byte** envp);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint read(int fd, void* buf, nint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int openat(int dirfd, byte* path, int flags, uint mode);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int mkdirat(int dirfd, byte* path, uint mode);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fchown(int fd, uint uid, uint gid);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fchmod(int fd, uint mode);

    /// <summary>Per thread (glibc does not broadcast it): only the calling thread's file access changes.</summary>
    [LibraryImport(Lib)]
    public static partial int setfsuid(uint uid);

    [LibraryImport(Lib)]
    public static partial int setfsgid(uint gid);
}
