using System.Runtime.InteropServices;
using Launcher.Posix.Files;
using Launcher.Posix.Interop;
using Microsoft.Win32.SafeHandles;

namespace Launcher.Posix.Launch;

/// <summary>
/// Opens a file the caller named (--token-file) with the caller's file access, not root's:
/// a set-id process opening it as root would read /etc/shadow or a root-only key for anyone in
/// the caller group (a confused deputy). setfsuid is per thread, so only this open is affected.
/// </summary>
public static unsafe class CallerFiles
{
    public static FileStream OpenRead(string path)
    {
        uint euid = LibC.geteuid(), egid = LibC.getegid();
        byte[] p = FileSystem.Z(path);
        int fd, errno;
        LibC.setfsgid(LibC.getgid());
        LibC.setfsuid(LibC.getuid());
        fixed (byte* pp = p)
        {
            // O_NONBLOCK: a FIFO or a device named as the token file must not hang the launcher.
            fd = LibC.openat(LibC.AT_FDCWD, pp, LibC.O_RDONLY | LibC.O_CLOEXEC | LibC.O_NOCTTY | LibC.O_NONBLOCK, 0);
            errno = Marshal.GetLastPInvokeError();
        }
        LibC.setfsuid(euid);
        LibC.setfsgid(egid);
        if ((uint)LibC.setfsuid(uint.MaxValue) != euid || (uint)LibC.setfsgid(uint.MaxValue) != egid)
            Environment.FailFast("ci-launcher: could not restore the filesystem ids after opening a caller's file");
        if (fd < 0) throw new IOException($"{path}: {Marshal.GetPInvokeErrorMessage(errno)}");

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        LibC.Statx st;
        byte empty = 0;
        if (LibC.statx(fd, &empty, LibC.AT_EMPTY_PATH, LibC.STATX_BASIC_STATS, &st) != 0 || (st.stx_mode & LibC.S_IFMT) != LibC.S_IFREG)
        {
            handle.Dispose();
            throw new IOException($"{path} is not a regular file");
        }
        return new FileStream(handle, FileAccess.Read, 1);
    }
}
