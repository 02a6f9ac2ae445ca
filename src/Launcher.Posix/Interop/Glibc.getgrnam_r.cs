using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

internal static unsafe partial class Glibc
{
    [StructLayout(LayoutKind.Sequential)]
    public struct Group
    {
        public byte* gr_name;
        public byte* gr_passwd;
        public uint gr_gid;
        public byte** gr_mem;
    }

    /// <summary>Returns an errno value (0 with a null result: no such group). Strings land in <paramref name="buf"/> (<see cref="NssBuffer"/>).</summary>
    [LibraryImport(Libraries.LibC)]
    public static partial int getgrnam_r(byte* name, Group* grp, byte* buf, nuint buflen, Group** result);
}
