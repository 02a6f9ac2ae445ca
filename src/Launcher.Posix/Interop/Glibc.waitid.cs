using System.Runtime.InteropServices;
using Tmds.Linux;

namespace Launcher.Posix.Interop;

internal static unsafe partial class Glibc
{
    public const int P_PID = 1;
    public const int WEXITED = 4;
    /// <summary>Leaves the child a zombie, so its pid (and process group id) stay reserved.</summary>
    public const int WNOWAIT = 0x01000000;

    [LibraryImport(Libraries.LibC, SetLastError = true)]
    public static partial int waitid(int idtype, int id, siginfo_t* infop, int options);
}
