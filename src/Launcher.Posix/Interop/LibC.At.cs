using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

/// <summary>
/// The descriptor-relative calls of the trusted-file walk and of files root creates in trusted
/// directories (atomic replace, the job state directory, the site key directory).
/// </summary>
internal static unsafe partial class LibC
{
    // O_PATH and the other open(2) flags are declared with open (LibC.Files.cs).

    public const int AT_REMOVEDIR = 0x200;
    public const int LOCK_EX = 2;
    public const int LOCK_NB = 4;
    public const int EWOULDBLOCK = 11;
    public const int ENOTEMPTY = 39;
    public const int ENXIO = 6;
    public const int EISDIR = 21;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int renameat(int olddirfd, byte* oldpath, int newdirfd, byte* newpath);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int unlinkat(int dirfd, byte* path, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int flock(int fd, int operation);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint readlinkat(int dirfd, byte* path, byte* buf, nuint bufsiz);
}
