using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

internal static unsafe partial class Glibc
{
    /// <summary>statfs.f_type of cgroup v2 (linux/magic.h CGROUP2_SUPER_MAGIC).</summary>
    public const long CGROUP2_SUPER_MAGIC = 0x63677270;

    /// <summary>struct statfs (120 bytes on LP64) starts with f_type, a long; the rest is not read.</summary>
    [LibraryImport(Libraries.LibC, SetLastError = true)]
    public static partial int fstatfs(int fd, void* buf);
}
