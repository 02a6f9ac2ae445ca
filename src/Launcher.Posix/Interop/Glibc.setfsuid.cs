using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

internal static partial class Glibc
{
    /// <summary>
    /// Per thread (glibc does not broadcast it): only the calling thread's file access changes.
    /// Returns the previous id; <c>uint.MaxValue</c> changes nothing and returns the current one.
    /// Called only by Privileged/CallerAccess.cs.
    /// </summary>
    [LibraryImport(Libraries.LibC)]
    public static partial int setfsuid(uint uid);
}
