using System.Runtime.InteropServices;

namespace Launcher.Posix.Interop;

/// <summary>
/// The few calls an atomic file replacement needs beyond what FileStream offers (close, fchown and
/// the O_* flags it also uses are declared once, in LibC.Launch.cs and LibC.cs).
/// </summary>
internal static unsafe partial class LibC
{
    [LibraryImport(Lib, SetLastError = true)]
    public static partial int open(byte* path, int flags);

    [LibraryImport(Lib, SetLastError = true)]
    public static partial int fsync(int fd);
}
