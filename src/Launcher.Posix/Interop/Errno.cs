using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

/// <summary>errno of the last P/Invoke (own declarations with SetLastError, and every Tmds.LibC call).</summary>
internal static class Errno
{
    public static int Last => Marshal.GetLastPInvokeError();

    /// <summary>strerror of the last P/Invoke's errno, for messages.</summary>
    public static string Message() => Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError());

    public static string Message(int errno) => Marshal.GetPInvokeErrorMessage(errno);
}
