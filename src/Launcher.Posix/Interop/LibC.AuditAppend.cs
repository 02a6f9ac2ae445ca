using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

// The calls AppendAuditFileSink needs. Named apart from plain open/write/close so that other
// additions to LibC cannot collide with them.
internal static unsafe partial class LibC
{
    public const int O_WRONLY = 0x1;
    public const int O_CREAT = 0x40;
    public const int O_APPEND = 0x400;

    [LibraryImport(Lib, EntryPoint = "open", SetLastError = true)]
    public static partial int AppendOpen(byte* path, int flags, uint mode);

    [LibraryImport(Lib, EntryPoint = "write", SetLastError = true)]
    public static partial nint AppendWrite(int fd, byte* buf, nuint count);

    [LibraryImport(Lib, EntryPoint = "fsync", SetLastError = true)]
    public static partial int AppendFsync(int fd);

    [LibraryImport(Lib, EntryPoint = "close")]
    public static partial int AppendClose(int fd);
}
