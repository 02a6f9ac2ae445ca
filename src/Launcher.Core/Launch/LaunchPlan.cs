using Launcher.Core.Accounts;
using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Paths;
using Launcher.Core.Templates;

namespace Launcher.Core.Launch;

/// <summary>
/// Everything about one job that is decided before root acts: who (the decision's account and
/// whether to change to it), what (shell, script, arguments), where (working directory, the
/// directories to create), with which environment, umask, limits and containment. Pure: built
/// from the launch settings and an allowed decision; Launcher.Posix carries it out and re-checks
/// what it must (absolute paths, limits present when set-id) on its side of the boundary.
/// </summary>
public sealed record LaunchPlan
{
    /// <summary>The account from the decision: uid, gid and every group (primary first) are applied.</summary>
    public required Account Account { get; init; }

    /// <summary>Absolute path of the script; opened by the child after the drop (O_NOFOLLOW).</summary>
    public required string Script { get; init; }

    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>The job's whole environment (<see cref="JobEnvironment.Build"/>).</summary>
    public required IReadOnlyList<KeyValuePair<string, string>> Environment { get; init; }

    /// <summary>Absolute; entered after the drop.</summary>
    public required string WorkingDirectory { get; init; }

    /// <summary>Absolute path of the shell that runs the script (launch.shell).</summary>
    public required string Shell { get; init; }

    public uint Umask { get; init; } = 0x3F;

    public bool NoNewPrivs { get; init; } = true;

    /// <summary>
    /// True: the process is root and changes to the account. False (downscope none): the process
    /// already is the account, and the child only proves that. Set by the launch sequence from the
    /// caller gate, which alone knows the process's identity.
    /// </summary>
    public bool ChangeIdentity { get; init; } = true;

    /// <summary>Grace between forwarding SIGTERM/SIGINT/SIGHUP to the job's process group and SIGKILL.</summary>
    public TimeSpan KillTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>How the job's processes are held together and ended (launch.containment).</summary>
    public Containment Containment { get; init; } = Containment.Auto;

    /// <summary>
    /// The resource limits the job gets, indexed by RLIMIT_* (<see cref="CallerLimits"/>): set-id,
    /// the caller's own, which ci-launcher-suid replaced with safe ones for the privileged part.
    /// Null: the job inherits this process's limits (root started the launcher itself).
    /// </summary>
    public IReadOnlyList<ResourceLimit>? CallerLimits { get; init; }

    /// <summary>launch.create_dirs for this account, created as root before the job starts.</summary>
    public IReadOnlyList<UserPath> Directories { get; init; } = [];

    /// <summary>
    /// The plan for an allowed <paramref name="decision"/>, or a site error when a template does
    /// not expand for its account (launch.workdir, launch.create_dirs). The token reaches the
    /// environment only when <paramref name="token"/> is given (launch.pass_token).
    /// </summary>
    public static Outcome<LaunchPlan> Prepare(LaunchSettings launch, Decision decision, string script, IReadOnlyList<string> arguments,
        IEnumerable<KeyValuePair<string, string>> callerEnvironment, IReadOnlyCollection<string> tokenVariables, string? token,
        IReadOnlyList<ResourceLimit>? callerLimits)
    {
        var account = decision is { Allowed: true, Account: { } a } ? a
            : throw new ArgumentException("only an allowed decision can be launched", nameof(decision));
        var workdir = launch.Workdir.Expand(Placeholders.ValuesOf(account));
        if (!workdir.Ok) return workdir.Refusal.AsSiteError(Reasons.LaunchWorkdir).In("launch.workdir");
        var directories = DirectoriesFor(launch, account);
        if (!directories.Ok) return directories.Refusal;
        KeyValuePair<string, string>? passToken = token is not null && decision.Token is { } verified
            ? new KeyValuePair<string, string>(verified.Issuer.TokenVariable, token)
            : null;
        return Outcome.Of(new LaunchPlan
        {
            Account = account,
            Script = script,
            Arguments = arguments,
            Environment = JobEnvironment.Build(launch, account, callerEnvironment, tokenVariables, passToken),
            WorkingDirectory = workdir.Value.Path,
            Shell = launch.Shell,
            Umask = launch.Umask,
            NoNewPrivs = launch.NoNewPrivs,
            KillTimeout = launch.KillTimeout,
            Containment = launch.Containment,
            CallerLimits = callerLimits,
            Directories = directories.Value,
        });
    }

    /// <summary>
    /// The plan of an executor stage's job: launch's environment (the runner's own environment is
    /// not the job's, so the caller environment is empty and no token is passed) plus the stage's
    /// <paramref name="jobVariables"/> (the allowlisted CUSTOM_ENV_* values), except names the
    /// launcher sets or a loader would act on; run in <paramref name="workingDirectory"/>. No
    /// directories: the prepare stage creates the job's and launch.create_dirs once, for all stages.
    /// </summary>
    public static Outcome<LaunchPlan> ForStage(LaunchSettings launch, Decision decision, string script, IReadOnlyList<string> arguments,
        IEnumerable<KeyValuePair<string, string>> jobVariables, string workingDirectory, IReadOnlyCollection<string> tokenVariables,
        IReadOnlyList<ResourceLimit>? callerLimits)
    {
        var plan = Prepare(launch, decision, script, arguments, [], tokenVariables, token: null, callerLimits);
        if (!plan.Ok) return plan;
        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in plan.Value.Environment) environment[name] = value;
        foreach (var (name, value) in jobVariables)
            if (!EnvironmentNames.IsDangerous(name) && !EnvironmentNames.SetByLauncher.Contains(name))
                environment.TryAdd(name, value);
        return Outcome.Of(plan.Value with { Environment = environment.ToList(), WorkingDirectory = workingDirectory, Directories = [] });
    }

    /// <summary>launch.create_dirs for <paramref name="account"/>, or a site error naming the template that does not expand.</summary>
    public static Outcome<IReadOnlyList<UserPath>> DirectoriesFor(LaunchSettings launch, Account account)
    {
        var values = Placeholders.ValuesOf(account);
        var directories = new List<UserPath>();
        foreach (var template in launch.CreateDirs)
        {
            var dir = template.Expand(values);
            if (!dir.Ok) return dir.Refusal.AsSiteError(Reasons.LaunchDirectory).In("launch.create_dirs");
            directories.Add(dir.Value);
        }
        return Outcome.Of<IReadOnlyList<UserPath>>(directories);
    }
}
