using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

internal static partial class Glibc
{
    /// <summary>As <see cref="setfsuid"/>, for the file-system gid.</summary>
    [LibraryImport(Libraries.LibC)]
    public static partial int setfsgid(uint gid);
}
