using System.Diagnostics;
using System.Globalization;
using Launcher.Integration.Tests.Launch;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Executor;

/// <summary>
/// Batch stages on a real Slurm, driven as GitLab Runner drives the executor: the step script
/// becomes a Slurm job of the mapped user. What the job sees inside Slurm, how its output reaches
/// the log, its exit status, a cancel, and concurrent jobs of one project.
/// </summary>
[Collection("slurm")]
public class BatchJobTests(SlurmCluster slurm, InstalledSite installed) : IDisposable
{
    private const int B = GitLabRunnerEmulator.BuildFailureExitCode;
    private readonly List<uint> _uids = [];

    private ExecutorSite Site(string batchExtra = "", string rules = ConfigSite.DefaultRules, bool withGroup = false)
    {
        var site = new ExecutorSite(executorYaml: slurm.BatchYaml(batchExtra), rules: rules, withGroup: withGroup);
        _uids.Add(site.Uid);
        return site;
    }

    /// <summary>A failed test must not leave a job behind for the next user who gets the same uid.</summary>
    public void Dispose()
    {
        foreach (var uid in _uids) slurm.CancelJobsOf(uid);
    }

    private GitLabRunnerEmulator Runner(ExecutorSite site, long jobId, int concurrentId = 0) =>
        site.Runner(jobId, jobId, executable: slurm.Binary.Executable, concurrentId: concurrentId);

    [RootFact]
    public void The_step_script_runs_inside_slurm_as_the_mapped_user_without_the_runners_environment()
    {
        using var site = Site(withGroup: true);
        using var runner = Runner(site, 6001);
        runner.Variables["CLEXE_ALLOWED"] = "passed, with a comma";
        runner.Variables["CLEXE_DENIED"] = "kept-out";
        var results = runner.RunJob("""
            id -u > batch-uid.txt; id -g > batch-gid.txt; id -G > batch-groups.txt
            echo "$SLURM_JOB_ID" > batch-jobid.txt
            tr '\0' '\n' < /proc/$$/environ > batch-environ.txt
            grep -E '^(Uid|Gid|Groups):' /proc/self/status > batch-status.txt
            """);
        foreach (var r in results) Assert.True(r.ExitCode == 0, $"{r.Stage}: exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");
        var step = results.Single(r => r.Stage == "step_script");

        string Read(string name) => File.ReadAllText(Path.Combine(runner.ProjectDir, name)).Trim();
        string uid = site.Uid.ToString(CultureInfo.InvariantCulture);
        string gid = Accounts.Gid(site.User).ToString(CultureInfo.InvariantCulture);
        string groupId = Proc.Run("getent", ["group", site.Group!]).Stdout.Split(':')[2];
        Assert.Equal(uid, Read("batch-uid.txt"));
        Assert.Equal(gid, Read("batch-gid.txt"));
        Assert.Equal(new[] { gid, groupId }.Order(), Read("batch-groups.txt").Split(' ').Order());
        var status = Read("batch-status.txt").Split('\n');
        Assert.Equal($"Uid:\t{uid}\t{uid}\t{uid}\t{uid}", status[0]);
        Assert.Equal($"Gid:\t{gid}\t{gid}\t{gid}\t{gid}", status[1]);

        // A real Slurm job: its id in the job, the same id first in the log and in the audit trail.
        string jobId = Read("batch-jobid.txt");
        Assert.Matches("^[0-9]+$", jobId);
        Assert.StartsWith($"ci-launcher: Slurm job {jobId} submitted as ci-hpc_solver-6001-step_script", step.Stdout.Split('\n')[0]);
        Assert.Contains($"ci-launcher: Slurm job {jobId} running on cilnode (partition debug", step.Stdout);
        Assert.Contains($"ci-launcher: Slurm job {jobId} COMPLETED, exit code 0", step.Stdout);

        var environ = Read("batch-environ.txt").Split('\n');
        Assert.Contains("CLEXE_ALLOWED=passed, with a comma", environ);
        Assert.Contains($"SLURM_JOB_ID={jobId}", environ);
        Assert.Contains($"SLURM_JOB_USER={site.User}", environ);
        Assert.Contains("SLURMD_NODENAME=cilnode", environ);
        Assert.DoesNotContain(environ, l => l.StartsWith("CLEXE_DENIED=", StringComparison.Ordinal));
        Assert.DoesNotContain(environ, l => l.StartsWith("CUSTOM_ENV_", StringComparison.Ordinal));
        Assert.DoesNotContain(environ, l => l.StartsWith("RUNNER_HOST_SECRET=", StringComparison.Ordinal));
        Assert.DoesNotContain(environ, l => l.StartsWith("JOB_RESPONSE_FILE=", StringComparison.Ordinal));
        Assert.DoesNotContain(environ, l => l.StartsWith("BUILD_FAILURE_EXIT_CODE=", StringComparison.Ordinal));
        Assert.DoesNotContain(environ, l => l.Contains(runner.Variables["CI_LAUNCHER_ID_TOKEN"], StringComparison.Ordinal));

        // The other stages stayed on this host: the prepare_script ran outside Slurm.
        Assert.DoesNotContain("Slurm job", results.Single(r => r.Stage == "prepare_script").Stdout);
        Assert.DoesNotContain("Slurm job", results.Single(r => r.Stage == "after_script").Stdout);

        string audit = File.ReadAllText(site.Site.AuditPath).Replace(" ", "", StringComparison.Ordinal);
        Assert.Contains($"\"batch_job_id\":\"{jobId}\"", audit);
        Assert.Contains("\"batch_partition\":\"debug\"", audit);
        Assert.Contains("\"batch_state\":\"COMPLETED\"", audit);
        Assert.Matches("\"batch_elapsed\":\"[0-9:-]+\"", audit);
        // Slurm has the job as the user's, finished; cleanup removed its output directory.
        Assert.Equal([$"{jobId} COMPLETED ci-hpc_solver-6001-step_script"], slurm.JobsOf(6001));
        Assert.False(Directory.Exists(Path.Combine(runner.BuildsDir!, ".ci-launcher", "6001")));
    }

