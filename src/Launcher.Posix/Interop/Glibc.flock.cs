using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

internal static partial class Glibc
{
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;

    [LibraryImport(Libraries.LibC, SetLastError = true)]
    public static partial int flock(int fd, int operation);
}
