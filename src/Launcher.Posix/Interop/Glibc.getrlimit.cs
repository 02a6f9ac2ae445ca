using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

internal static unsafe partial class Glibc
{
    public const int RLIMIT_FSIZE = 1;
    public const int RLIMIT_NOFILE = 7;
    public const ulong RLIM_INFINITY = ulong.MaxValue;

    [StructLayout(LayoutKind.Sequential)]
    public struct Rlimit
    {
        public ulong rlim_cur;
        public ulong rlim_max;
    }

    [LibraryImport(Libraries.LibC, SetLastError = true)]
    public static partial int getrlimit(int resource, Rlimit* rlim);
}
