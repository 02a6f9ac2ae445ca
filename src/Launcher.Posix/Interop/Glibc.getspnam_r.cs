using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

internal static unsafe partial class Glibc
{
    [StructLayout(LayoutKind.Sequential)]
    public struct Spwd
    {
        public byte* sp_namp;
        public byte* sp_pwdp;
        public nint sp_lstchg;
        public nint sp_min;
        public nint sp_max;
        public nint sp_warn;
        public nint sp_inact;
        public nint sp_expire;
        public nuint sp_flag;
    }

    /// <summary>Returns an errno value. Strings land in <paramref name="buf"/> (<see cref="NssBuffer"/>).</summary>
    [LibraryImport(Libraries.LibC)]
    public static partial int getspnam_r(byte* name, Spwd* spbuf, byte* buf, nuint buflen, Spwd** result);
}
