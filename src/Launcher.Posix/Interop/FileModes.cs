using Tmds.Linux;

namespace Launcher.Posix.Interop;

/// <summary>File modes are written as <see cref="UnixFileMode"/> in the tree; this is where they become mode_t.</summary>
internal static class FileModes
{
    public static mode_t Native(this UnixFileMode mode) => (ushort)mode;

    /// <summary>Group or others may write (022): anyone but the owner could replace what is there.</summary>
    public const UnixFileMode GroupOrOtherWrite = UnixFileMode.GroupWrite | UnixFileMode.OtherWrite;

    /// <summary>Group or others may do anything at all (077).</summary>
    public const UnixFileMode GroupOrOtherAny = UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute
        | UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>0600.</summary>
    public const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>0700.</summary>
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
}
