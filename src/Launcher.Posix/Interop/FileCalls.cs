using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

/// <summary>
/// open/write/fsync/close for the audit file. FileStream cannot be used there: on Unix its
/// FileMode.Append opens without O_APPEND and writes at an offset it remembers, so two
/// ci-launcher processes auditing at once would overwrite each other's lines.
/// </summary>
internal static unsafe partial class FileCalls
{
    private const string Lib = "libc";

    public const int O_WRONLY = 0x1;
    public const int O_CREAT = 0x40;
    public const int O_NOCTTY = 0x100;
    public const int O_APPEND = 0x400;
    public const int O_NOFOLLOW = 0x20000;
    public const int O_CLOEXEC = 0x80000;
    public const int EINTR = 4;

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true)]
    public static partial int Open(byte* path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint Write(int fd, byte* buffer, nuint count);

    [LibraryImport(Lib, EntryPoint = "fsync", SetLastError = true)]
    public static partial int Fsync(int fd);

    [LibraryImport(Lib, EntryPoint = "close", SetLastError = true)]
    public static partial int Close(int fd);
}
