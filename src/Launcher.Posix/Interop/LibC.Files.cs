using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

/// <summary>
/// open(2) and friends, for the places FileStream cannot serve: the audit file (FileMode.Append
/// opens without O_APPEND and writes at a remembered offset, so concurrent writers would
/// overwrite each other's lines), atomic replacement (fsync of a directory) and files created
/// with exact flags (O_EXCL, O_NOFOLLOW) by the executor.
/// </summary>
internal static unsafe partial class LibC
{
    public const int O_WRONLY = 0x1;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_TRUNC = 0x200;
    public const int O_APPEND = 0x400;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int open(byte* path, int flags, uint mode);

    public static int open(byte* path, int flags) => open(path, flags, 0);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fsync(int fd);
}
