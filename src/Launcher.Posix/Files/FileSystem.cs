using System.Runtime.InteropServices;
using System.Text;
using Launcher.Posix.Interop;

namespace Launcher.Posix.Files;

public static unsafe class FileSystem
{
    /// <summary>statx without following a final symlink; null with errno text when the path cannot be examined.</summary>
    public static FileStatus? LStat(string path, out string? error) => StatCore(path, LibC.AT_SYMLINK_NOFOLLOW, out error);

    public static FileStatus? Stat(string path, out string? error) => StatCore(path, 0, out error);

    private static FileStatus? StatCore(string path, int flags, out string? error)
    {
        byte[] p = Z(path);
        LibC.Statx st;
        fixed (byte* pp = p)
        {
            if (LibC.statx(LibC.AT_FDCWD, pp, flags, LibC.STATX_BASIC_STATS, &st) != 0)
            {
                error = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
                return null;
            }
        }
        error = null;
        return new FileStatus(st.stx_mode, st.stx_uid, st.stx_gid, st.stx_ino,
            ((ulong)st.stx_dev_major << 32) | st.stx_dev_minor, st.stx_size, st.stx_mtime.tv_sec, st.stx_mtime.tv_nsec);
    }

    /// <summary>The canonical absolute path with every symlink resolved, or null.</summary>
    public static string? RealPath(string path, out string? error)
    {
        byte[] p = Z(path);
        fixed (byte* pp = p)
        {
            byte* r = LibC.realpath(pp, null);
            if (r is null)
            {
                error = Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());
                return null;
            }
            string result = LibC.Str(r)!;
            LibC.free(r);
            error = null;
            return result;
        }
    }

    internal static byte[] Z(string s)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }
}
