using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

internal static unsafe partial class Glibc
{
    public const int WNOHANG = 1;

    [LibraryImport(Libraries.LibC, SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);
}
