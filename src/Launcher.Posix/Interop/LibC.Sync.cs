using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

/// <summary>The few calls an atomic file replacement needs beyond what FileStream offers.</summary>
internal static unsafe partial class LibC
{
    public const int O_RDONLY = 0;
    public const int O_DIRECTORY = 0x10000;
    public const int O_CLOEXEC = 0x80000;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int open(byte* path, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fsync(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fchown(int fd, uint owner, uint group);

    [LibraryImport(Lib)]
    public static partial int close(int fd);
}
