using System.Globalization;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Executor;

/// <summary>
/// A runner that is not root: gitlab-runner as a service account in launch.caller_group, with
/// every stage going through ci-launcher-suid (4750 root:group), built for this test to exec
/// the published ci-launcher from a root-owned directory.
/// </summary>
public class ExecutorSetuidTests
{
    [RootFact]
    public void An_unprivileged_runner_runs_jobs_as_their_users_through_the_setuid_wrapper()
    {
        using var users = new TestUsers(ExecutorSite.Prefix);
        string group = users.Group();
        string runnerUser = users.User(supplementaryGroup: group);
        using var site = new ExecutorSite(launchYaml: $"  caller_group: {group}");
        using var install = new TrustedDir();
        string wrapper = InstallWrapper(install, group);

        using var runner = site.Runner(jobId: 3001, tokenJobId: 3001, runnerUser: runnerUser, executable: wrapper);
        var results = runner.RunJob("id -u > uid.txt; exit 3");
        foreach (var r in results.Where(r => r.Stage != "step_script"))
            Assert.True(r.ExitCode == 0, $"{r.Stage}: exit {r.ExitCode}\n{r.Stderr}");
        var step = results.Single(r => r.Stage == "step_script");
        Assert.True(step.ExitCode == GitLabRunnerEmulator.BuildFailureExitCode, step.Stderr);
        Assert.Equal("3\n", step.BuildExitCodeFile);

        // The job ran as its user, not as the runner and not as root ...
        uint uid = site.Uid;
        Assert.Equal(uid.ToString(CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(runner.ProjectDir, "uid.txt")).Trim());
        Assert.Equal(uid, Owner(Path.Combine(runner.ProjectDir, "main.c")));
        // ... and the exit-code file was written with the runner's identity, not root's.
        Assert.Equal(TestUsers.Uid(runnerUser), step.BuildExitCodeFileOwner);
        // Every decision names the runner as the caller.
        Assert.Contains($"\"caller_uid\":{TestUsers.Uid(runnerUser)}", File.ReadAllText(site.Site.AuditPath).Replace(" ", "", StringComparison.Ordinal));
    }

    [RootFact]
    public void A_runner_outside_the_caller_group_is_refused_before_any_token_is_read()
    {
        using var users = new TestUsers(ExecutorSite.Prefix);
        string group = users.Group();
        string outsider = users.User();
        using var site = new ExecutorSite(launchYaml: $"  caller_group: {group}");
        using var install = new TrustedDir();
        string wrapper = InstallWrapper(install, group);
        // 4750 root:group keeps the outsider out already; o+x here shows the in-process re-check.
        File.SetUnixFileMode(wrapper, (UnixFileMode)0b100_111_101_001);

        using var runner = site.Runner(jobId: 3002, tokenJobId: 3002, runnerUser: outsider, executable: wrapper);
        var config = runner.Config();
        Assert.Equal(GitLabRunnerEmulator.SystemFailureExitCode, config.ExitCode);
        Assert.Contains("launch.caller_not_in_group", config.Stderr);
    }

    /// <summary>The published ci-launcher copied into <paramref name="install"/>, and the wrapper for it, 4750 root:group.</summary>
    internal static string InstallWrapper(TrustedDir install, string group)
    {
        string binary = Path.Combine(install.Path, "ci-launcher");
        File.Copy(Dist.CiLauncher, binary);
        File.SetUnixFileMode(binary, (UnixFileMode)0b111_101_101);
        string wrapper = Path.Combine(install.Path, "ci-launcher-suid");
        var cc = Proc.Run("gcc", ["-O2", "-Wall", "-Werror", $"-DCI_LAUNCHER_PATH=\"{binary}\"", "-o", wrapper,
            Path.Combine(Dist.Repo, "native", "ci-launcher-suid.c")]);
        Assert.True(cc.ExitCode == 0, cc.Stderr);
        Assert.Equal(0, Proc.Run("chown", [$"root:{group}", wrapper]).ExitCode);
        File.SetUnixFileMode(wrapper, (UnixFileMode)0b100_111_101_000);
        return wrapper;
    }

    private static uint Owner(string path) =>
        uint.Parse(Proc.Run("stat", ["-c", "%u", path]).Stdout.Trim(), CultureInfo.InvariantCulture);
}
