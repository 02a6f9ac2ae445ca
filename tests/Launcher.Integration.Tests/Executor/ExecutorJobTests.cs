using System.Diagnostics;
using Launcher.Integration.Tests.Launch;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Executor;

/// <summary>
/// Whole jobs through the executor, as GitLab Runner drives them, running for real as a
/// created user: what the job can see, who owns what it leaves behind, its exit status, and
/// what a cancel leaves running (nothing).
/// </summary>
public class ExecutorJobTests
{
    private const int B = GitLabRunnerEmulator.BuildFailureExitCode;

    [RootFact]
    public void A_passing_job_runs_as_its_user_in_its_own_directories()
    {
        using var site = new ExecutorSite();
        using var runner = site.Runner(jobId: 2001, tokenJobId: 2001);
        runner.Variables["CLEXE_ALLOWED"] = "passed-through";
        runner.Variables["CLEXE_DENIED"] = "kept-out";
        var results = runner.RunJob("""
            id -u > uid.txt
            # The process's initial environment, before the script's own exports.
            tr '\0' '\n' < /proc/$$/environ > environ.txt
            echo "$TMPDIR" > tmpdir.txt
            touch "$TMPDIR/scratch-file"
            cc_output=built; echo "$cc_output" > artifact.txt
            """);
        foreach (var r in results) Assert.True(r.ExitCode == 0, $"{r.Stage}: exit {r.ExitCode}\n{r.Stderr}");
        Assert.Equal(["config", "prepare", "prepare_script", "get_sources", "step_script", "after_script", "cleanup_file_variables", "cleanup"],
            results.Select(r => r.Stage));
        Assert.Contains($"as {site.User}...", results[2].Stdout);

        uint uid = site.Uid;
        Assert.Equal(uid.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(runner.ProjectDir, "uid.txt")).Trim());
        foreach (var file in new[] { "main.c", "uid.txt", "artifact.txt", "after.txt", "environ.txt" })
            Assert.Equal(uid, Owner(Path.Combine(runner.ProjectDir, file)));
        Assert.Equal(uid, Owner(runner.BuildsDir!));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(runner.BuildsDir!));
        Assert.Equal(uid, Owner(runner.CacheDir!));

        var environ = File.ReadAllLines(Path.Combine(runner.ProjectDir, "environ.txt"));
        Assert.Contains("CLEXE_ALLOWED=passed-through", environ);
        Assert.Contains($"USER={site.User}", environ);
        Assert.DoesNotContain(environ, l => l.StartsWith("CLEXE_DENIED=", StringComparison.Ordinal));
        Assert.DoesNotContain(environ, l => l.StartsWith("CUSTOM_ENV_", StringComparison.Ordinal));
        Assert.DoesNotContain(environ, l => l.StartsWith("RUNNER_HOST_SECRET=", StringComparison.Ordinal));
        Assert.DoesNotContain(environ, l => l.StartsWith("JOB_RESPONSE_FILE=", StringComparison.Ordinal));
        Assert.DoesNotContain(environ, l => l.Contains(runner.Variables["CI_LAUNCHER_ID_TOKEN"], StringComparison.Ordinal));

        // Cleanup removed the job's temporary directory (as the user) and its state directory.
        string tmp = File.ReadAllText(Path.Combine(runner.ProjectDir, "tmpdir.txt")).Trim();
        Assert.Equal($"{site.Scratch.Path}/{site.User}/tmp/2001", tmp);
        Assert.False(Directory.Exists(tmp), $"{tmp} survived cleanup");
        Assert.False(Directory.Exists(site.StateOf(2001)));
    }

    [RootFact]
    public void A_stage_scripts_copy_in_the_state_directory_lasts_only_as_long_as_its_stage()
    {
        using var site = new ExecutorSite();
        using var runner = site.Runner(jobId: 2005, tokenJobId: 2005);
        Assert.Equal(0, runner.Config().ExitCode);
        Assert.Equal(0, runner.Prepare().ExitCode);
        string job = site.StateOf(2005);
        // Every run_exec used to leave its copy until cleanup: a runner calling it under ever new
        // stage names, with scripts of up to 64 MiB, filled the root-only file system of state_dir.
        foreach (string stage in new[] { "step_a", "step_b", "step_c" })
        {
            var r = runner.Run(stage, $"""
                mkdir -p "$CI_PROJECT_DIR" && cd "$CI_PROJECT_DIR"
                copy=$(readlink /proc/$$/fd/3)
                [ -f "$copy" ] && echo "$copy" > {stage}.copy
                """);
            Assert.True(r.ExitCode == 0, $"{stage}: exit {r.ExitCode}\n{r.Stderr}");
            // The job did run from its copy in the job's state directory...
            Assert.Equal(Path.Combine(job, stage), File.ReadAllText(Path.Combine(runner.ProjectDir, stage + ".copy")).Trim());
        }
        // ...and none is left once the stages ended; only what later stages need.
        Assert.Equal(["mapped+user"], Directory.GetFiles(job).Select(Path.GetFileName));
        Assert.Equal(0, runner.Cleanup().ExitCode);
        Assert.False(Directory.Exists(job));
    }

    [RootFact]
    public void A_job_exiting_3_is_a_build_failure_and_the_runner_learns_the_3()
    {
        using var site = new ExecutorSite();
        using var runner = site.Runner(jobId: 2002, tokenJobId: 2002);
        var results = runner.RunJob("echo failing; exit 3");
        var step = results.Single(r => r.Stage == "step_script");
        Assert.Equal(B, step.ExitCode);
        Assert.Equal("3\n", step.BuildExitCodeFile);
        // The runner still runs after_script and cleanup_file_variables after a failed step.
        Assert.Equal(0, results.Single(r => r.Stage == "after_script").ExitCode);
        Assert.True(File.Exists(Path.Combine(runner.ProjectDir, "after.txt")));
        Assert.Null(results.Single(r => r.Stage == "after_script").BuildExitCodeFile);
        // The audit trail has the job's real status next to the stage.
        var end = AuditLog.Records(site.Site.AuditPath).Single(r => r.Str("command") == "executor run.exit" && r.Str("stage") == "step_script");
        Assert.Equal(("2002", "3", "allow"), (end.Str("runner_job_id"), end.Str("exit_status"), end.Str("decision")));
    }

    [RootFact]
    public void A_cancelled_job_loses_its_whole_process_tree()
    {
        using var site = new ExecutorSite();
        using var runner = site.Runner(jobId: 2003, tokenJobId: 2003);
        Assert.Equal(0, runner.Config().ExitCode);
        Assert.Equal(0, runner.Prepare().ExitCode);
        Assert.Equal(0, runner.Run("get_sources", "mkdir -p \"$CI_PROJECT_DIR\"").ExitCode);

        // A job that ignores SIGTERM, with a background child: only SIGKILL of the group ends it.
        string marker = Path.Combine(runner.ProjectDir, "started");
        using var stage = runner.StartRun("step_script", $"""
            cd "$CI_PROJECT_DIR"
            trap '' TERM
            sleep 300 &
            echo $! > child.pid
            touch '{marker}'
            sleep 300
            """);
        var stderr = stage.StandardError.ReadToEndAsync();
        _ = stage.StandardOutput.ReadToEndAsync();
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(marker) && deadline.Elapsed < TimeSpan.FromSeconds(20)) Thread.Sleep(50);
        Assert.True(File.Exists(marker), "the job did not start");
        Assert.NotEmpty(Pgrep(site.User));

        // The runner's cancel: SIGTERM to the stage process; SIGKILL later if it is still there.
        Proc.Run("kill", ["-TERM", stage.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        if (!stage.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            Proc.Run("kill", ["-KILL", stage.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            stage.WaitForExit(TimeSpan.FromSeconds(5));
        }
        Assert.True(stage.HasExited, "the stage did not end");
        stage.WaitForExit();
        Assert.NotEqual(0, stage.ExitCode);
        Assert.Contains("cancelled", stderr.Result);

        var gone = Stopwatch.StartNew();
        while (Pgrep(site.User).Count > 0 && gone.Elapsed < TimeSpan.FromSeconds(5)) Thread.Sleep(50);
        Assert.Empty(Pgrep(site.User));
        Assert.Equal(0, runner.Cleanup().ExitCode);
    }

    private static uint Owner(string path) =>
        uint.Parse(Proc.Run("stat", ["-c", "%u", path]).Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);

    private static List<string> Pgrep(string user) =>
        Proc.Run("pgrep", ["-u", user]).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
}

/// <summary>executor.prepare_hook: a root-owned site script run as the job's user at the end of prepare.</summary>
public class ExecutorPrepareHookTests
{
    [RootFact]
    public void The_prepare_hook_runs_as_the_user_and_its_failure_is_a_system_failure()
    {
        using var hooks = new TrustedDir();
        string hook = hooks.Write("prepare-hook.sh", "#!/bin/sh\nid -u > \"$1/hook-uid.txt\"\n[ ! -e \"$1/fail-hook\" ]\n", (UnixFileMode)0b111_101_101);
        using var site = new ExecutorSite(executorYaml: $"  prepare_hook: {hook}");
        using var runner = site.Runner(jobId: 2101, tokenJobId: 2101);
        Assert.Equal(0, runner.Config().ExitCode);
        var prepare = runner.Prepare();
        Assert.True(prepare.ExitCode == 0, prepare.Stderr);
        string written = Path.Combine(runner.BuildsDir!, "hook-uid.txt");
        Assert.Equal(site.Uid.ToString(System.Globalization.CultureInfo.InvariantCulture), File.ReadAllText(written).Trim());

        File.WriteAllText(Path.Combine(runner.BuildsDir!, "fail-hook"), "");
        var failed = runner.Prepare();
        Assert.Equal(GitLabRunnerEmulator.SystemFailureExitCode, failed.ExitCode);
        Assert.Contains("executor.prepare", failed.Stderr);
        Assert.Equal(0, runner.Cleanup().ExitCode);
    }
}
