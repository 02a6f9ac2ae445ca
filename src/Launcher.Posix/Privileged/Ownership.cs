using Tmds.Linux;

namespace Launcher.Posix.Privileged;

/// <summary>
/// The one chown of the tree. Always on a descriptor root has just created, in a directory it
/// judged, and never on a path: a chown by path follows whatever someone put at that name
/// meanwhile (a link to /etc/shadow), handing root's file to a user.
/// </summary>
internal static class Ownership
{
    /// <summary>fchown; false with <see cref="Interop.Errno.Last"/> set when it failed.</summary>
    public static bool Give(int fd, uint uid, uint gid) => LibC.fchown(fd, uid, gid) == 0;
}
