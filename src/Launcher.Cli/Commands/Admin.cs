using Launcher.Posix;

namespace Launcher.Cli.Commands;

/// <summary>Site administration (keys, jwks export) is for root at a root shell, never for a caller of ci-launcher-suid.</summary>
public static class Admin
{
    /// <summary>Null when the caller may administer, else the exit code after printing why not.</summary>
    public static int? Refuse(string command)
    {
        if (ProcessIdentity.RealUid == 0 && !ProcessIdentity.IsSetId) return null;
        Console.Error.WriteLine($"ci-launcher: {command}: must be run by root (real uid 0, not through ci-launcher-suid); the site keys are root-only");
        return ExitCodes.UsageOrConfig;
    }
}
