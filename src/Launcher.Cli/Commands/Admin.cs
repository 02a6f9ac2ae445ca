using Launcher.Core.Authorization;
using Launcher.Posix;

namespace Launcher.Cli.Commands;

/// <summary>Site administration (keys, jwks export) is for root at a root shell, never for a caller of ci-launcher-suid.</summary>
public static class Admin
{
    /// <summary>Null when the caller may administer, else the exit code after printing (and, through the wrapper, auditing) why not.</summary>
    public static int? Refuse(string command)
    {
        if (ProcessIdentity.RealUid == 0 && !ProcessIdentity.IsSetId) return null;
        string detail = $"{command} must be run by root (real uid 0, not through ci-launcher-suid); the site keys are root-only";
        if (Site.CallerIsUnprivileged) Site.RefuseCaller(command, Reasons.AdminRootOnly, detail);
        else Console.Error.WriteLine($"ci-launcher: {Reasons.AdminRootOnly}: {detail}");
        return ExitCodes.UsageOrConfig;
    }
}
