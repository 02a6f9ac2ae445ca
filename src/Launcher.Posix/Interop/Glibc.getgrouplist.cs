using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

internal static unsafe partial class Glibc
{
    /// <summary>-1 when <paramref name="ngroups"/> was too small; it then holds the count needed.</summary>
    [LibraryImport(Libraries.LibC)]
    public static partial int getgrouplist(byte* user, uint group, uint* groups, int* ngroups);
}
