using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

internal static unsafe partial class Glibc
{
    /// <summary>As <see cref="getgrnam_r"/>, by gid.</summary>
    [LibraryImport(Libraries.LibC)]
    public static partial int getgrgid_r(uint gid, Group* grp, byte* buf, nuint buflen, Group** result);
}