    [RootFact]
    public void Output_is_streamed_while_the_job_runs_complete_and_in_order_and_the_end_is_seen_quickly()
    {
        using var site = Site();
        using var runner = Runner(site, 6002);
        Assert.Equal(0, runner.Config().ExitCode);
        Assert.Equal(0, runner.Prepare().ExitCode);
        Assert.Equal(0, runner.Run("get_sources", "mkdir -p \"$CI_PROJECT_DIR\"").ExitCode);

        // Each line carries the job's own clock; the tail is 20000 lines written just before the end.
        using var stage = runner.StartRun("step_script", """
            cd "$CI_PROJECT_DIR"
            for i in 1 2 3 4 5 6; do echo "tick $i $(date +%s.%N)"; sleep 0.4; done
            seq 1 20000
            echo "end $(date +%s.%N)"
            """);
        var arrivals = new List<(string Line, DateTimeOffset At)>();
        var stderr = stage.StandardError.ReadToEndAsync();
        string? line;
        while ((line = stage.StandardOutput.ReadLine()) is not null) arrivals.Add((line, DateTimeOffset.UtcNow));
        Assert.True(stage.WaitForExit(TimeSpan.FromSeconds(60)));
        var exited = DateTimeOffset.UtcNow;
        Assert.True(stage.ExitCode == 0, stderr.Result);

        var ticks = arrivals.Where(a => a.Line.StartsWith("tick ", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, ticks.Count);
        foreach (var (text, at) in ticks)
        {
            var written = DateTimeOffset.FromUnixTimeMilliseconds((long)(double.Parse(text.Split(' ')[2], CultureInfo.InvariantCulture) * 1000));
            Assert.True(at - written < TimeSpan.FromSeconds(1), $"'{text}' reached the log {(at - written).TotalMilliseconds:0} ms after it was written");
        }
        // Streamed, not dumped at the end: the first tick arrived long before the job finished.
        Assert.True(arrivals.Last().At - ticks[0].At > TimeSpan.FromSeconds(1.5));
        var numbers = arrivals.Select(a => a.Line).SkipWhile(l => l != "1").TakeWhile(l => !l.StartsWith("end ", StringComparison.Ordinal)).ToList();
        Assert.Equal(Enumerable.Range(1, 20000).Select(i => i.ToString(CultureInfo.InvariantCulture)), numbers);

        string end = arrivals.Single(a => a.Line.StartsWith("end ", StringComparison.Ordinal)).Line;
        var ended = DateTimeOffset.FromUnixTimeMilliseconds((long)(double.Parse(end.Split(' ')[1], CultureInfo.InvariantCulture) * 1000));
        Assert.True(exited - ended < TimeSpan.FromSeconds(2), $"the stage ended {(exited - ended).TotalMilliseconds:0} ms after the job's last line");
        Assert.Equal(0, runner.Cleanup().ExitCode);
    }

    [RootFact]
    public void A_job_exiting_3_in_slurm_is_a_build_failure_and_the_runner_learns_the_3()
    {
        using var site = Site();
        using var runner = Runner(site, 6003);
        var results = runner.RunJob("echo failing; exit 3");
        var step = results.Single(r => r.Stage == "step_script");
        Assert.True(step.ExitCode == B, step.Stdout + step.Stderr);
        Assert.Equal("3\n", step.BuildExitCodeFile);
        Assert.Contains("failing", step.Stdout);
        Assert.Contains("FAILED, exit code 3", step.Stdout);
        Assert.Equal(0, results.Single(r => r.Stage == "after_script").ExitCode);
        string audit = File.ReadAllText(site.Site.AuditPath).Replace(" ", "", StringComparison.Ordinal);
        Assert.Contains("\"batch_state\":\"FAILED\"", audit);
        var end = AuditLog.Records(site.Site.AuditPath).Single(r => r.Str("command") == "executor run.exit" && r.Str("stage") == "step_script");
        Assert.Equal(("6003", "slurm", "3", "allow"), (end.Str("runner_job_id"), end.Str("batch_system"), end.Str("exit_status"), end.Str("decision")));
    }

    [RootFact]
    public void A_cancelled_stage_scancels_its_job_and_leaves_nothing_queued_or_running()
    {
        using var site = Site();
        using var runner = Runner(site, 6004);
        Assert.Equal(0, runner.Config().ExitCode);
        Assert.Equal(0, runner.Prepare().ExitCode);
        Assert.Equal(0, runner.Run("get_sources", "mkdir -p \"$CI_PROJECT_DIR\"").ExitCode);

        string marker = Path.Combine(runner.ProjectDir, "started");
        using var stage = runner.StartRun("step_script", $"""
            cd "$CI_PROJECT_DIR"
            sleep 300 &
            touch '{marker}'
            sleep 300
            """);
        var stdout = stage.StandardOutput.ReadToEndAsync();
        var stderr = stage.StandardError.ReadToEndAsync();
        var deadline = Stopwatch.StartNew();
        while (!File.Exists(marker) && deadline.Elapsed < TimeSpan.FromSeconds(30)) Thread.Sleep(50);
        Assert.True(File.Exists(marker), "the Slurm job did not start");
        Assert.Single(slurm.ActiveJobs(site.User));

        // The runner's cancel: SIGTERM to the stage; the supervisor forwards it to the monitor.
        var cancelled = Stopwatch.StartNew();
        Proc.Run("kill", ["-TERM", stage.Id.ToString(CultureInfo.InvariantCulture)]);
        Assert.True(stage.WaitForExit(TimeSpan.FromSeconds(10)), "the stage did not end after SIGTERM");
        stage.WaitForExit();
        // launch.kill_timeout is 2s in these tests: the monitor had to be done before the SIGKILL.
        Assert.True(cancelled.Elapsed < TimeSpan.FromSeconds(3), $"the stage took {cancelled.ElapsedMilliseconds} ms to end");
        Assert.Equal(B, stage.ExitCode);
        Assert.Contains("cancelled", stderr.Result);
        Assert.Contains("cancelled (state CANCELLED)", stdout.Result);
        Assert.DoesNotContain("killed after the grace period", stderr.Result);

        Assert.Empty(slurm.ActiveJobs(site.User));
        var gone = Stopwatch.StartNew();
        while (Pgrep(site.User).Count > 0 && gone.Elapsed < TimeSpan.FromSeconds(5)) Thread.Sleep(50);
        Assert.Empty(Pgrep(site.User));
        Assert.Contains("\"batch_state\":\"CANCELLED\"", File.ReadAllText(site.Site.AuditPath).Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(0, runner.Cleanup().ExitCode);
    }

    [RootFact]
    public void Two_concurrent_jobs_of_one_project_keep_separate_checkouts()
    {
        using var site = Site();
        using var first = Runner(site, 6005, concurrentId: 0);
        using var second = Runner(site, 6006, concurrentId: 1);
        const string Step = """
            echo "$CI_JOB_ID" > "job-$CI_JOB_ID"
            sleep 1.5
            ls > listing.txt
            cat main.c
            """;
        var jobs = new[] { first, second }.Select(r => Task.Run(() => r.RunJob(Step))).ToArray();
        Task.WaitAll(jobs);
        foreach (var results in jobs.Select(j => j.Result))
            foreach (var r in results) Assert.True(r.ExitCode == 0, $"{r.Stage}: exit {r.ExitCode}\n{r.Stdout}\n{r.Stderr}");

        Assert.NotEqual(first.ProjectDir, second.ProjectDir);
        Assert.Equal(["job-6005", "listing.txt", "main.c"], File.ReadAllText(Path.Combine(first.ProjectDir, "listing.txt")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal(["job-6006", "listing.txt", "main.c"], File.ReadAllText(Path.Combine(second.ProjectDir, "listing.txt")).Split('\n', StringSplitOptions.RemoveEmptyEntries));
        // Both really ran in Slurm at the same time, each with its own output.
        var steps = jobs.Select(j => j.Result.Single(r => r.Stage == "step_script").Stdout).ToList();
        Assert.All(steps, s => Assert.Contains("int main(){}", s));
        Assert.NotEqual(steps[0].Split('\n')[0], steps[1].Split('\n')[0]);
    }

    [RootFact]
    public void A_rules_bounds_fill_in_the_partition_account_and_time_a_job_leaves_out()
    {
        using var site = Site(rules: """
                - name: hpc
                  issuer: gitlab
                  match: { project_path: "hpc/**" }
                  action: allow
                  run_as: "{user_login}"
                  batch:
                    partitions: [prod, debug]
                    max_time: 10m
            """);
        using var runner = Runner(site, 6007);
        runner.Variables["SCHEDULER_PARAMETERS"] = "--ntasks=1 --time 5";
        var results = runner.RunJob("echo \"$SLURM_JOB_PARTITION\" > partition.txt; scontrol -o show job \"$SLURM_JOB_ID\" > job.txt");
        var step = results.Single(r => r.Stage == "step_script");
        Assert.True(step.ExitCode == 0, step.Stdout + step.Stderr);
        Assert.Equal("prod", File.ReadAllText(Path.Combine(runner.ProjectDir, "partition.txt")).Trim());
        string job = File.ReadAllText(Path.Combine(runner.ProjectDir, "job.txt"));
        Assert.Contains("TimeLimit=00:05:00", job);
        Assert.Contains("Requeue=0", job);
        Assert.Contains("Comment=https://gitlab.example.org/hpc/solver/-/jobs/6007", job);
        Assert.Contains($"WorkDir={runner.BuildsDir}", job);
    }

    [RootFact]
    public void Sbatch_directives_in_the_stage_script_are_not_read()
    {
        using var site = Site();
        using var runner = Runner(site, 6009);
        Assert.Equal(0, runner.Config().ExitCode);
        Assert.Equal(0, runner.Prepare().ExitCode);
        string stolen = $"/tmp/clexe-stolen-{Guid.NewGuid():N}";
        var step = runner.RunRaw("step_script", $"#!/bin/bash\n#SBATCH --partition=prod\n#SBATCH --output={stolen}\necho \"partition=$SLURM_JOB_PARTITION\"\n");
        Assert.True(step.ExitCode == 0, step.Stdout + step.Stderr);
        // Only SCHEDULER_PARAMETERS, checked, reaches sbatch: the job ran where the site's defaults put it.
        Assert.Contains("partition=debug", step.Stdout);
        Assert.False(File.Exists(stolen));
        Assert.Equal(0, runner.Cleanup().ExitCode);
    }

    [RootFact]
    public void An_unprivileged_runner_submits_through_the_setuid_wrapper_as_the_mapped_user()
    {
        using var site = new ExecutorSite(executorYaml: slurm.BatchYaml(), installed: installed);
        _uids.Add(site.Uid);
        string runnerUser = site.Users.User(groups: [installed.CallerGroup]);
        string wrapper = installed.Wrapper;

        using var runner = site.Runner(jobId: 6008, tokenJobId: 6008, runnerUser: runnerUser, executable: wrapper);
        var results = runner.RunJob("id -u > uid.txt; echo \"$SLURM_JOB_ID\" > jobid.txt; exit 3");
        foreach (var r in results.Where(r => r.Stage != "step_script"))
            Assert.True(r.ExitCode == 0, $"{r.Stage}: exit {r.ExitCode}\n{r.Stderr}");
        var step = results.Single(r => r.Stage == "step_script");
        Assert.True(step.ExitCode == B, step.Stdout + step.Stderr);
        Assert.Equal("3\n", step.BuildExitCodeFile);
        Assert.Equal(Accounts.Uid(runnerUser), step.BuildExitCodeFileOwner);
        Assert.Equal(site.Uid.ToString(CultureInfo.InvariantCulture), File.ReadAllText(Path.Combine(runner.ProjectDir, "uid.txt")).Trim());
        string jobId = File.ReadAllText(Path.Combine(runner.ProjectDir, "jobid.txt")).Trim();
        Assert.Equal([$"{jobId} FAILED ci-hpc_solver-6008-step_script"], slurm.JobsOf(6008));
        // Slurm itself says whose job it was: the mapped user's, not the runner's and not root's.
        Assert.Contains($"UserId={site.User}({site.Uid})", slurm.Root("scontrol", ["-o", "show", "job", jobId]));
    }

    private static List<string> Pgrep(string user) =>
        Proc.Run("pgrep", ["-u", user]).Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToList();
}
