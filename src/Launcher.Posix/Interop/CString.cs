using System.Runtime.InteropServices;
using System.Text;

namespace Launcher.Posix.Interop;

/// <summary>C strings: every path, name and argument crosses to libc as UTF-8 with a terminating NUL made here.</summary>
internal static unsafe class CString
{
    /// <summary>The UTF-8 bytes of <paramref name="s"/> and a NUL, for a <c>fixed</c> pointer.</summary>
    public static byte[] From(string s)
    {
        byte[] bytes = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, bytes);
        return bytes;
    }

    /// <summary>A C string returned by libc, or null.</summary>
    public static string? Read(byte* p) => p is null ? null : Marshal.PtrToStringUTF8((nint)p);
}
