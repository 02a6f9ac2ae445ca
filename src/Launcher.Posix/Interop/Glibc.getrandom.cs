using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

internal static unsafe partial class Glibc
{
    /// <summary>Bytes from the kernel's generator (the urandom source once it is seeded; flags 0 blocks until then).</summary>
    [LibraryImport(Libraries.LibC, SetLastError = true)]
    public static partial nint getrandom(void* buf, nuint buflen, uint flags);
}
