using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

internal static unsafe partial class Glibc
{
    /// <summary>As <see cref="getpwnam_r"/>, by uid.</summary>
    [LibraryImport(Libraries.LibC)]
    public static partial int getpwuid_r(uint uid, Passwd* pwd, byte* buf, nuint buflen, Passwd** result);
}
