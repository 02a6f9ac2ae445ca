using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

internal static partial class Glibc
{
    /// <summary>Set by the kernel when the exec was set-id or gained file capabilities.</summary>
    public const ulong AT_SECURE = 23;

    [LibraryImport(Libraries.LibC)]
    public static partial nuint getauxval(ulong type);
}
