using System.Diagnostics;
using System.Globalization;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Executor;

/// <summary>
/// A runner that is not root: gitlab-runner as a service account in launch.caller_group, with
/// every stage going through ci-launcher-suid (4750 root:group) of the shared installation, which
/// execs the published ci-launcher from a root-owned directory.
/// </summary>
[Collection(InstalledSite.Collection)]
public class ExecutorSetuidTests(InstalledSite installed)
{
    [RootFact]
    public void An_unprivileged_runner_runs_jobs_as_their_users_through_the_setuid_wrapper()
    {
        using var site = new ExecutorSite(installed: installed);
        string runnerUser = site.Users.User(groups: [installed.CallerGroup]);
        string wrapper = installed.Wrapper;

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
        Assert.Equal(Accounts.Uid(runnerUser), step.BuildExitCodeFileOwner);
        // Every decision names the runner as the caller.
        Assert.Contains($"\"caller_uid\":{Accounts.Uid(runnerUser)}", File.ReadAllText(site.Site.AuditPath).Replace(" ", "", StringComparison.Ordinal));
    }

    [RootFact]
    public void A_runner_outside_the_caller_group_is_refused_before_any_token_is_read()
    {
        using var site = new ExecutorSite(installed: installed);
        string outsider = site.Users.User();
        // 4750 root:group keeps the outsider out already; o+x here shows the in-process re-check.
        string wrapper = installed.WrapperWithMode("4751");

        using var runner = site.Runner(jobId: 3002, tokenJobId: 3002, runnerUser: outsider, executable: wrapper);
        var config = runner.Config();
        Assert.Equal(GitLabRunnerEmulator.SystemFailureExitCode, config.ExitCode);
        Assert.Contains("launch.caller_not_in_group", config.Stderr);
    }

    [RootFact]
    public void A_runner_whose_primary_group_is_the_caller_group_is_let_in()
    {
        using var site = new ExecutorSite(installed: installed);
        // Membership by the primary gid alone (useradd -g, no -G): no group entry lists the runner.
        string runnerUser = site.Users.User(options: ["-g", installed.CallerGroup]);

        using var runner = site.Runner(jobId: 3010, tokenJobId: 3010, runnerUser: runnerUser, executable: installed.Wrapper);
        var config = runner.Config();
        Assert.True(config.ExitCode == 0, $"exit {config.ExitCode}\n{config.Stderr}");
    }

    [RootFact]
    public void A_later_stage_mapping_to_another_user_than_config_recorded_is_refused_whatever_the_environment_says()
    {
        using var site = new ExecutorSite(installed: installed);
        string runnerUser = site.Users.User(groups: [installed.CallerGroup]);
        string other = site.Users.User();
        string wrapper = installed.Wrapper;

        using var runner = site.Runner(jobId: 3003, tokenJobId: 3003, runnerUser: runnerUser, executable: wrapper);
        var config = runner.Config();
        Assert.True(config.ExitCode == 0, config.Stderr);
        // The job's author swaps in a token of the same job that maps to someone else, and claims in
        // the environment that config mapped to that someone (the variable the old check trusted).
        runner.Variables["CI_LAUNCHER_ID_TOKEN"] = site.Site.Token(other, c => c["job_id"] = "3003");
        runner.Variables["CI_LAUNCHER_USER"] = other;
        var prepare = runner.Prepare();
        Assert.Equal(GitLabRunnerEmulator.BuildFailureExitCode, prepare.ExitCode);
        Assert.Contains($"executor.user_changed: the config stage mapped this job to '{site.User}', now it maps to '{other}'", prepare.Stderr);
        Assert.False(Directory.Exists(Path.Combine(site.Scratch.Path, other)), "a directory was made for the other user");
    }

