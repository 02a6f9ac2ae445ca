using Launcher.Cli.Launch;
using Launcher.Core.Accounts;
using Launcher.Core.Authorization;
using Launcher.Core.Launch;
using Launcher.Core.Paths;
using Launcher.Posix.Launch;
using Launcher.Posix.Privileged;

namespace Launcher.Cli.Commands.Executor;

/// <summary>
/// The executor's one door to the launch sequence of <c>ci-launcher run</c> (CallerGate,
/// LaunchPlan, JobLauncher: fork, drop, prove, exec under a supervisor that forwards SIGTERM to
/// the job's process group and escalates to SIGKILL after launch.kill_timeout) and to its
/// per-user directory creator. Nothing here decides anything: the stage already did.
/// </summary>
public static class LaunchBridge
{
    /// <summary>
    /// Runs <paramref name="script"/> with the launch shell as the decision's account, in
    /// <paramref name="workingDirectory"/>. The job's environment is launch's (HOME, USER, LOGNAME,
    /// SHELL, PATH) plus the stage's allowlisted CUSTOM_ENV_* values; nothing else of the stage's.
    /// </summary>
    public static Outcome<JobEnd> Run(StageContext ctx, string script, IReadOnlyList<string> arguments, string workingDirectory)
    {
        var launch = ctx.Site.Config.Launch;
        if (CallerGate.CheckAccount(launch, ctx.Decision, out bool changeIdentity) is { } refusal) return refusal;
        var tokenVariables = ctx.Site.Config.Issuers.Select(i => i.TokenVariable).Distinct().ToList();
        // The runner's own environment is not the job's: launch sees an empty caller environment.
        var plan = LaunchPlan.Prepare(launch, ctx.Decision, script, arguments, [], tokenVariables, token: null, changeIdentity, JobLimits.ForJob);
        if (!plan.Ok) return plan.Refusal;

        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in plan.Value.Environment) environment[name] = value;
        foreach (var (name, value) in ctx.JobVariables())
            if (!EnvironmentNames.IsDangerous(name) && !EnvironmentNames.SetByLauncher.Contains(name))
                environment.TryAdd(name, value);

        return JobLauncher.Run(plan.Value with { Environment = environment.ToList(), WorkingDirectory = workingDirectory });
    }

    /// <summary>Null when <paramref name="path"/> is (now) the account's own directory, else the refusal (launch.directory).</summary>
    public static Refusal? CreateUserDirectory(UserPath path, Account account)
    {
        var made = UserDirectories.Ensure(path, account.Uid, account.Gid);
        return made.Ok ? null : made.Refusal;
    }
}
