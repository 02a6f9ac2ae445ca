using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

internal static partial class Glibc
{
    public const int PR_SET_CHILD_SUBREAPER = 36;

    [LibraryImport(Libraries.LibC, SetLastError = true)]
    public static partial int prctl(int option, nuint arg2, nuint arg3, nuint arg4, nuint arg5);
}
