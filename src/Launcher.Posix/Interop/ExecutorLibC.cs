using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

/// <summary>
/// The few libc calls only the executor stages need: opening caller-named files as the caller
/// (setfsuid) and creating the per-job script copy owned by the job's user. Kept apart from
/// <see cref="LibC"/> so the launch code and this code can grow without colliding.
/// </summary>
internal static unsafe partial class ExecutorLibC
{
    private const string Lib = "libc";

    public const int O_RDONLY = 0x0;
    public const int O_WRONLY = 0x1;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NOCTTY = 0x100;
    public const int O_TRUNC = 0x200;
    public const int O_NONBLOCK = 0x800;
    public const int O_DIRECTORY = 0x10000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;
    public const int AT_EMPTY_PATH = 0x1000;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int open(byte* path, int flags, uint mode);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fchown(int fd, uint uid, uint gid);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fchmod(int fd, uint mode);

    /// <summary>Per-thread on Linux (glibc does not broadcast it): only the calling thread's file access changes.</summary>
    [LibraryImport(Lib)]
    public static partial int setfsuid(uint fsuid);

    [LibraryImport(Lib)]
    public static partial int setfsgid(uint fsgid);
}
