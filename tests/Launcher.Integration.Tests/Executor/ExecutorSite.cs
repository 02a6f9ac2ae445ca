using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Executor;

/// <summary>
/// A site for executor tests: issuer, JWKS, config with an executor section, a real user the
/// policy maps to, and a root-owned scratch area for builds/cache/temp and the state directory.
/// Everything is removed on dispose, even when the test failed.
/// </summary>
public sealed class ExecutorSite : IDisposable
{
    public const string Prefix = "clexe";

    /// <param name="installed">
    /// Runs the stages through the shared installation's setuid wrapper, as an unprivileged runner
    /// does: this site's config, with launch.caller_group the wrapper's group, becomes the installation's.
    /// </param>
    public ExecutorSite(string launchYaml = "", string executorYaml = "", string rules = ConfigSite.DefaultRules, bool withGroup = false,
        InstalledSite? installed = null)
    {
        if (installed is not null) launchYaml = $"  caller_group: {installed.CallerGroup}\n{launchYaml}";
        Users = new Accounts(Prefix);
        Group = withGroup ? Users.Group() : null;
        User = Users.User(groups: Group is null ? null : [Group]);
        Scratch = new TrustedDir();
        Site = new ConfigSite(rules: rules, extra: $"""
            executor:
              builds_dir: {Scratch.Path}/{"{user}"}/builds/{"{runner_id}"}
              cache_dir: {Scratch.Path}/{"{user}"}/cache/{"{runner_id}"}
              temp_dir: {Scratch.Path}/{"{user}"}/tmp/{"{job_id}"}
              state_dir: {Scratch.Path}/state
              hostname: ci-test-host
              env_allowlist: [CLEXE_ALLOWED]
            {executorYaml}
            launch:
              kill_timeout: 2s
            {launchYaml}
            """);
        installed?.Install(Site.ConfigPath);
    }

    public Accounts Users { get; }
    public string User { get; }

    /// <summary>The user's supplementary group, when the site was made with one.</summary>
    public string? Group { get; }
    public TrustedDir Scratch { get; }
    public ConfigSite Site { get; }

    public string StateDir => Path.Combine(Scratch.Path, "state");

    /// <summary>The state directory of job <paramref name="jobId"/> of this site's issuer.</summary>
    public string StateOf(long jobId) =>
        Launcher.Posix.Executor.JobStateDirectory.PathFor(StateDir, new Launcher.Core.Executor.JobStateKey(jobId, ConfigSite.Issuer));

    public uint Uid => Accounts.Uid(User);

    /// <summary>
    /// A runner emulator for job <paramref name="jobId"/> carrying a token of <paramref name="tokenJobId"/> (null: no token).
    /// A root runner names this site's config; an unprivileged one (<paramref name="runnerUser"/>, through an
    /// installed setuid wrapper) names none: the installation's own is used, as a set-id caller cannot choose one.
    /// </summary>
    public GitLabRunnerEmulator Runner(long jobId, long? tokenJobId, string? runnerUser = null, string? executable = null, int concurrentId = 0)
    {
        var runner = new GitLabRunnerEmulator(executable ?? Dist.CiLauncher,
            stage => runnerUser is null ? ["executor", stage, "--config", Site.ConfigPath] : ["executor", stage], jobId, runnerUser: runnerUser, concurrentId: concurrentId);
        if (tokenJobId is { } t)
            runner.Variables["CI_LAUNCHER_ID_TOKEN"] = Site.Token(User, c => c["job_id"] = t.ToString(System.Globalization.CultureInfo.InvariantCulture));
        return runner;
    }

    public void Dispose()
    {
        Site.Dispose();
        Scratch.Dispose();
        Users.Dispose();
    }
}
