using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

internal static unsafe partial class Glibc
{
    /// <summary>Fail with EEXIST instead of replacing an existing entry.</summary>
    public const uint RENAME_NOREPLACE = 1;

    [LibraryImport(Libraries.LibC, SetLastError = true)]
    public static partial int renameat2(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, uint flags);
}
