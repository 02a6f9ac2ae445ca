using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

/// <summary>fd-relative rename and removal of directory entries (UserDirectories' atomic creation).</summary>
internal static unsafe partial class LibC
{
    /// <summary>renameat2 flag: fail with EEXIST instead of replacing an existing entry.</summary>
    public const uint RENAME_NOREPLACE = 1;
    public const int AT_REMOVEDIR = 0x200;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int renameat2(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, uint flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int unlinkat(int dirfd, byte* path, int flags);
}
