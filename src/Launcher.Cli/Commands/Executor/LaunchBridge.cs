using Launcher.Core.Accounts;
using Launcher.Core.Authorization;

namespace Launcher.Cli.Commands.Executor;

/// <summary>How a launch through the launch sequence ended, as the executor stages need it.</summary>
public sealed record StageLaunch(bool Started, string Reason, string Detail, int ExitStatus = 0, bool Cancelled = false, bool Killed = false);

/// <summary>
/// The executor's only door to the launch sequence (issue 4: fork, drop, prove, exec under a
/// supervisor) and to its per-user directory creator. This build does not contain them yet,
/// so every launch refuses: nothing runs, and the runner is told it is the site's problem.
/// </summary>
public static class LaunchBridge
{
    private const string Missing = "this build of ci-launcher has no launch sequence yet (ci-launcher run, issue 4); nothing was run";

    public static StageLaunch Run(StageContext ctx, string script, IReadOnlyList<string> arguments, string workingDirectory) =>
        new(false, Reasons.ExecutorLaunch, Missing);

    /// <summary>Null when <paramref name="path"/> exists as the account's own 0700 directory, else the problem.</summary>
    public static string? CreateUserDirectory(string path, Account account) => $"cannot create {path}: {Missing}";
}
