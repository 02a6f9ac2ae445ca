using Launcher.Cli.Launch;
using Launcher.Core.Accounts;
using Launcher.Core.Launch;
using Launcher.Posix.Privileged;

namespace Launcher.Cli.Commands.Executor;

/// <summary>How a launch through the launch sequence ended, as the executor stages need it.</summary>
public sealed record StageLaunch(bool Started, string Reason, string Detail, int ExitStatus = 0, bool Cancelled = false, bool Killed = false,
    string Containment = "", int Leftovers = 0, string ContainmentNote = "");

/// <summary>
/// The executor's one door to the launch sequence of <c>ci-launcher run</c> (CallerGate,
/// JobRequest, JobLauncher: fork, drop, prove, exec under a supervisor that forwards SIGTERM to
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
    public static StageLaunch Run(StageContext ctx, string script, IReadOnlyList<string> arguments, string workingDirectory)
    {
        var launch = ctx.Site.Config.Launch;
        if (CallerGate.CheckAccount(launch, ctx.Decision, out bool changeIdentity) is { } refusal)
            return new StageLaunch(false, refusal.Reason, refusal.Detail);
        var tokenVariables = ctx.Site.Config.Issuers.Select(i => i.TokenVariable).Distinct().ToList();
        // The runner's own environment is not the job's: launch sees an empty caller environment.
        var request = JobRequest.Prepare(launch, ctx.Decision, script, arguments, [], tokenVariables, token: null, changeIdentity, out var prepareRefusal);
        if (request is null) return new StageLaunch(false, prepareRefusal!.Reason, prepareRefusal.Detail);

        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in request.Spec.Environment) environment[name] = value;
        foreach (var (name, value) in ctx.JobVariables())
            if (!EnvironmentNames.IsDangerous(name) && !EnvironmentNames.SetByLauncher.Contains(name))
                environment.TryAdd(name, value);

        var outcome = JobLauncher.Run(request.Spec with { Environment = environment.ToList(), WorkingDirectory = workingDirectory });
        return outcome.Started
            ? new StageLaunch(true, outcome.Reason, outcome.Detail, outcome.ExitStatus, outcome.Cancelled, outcome.Killed,
                outcome.Containment, outcome.Leftovers, outcome.ContainmentNote)
            : new StageLaunch(false, outcome.Reason, outcome.Detail);
    }

    /// <summary>Null when <paramref name="path"/> is (now) the account's own directory, else the problem.</summary>
    public static string? CreateUserDirectory(string path, Account account)
    {
        var made = UserDirectories.Ensure(path, account.Uid, account.Gid);
        return made.Ok ? null : $"{made.Reason}: {made.Detail}";
    }

    /// <summary>launch.create_dirs, expanded for the account (the directories ci-launcher run would create too).</summary>
    public static IReadOnlyList<string>? LaunchDirectories(StageContext ctx, out string? problem)
    {
        var dirs = new List<string>();
        foreach (var template in ctx.Site.Config.Launch.CreateDirs)
        {
            string? dir = template.Expand(ctx.Account, out problem);
            if (dir is null) { problem = $"launch.create_dirs: {problem}"; return null; }
            dirs.Add(dir);
        }
        problem = null;
        return dirs;
    }
}
