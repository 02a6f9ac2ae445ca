using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

/// <summary>
/// open(2) with every O_* flag the tree uses, and the descriptor calls around it, declared once.
/// Used where FileStream cannot serve: the audit file (FileMode.Append opens without O_APPEND
/// and writes at a remembered offset, so concurrent writers would overwrite each other's
/// lines), atomic replacement (fsync of a directory) and files created with exact flags
/// (O_EXCL, O_NOFOLLOW) by the launch path and the executor.
/// </summary>
internal static unsafe partial class LibC
{
    public const int O_RDONLY = 0;
    public const int O_WRONLY = 0x1;
    public const int O_RDWR = 0x2;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_NOCTTY = 0x100;
    public const int O_TRUNC = 0x200;
    public const int O_APPEND = 0x400;
    public const int O_NONBLOCK = 0x800;
    public const int O_DIRECTORY = 0x10000;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;
    /// <summary>A handle that names a directory for *at calls without granting read access to it.</summary>
    public const int O_PATH = 0x200000;

    public const int F_GETFL = 3;
    public const int F_SETFL = 4;
    public const int SEEK_CUR = 1;

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int open(byte* path, int flags, uint mode);

    public static int open(byte* path, int flags) => open(path, flags, 0);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint write(int fd, byte* buffer, nuint count);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint pwrite(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial nint pread(int fd, byte* buffer, nuint count, long offset);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial long lseek(int fd, long offset, int whence);

    /// <summary>fcntl(2) for the commands that take an int (F_GETFL, F_SETFL).</summary>
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fsync(int fd);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int close(int fd);
}
