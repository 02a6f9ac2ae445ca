using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

/// <summary>renameat2 for UserDirectories' atomic creation (unlinkat and AT_REMOVEDIR are in LibC.At.cs).</summary>
internal static unsafe partial class LibC
{
    /// <summary>renameat2 flag: fail with EEXIST instead of replacing an existing entry.</summary>
    public const uint RENAME_NOREPLACE = 1;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int renameat2(int olddirfd, byte* oldpath, int newdirfd, byte* newpath, uint flags);
}
