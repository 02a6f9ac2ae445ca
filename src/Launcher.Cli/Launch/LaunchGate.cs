using Launcher.Core.Accounts;
using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Launch;
using Launcher.Posix;
using Launcher.Posix.Files;
using Launcher.Posix.Launch;

namespace Launcher.Cli.Launch;

/// <summary>
/// Who may launch, and how the job's identity is reached. Two checks: before the token is even
/// read (is this caller allowed to use the privileged path at all), and after the decision
/// (can this process become that account under launch.downscope).
/// </summary>
public static class LaunchGate
{
    /// <summary>Null when the caller may go on; otherwise a refusal to audit.</summary>
    public static Refusal? CheckCaller(LaunchSettings launch)
    {
        uint caller = ProcessIdentity.RealUid;
        // Through ci-launcher-suid: the caller is the real uid and must be in the caller group.
        if (ProcessIdentity.IsSetId && caller != 0 && CallerGroup.Problem(caller, launch.CallerGroup) is { } problem)
            return Refusal.Denied(Reasons.LaunchCallerNotInGroup, problem);
        if (launch.Downscope == Downscope.Setuid && ProcessIdentity.EffectiveUid != 0)
            return Refusal.Denied(Reasons.LaunchNotPrivileged,
                $"changing to the mapped account needs root: start jobs through ci-launcher-suid (installed 4750 root:{launch.CallerGroup}) or as root, or set launch.downscope: none to run each job as its caller");
        return null;
    }

    /// <summary>
    /// Null when the allowed decision can be carried out; <paramref name="changeIdentity"/> says
    /// whether the child drops root. downscope none never changes identity for real: the mapped
    /// account must be the caller, and a set-id process only returns to the caller's own ids.
    /// </summary>
    public static Refusal? CheckAccount(LaunchSettings launch, Decision decision, out bool changeIdentity)
    {
        Account account = decision.Account!;
        uint caller = ProcessIdentity.RealUid;
        changeIdentity = ProcessIdentity.EffectiveUid == 0;
        if (launch.Downscope == Downscope.None && account.Uid != caller)
            return Refusal.Denied(Reasons.LaunchDownscopeMismatch,
                $"launch.downscope is none, so a job can only run as its caller (uid {caller}), but the token maps to '{account.Name}' (uid {account.Uid}); use downscope: setuid or map the token to the caller");
        if (ProcessIdentity.IsPrivileged && TrustedFile.Problem(launch.Shell) is { } shellProblem)
            return Refusal.SiteError(Reasons.LaunchShellUntrusted, $"launch.shell: {shellProblem}");
        return null;
    }
}