    [RootFact]
    public void Cleanup_without_a_valid_token_keeps_the_jobs_state_directory()
    {
        using var site = new ExecutorSite(installed: installed);
        string runnerUser = site.Users.User(groups: [installed.CallerGroup]);
        string wrapper = installed.Wrapper;
        string state = site.StateOf(3004);

        using (var job = site.Runner(jobId: 3004, tokenJobId: 3004, runnerUser: runnerUser, executable: wrapper))
            Assert.True(job.Config().ExitCode == 0);
        Assert.True(Directory.Exists(state));

        // Another "job" of the runner's making names job 3004 without a token, then with a token of another job.
        using (var forged = site.Runner(jobId: 3004, tokenJobId: null, runnerUser: runnerUser, executable: wrapper))
            Assert.Equal(0, forged.Cleanup().ExitCode);
        Assert.True(Directory.Exists(state), "cleanup without a token removed the job's state");
        using (var forged = site.Runner(jobId: 3004, tokenJobId: 9999, runnerUser: runnerUser, executable: wrapper))
            Assert.Equal(0, forged.Cleanup().ExitCode);
        Assert.True(Directory.Exists(state), "cleanup with another job's token removed the job's state");

        using (var job = site.Runner(jobId: 3004, tokenJobId: 3004, runnerUser: runnerUser, executable: wrapper))
            Assert.Equal(0, job.Cleanup().ExitCode);
        Assert.False(Directory.Exists(state), "the job's own cleanup left its state");
    }

    [RootFact]
    public void A_fifo_named_by_BUILD_EXIT_CODE_FILE_does_not_hang_the_stage()
    {
        // Whoever can add a name to the file's directory can leave a FIFO there; root opening it to
        // write the job's status waited for a reader that never came, and the stage never ended.
        var (exit, stderr) = FailingStageWithExitCodeFile(3005, (runner, runnerUser) =>
        {
            string fifo = Path.Combine(runner.TempDir, "exit-code-fifo");
            Assert.Equal(0, Proc.Run("mkfifo", [fifo]).ExitCode);
            Assert.Equal(0, Proc.Run("chown", [runnerUser, fifo]).ExitCode);
            return fifo;
        });
        Assert.Equal(GitLabRunnerEmulator.BuildFailureExitCode, exit);
        Assert.Contains("BUILD_EXIT_CODE_FILE", stderr);
    }

    [RootFact]
    public void BUILD_EXIT_CODE_FILE_never_writes_into_the_set_id_process_own_proc_files()
    {
        // /proc/self is the supervisor: root's process, with files such as timerslack_ns mode 0666.
        var (exit, stderr) = FailingStageWithExitCodeFile(3006, (_, _) => "/proc/self/timerslack_ns");
        Assert.Equal(GitLabRunnerEmulator.BuildFailureExitCode, exit);
        Assert.Contains("warning: BUILD_EXIT_CODE_FILE: /proc/self/timerslack_ns is owned by uid 0, not by the runner", stderr);
    }

    /// <summary>
    /// A job through the wrapper whose step_script exits 3, with BUILD_EXIT_CODE_FILE set to what
    /// <paramref name="exitCodeFile"/> makes; the stage must end within 30 s. Its exit code and stderr.
    /// </summary>
    private (int Exit, string Stderr) FailingStageWithExitCodeFile(long jobId, Func<GitLabRunnerEmulator, string, string> exitCodeFile)
    {
        using var site = new ExecutorSite(installed: installed);
        string runnerUser = site.Users.User(groups: [installed.CallerGroup]);
        using var runner = site.Runner(jobId: jobId, tokenJobId: jobId, runnerUser: runnerUser, executable: installed.Wrapper);
        Assert.True(runner.Config().ExitCode == 0);
        Assert.True(runner.Prepare().ExitCode == 0);

        var psi = runner.StartInfoFor("run", [runner.WriteScript("exit 3"), "step_script"]);
        psi.Environment["BUILD_EXIT_CODE_FILE"] = exitCodeFile(runner, runnerUser);
        using var stage = Process.Start(psi)!;
        var stderr = stage.StandardError.ReadToEndAsync();
        _ = stage.StandardOutput.ReadToEndAsync();
        bool ended = stage.WaitForExit(TimeSpan.FromSeconds(30));
        if (!ended) stage.Kill(entireProcessTree: true);
        Assert.True(ended, "the stage hung writing BUILD_EXIT_CODE_FILE");
        stage.WaitForExit();
        return (stage.ExitCode, stderr.Result);
    }

    private static uint Owner(string path) =>
        uint.Parse(Proc.Run("stat", ["-c", "%u", path]).Stdout.Trim(), CultureInfo.InvariantCulture);
}
