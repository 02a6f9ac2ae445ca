namespace Launcher.Posix.Interop;

/// <summary>
/// open(2) flags the executor needs beyond those in LibC.Launch.cs (it creates and truncates
/// files; launch only reads). Kept apart so the two areas can grow without colliding.
/// </summary>
internal static class ExecutorLibC
{
    public const int O_WRONLY = 0x1;
    public const int O_CREAT = 0x40;
    public const int O_EXCL = 0x80;
    public const int O_TRUNC = 0x200;
}
