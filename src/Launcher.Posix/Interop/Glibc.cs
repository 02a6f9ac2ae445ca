namespace Launcher.Posix.Interop;

/// <summary>
/// The glibc entry points ci-launcher calls that Tmds.LibC 0.5.0 does not bind: one file per
/// entry point (Glibc.&lt;name&gt;.cs), each declared once for the whole tree. Every other libc
/// call goes through <c>Tmds.Linux.LibC</c>, whose flags, errno values and structures are the
/// tree's only ones; constants here are only those Tmds.LibC lacks. Structures are the LP64
/// Linux layouts (x86_64 and aarch64 agree on every one used here). See README.md.
/// </summary>
internal static unsafe partial class Glibc
{
}
