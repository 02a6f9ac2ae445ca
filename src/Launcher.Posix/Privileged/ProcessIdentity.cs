using Launcher.Posix.Interop;
using Tmds.Linux;

namespace Launcher.Posix.Privileged;

/// <summary>Who this process runs as, and whether it is privileged relative to its caller.</summary>
public static class ProcessIdentity
{
    public static uint RealUid => LibC.getuid();
    public static uint EffectiveUid => LibC.geteuid();
    public static uint RealGid => LibC.getgid();

    /// <summary>
    /// Set-id: the effective ids differ from the caller's, or the kernel marked the exec secure
    /// (AT_SECURE: setuid, setgid or file capabilities). The environment then belongs to someone
    /// less privileged than this process.
    /// </summary>
    public static bool IsSetId =>
        LibC.geteuid() != LibC.getuid() || LibC.getegid() != LibC.getgid() || Glibc.getauxval(Glibc.AT_SECURE) != 0;

    /// <summary>Root or set-id: whatever this process reads (config, keys) must be trusted files.</summary>
    public static bool IsPrivileged => LibC.geteuid() == 0 || IsSetId;

    /// <summary>
    /// Environment variables the .NET runtime, OpenSSL or glibc act on. A privileged process that
    /// still sees one of these was not started through ci-launcher-suid or a clean root shell.
    /// </summary>
    public static IReadOnlyList<string> DangerousEnvironment()
    {
        var found = new List<string>();
        foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
        {
            string name = (string)e.Key;
            if (name.StartsWith("DOTNET_", StringComparison.OrdinalIgnoreCase) || name.StartsWith("COMPlus_", StringComparison.OrdinalIgnoreCase)
                || name.StartsWith("CORECLR_", StringComparison.OrdinalIgnoreCase))
                found.Add(name);
        }
        found.Sort(StringComparer.Ordinal);
        return found;
    }
}
