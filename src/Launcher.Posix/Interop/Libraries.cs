namespace Launcher.Posix.Interop;

/// <summary>
/// The library names of the P/Invokes declared in this folder. The AOT binaries bind every one of
/// them, and the names Tmds.LibC uses, at link time (DirectPInvoke.props beside this file): a
/// call looked up at run time would bypass LD_PRELOAD interposers and first try to load a library
/// of that name from the binary's own directory (README.md).
/// </summary>
internal static class Libraries
{
    /// <summary>glibc, for the entry points Tmds.LibC does not bind (<see cref="Glibc"/>).</summary>
    public const string LibC = "libc";

    /// <summary>native/cil_spawn.c, compiled by build.sh and linked statically into ci-launcher (<see cref="Spawn"/>).</summary>
    public const string CilSpawn = "libcil_spawn";
}
