using System.Globalization;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Executor;

/// <summary>
/// Batch stages that must not run: options and bounds refused before anything is submitted (the
/// job author's to fix), and the site's trouble (no sbatch, no controller, a rejected submission,
/// a job that never starts, one that ends not by its script): each one line naming the cause
/// and Slurm's words, an audit record, and nothing of the user's left in Slurm.
/// </summary>
[Collection("slurm")]
public class BatchRefusalTests(SlurmCluster slurm) : IDisposable
{
    private readonly List<uint> _uids = [];
    private const int B = GitLabRunnerEmulator.BuildFailureExitCode;
    private const int S = GitLabRunnerEmulator.SystemFailureExitCode;

    private const string BoundedRules = """
            - name: merge-requests
              issuer: gitlab
              match: { project_path: "hpc/**" }
              action: allow
              run_as: "{user_login}"
              batch:
                partitions: [debug]
                accounts: ["ci-{project_id}"]
                max_time: 30m
        """;

    private ExecutorSite Site(string batchExtra = "", string rules = ConfigSite.DefaultRules)
    {
        var site = new ExecutorSite(executorYaml: slurm.BatchYaml(batchExtra), rules: rules);
        _uids.Add(site.Uid);
        return site;
    }

    /// <summary>A failed test must not leave a job behind for the next user who gets the same uid.</summary>
    public void Dispose()
    {
        foreach (var uid in _uids) slurm.CancelJobsOf(uid);
    }

    /// <summary>config, prepare, get_sources; then the step script with <paramref name="parameters"/> in SCHEDULER_PARAMETERS.</summary>
    private StageResult Step(ExecutorSite site, long jobId, string? parameters, string body = "touch ran-in-slurm")
    {
        using var runner = site.Runner(jobId, jobId, executable: slurm.Binary.Executable);
        if (parameters is not null) runner.Variables["SCHEDULER_PARAMETERS"] = parameters;
        Assert.Equal(0, runner.Config().ExitCode);
        Assert.Equal(0, runner.Prepare().ExitCode);
        Assert.Equal(0, runner.Run("get_sources", "mkdir -p \"$CI_PROJECT_DIR\"").ExitCode);
        var step = runner.Run("step_script", $"cd \"$CI_PROJECT_DIR\"\n{body}");
        Assert.Equal(0, runner.Cleanup().ExitCode);
        return step;
    }

    [RootFact]
    public void Options_that_change_identity_paths_environment_or_waiting_are_refused_before_submission()
    {
        using var site = Site();
        var cases = new (string Parameters, string Reason, string Named)[]
        {
            ("--uid=0", "batch.option_refused", "--uid"),
            ("--gid 0", "batch.option_refused", "--gid"),
            ("-o /tmp/stolen", "batch.option_refused", "-o/--output"),
            ("-p debug -e /tmp/x", "batch.option_refused", "-e/--error"),
            ("-i /etc/shadow", "batch.option_refused", "-i/--input"),
            ("--chdir=/", "batch.option_refused", "-D/--chdir"),
            ("--export=ALL", "batch.option_refused", "--export"),
            ("--get-user-env", "batch.option_refused", "--get-user-env"),
            ("--wrap='id > /tmp/x'", "batch.option_refused", "--wrap"),
            ("--wait", "batch.option_refused", "-W/--wait"),
            ("-Hp debug", "batch.option_refused", "-H/--hold"),
            ("--ui=0", "batch.option_unknown", "'--ui'"),
            ("--bogus", "batch.option_unknown", "'--bogus'"),
            ("--mail-user=x@example.org", "batch.option_not_allowed", "--mail-user"),
            ("-p debug script.sh", "batch.option_unknown", "'script.sh'"),
            ("--time=$(id)", "batch.parameters", "unquoted '$'"),
        };
        long jobId = 7100;
        foreach (var (parameters, reason, named) in cases)
        {
            var step = Step(site, ++jobId, parameters);
            Assert.True(step.ExitCode == B, $"{parameters}: exit {step.ExitCode}\n{step.Stderr}");
            var line = Assert.Single(step.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"ci-launcher: {reason}: stage step_script: SCHEDULER_PARAMETERS", line);
            Assert.Contains(named, line);
            Assert.Equal("", step.Stdout);
            Assert.Empty(slurm.JobsOf(jobId));
        }
        string audit = File.ReadAllText(site.Site.AuditPath).Replace(" ", "", StringComparison.Ordinal);
        Assert.Contains("\"reason\":\"batch.option_refused\"", audit);
        Assert.Contains("\"reason\":\"batch.option_unknown\"", audit);
        Assert.Contains("\"reason\":\"batch.parameters\"", audit);
    }

    [RootFact]
    public void A_partition_account_or_time_outside_the_rules_bounds_is_refused_before_submission()
    {
        using var site = Site(rules: BoundedRules);
        var cases = new (string Parameters, string Reason, string Named)[]
        {
            ("-p prod", "batch.partition", "partition 'prod' is not allowed; this rule allows debug"),
            ("--partition=debug,prod", "batch.partition", "partition 'prod'"),
            ("-A physics", "batch.account", "account 'physics' is not allowed; this job may use ci-4242"),
            ("--time=1:00:00", "batch.time", "longer than this rule's max_time 00:30:00"),
            ("-t infinite", "batch.time", "longer than"),
        };
        long jobId = 7200;
        foreach (var (parameters, reason, named) in cases)
        {
            var step = Step(site, ++jobId, parameters);
            Assert.True(step.ExitCode == B, $"{parameters}: exit {step.ExitCode}\n{step.Stderr}");
            var line = Assert.Single(step.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.StartsWith($"ci-launcher: {reason}: stage step_script: rule 'merge-requests': ", line);
            Assert.Contains(named, line);
            Assert.Empty(slurm.JobsOf(jobId));
        }
        string audit = File.ReadAllText(site.Site.AuditPath).Replace(" ", "", StringComparison.Ordinal);
        foreach (var reason in new[] { "batch.partition", "batch.account", "batch.time" })
            Assert.Contains($"\"reason\":\"{reason}\"", audit);
    }

    [RootFact]
    public void A_missing_sbatch_is_a_system_failure_naming_it()
    {
        using var empty = new TrustedDir();
        using var site = Site($"    bin_dir: {empty.Path}");
        var step = Step(site, 7301, null);
        AssertSystemFailure(site, step, "batch.unavailable", $"sbatch is not usable: cannot run {empty.Path}/sbatch");
    }

    [RootFact]
    public void An_unreachable_slurmctld_is_a_system_failure_with_slurms_message()
    {
        string dead = slurm.DeadControllerConf();
        using var site = new ExecutorSite(executorYaml: slurm.BatchYaml().Replace(slurm.SlurmConf, dead, StringComparison.Ordinal));
        _uids.Add(site.Uid);
        var step = Step(site, 7302, null);
        AssertSystemFailure(site, step, "batch.unavailable", "Unable to contact slurm controller");
    }

    [RootFact]
    public void A_rejected_submission_is_a_system_failure_with_slurms_message()
    {
        using var site = Site();
        var partition = Step(site, 7303, "-p nosuch");
        AssertSystemFailure(site, partition, "batch.submit_rejected", "sbatch refused the job: invalid partition specified: nosuch");
        var limits = Step(site, 7304, "--mem=99999999");
        AssertSystemFailure(site, limits, "batch.submit_rejected", "Memory specification can not be satisfied; Batch job submission failed: Requested node configuration is not available");
    }

    [RootFact]
    public void A_job_that_never_starts_is_cancelled_after_the_start_timeout()
    {
        using var site = Site("    start_timeout: 2s");
        var step = Step(site, 7305, "-p hold");
        AssertSystemFailure(site, step, "batch.start_timeout", "did not start within 2s (still PENDING, reason PartitionDown); it was cancelled");
        Assert.Contains(slurm.JobsOf(7305), j => j.Contains(" CANCELLED ", StringComparison.Ordinal));
    }

    [RootFact]
    public void A_job_ended_by_slurm_not_by_its_script_is_a_system_failure_naming_the_state()
    {
        using var site = Site();
        using var runner = site.Runner(7306, 7306, executable: slurm.Binary.Executable);
        Assert.Equal(0, runner.Config().ExitCode);
        Assert.Equal(0, runner.Prepare().ExitCode);
        Assert.Equal(0, runner.Run("get_sources", "mkdir -p \"$CI_PROJECT_DIR\"").ExitCode);
        using var stage = runner.StartRun("step_script", "sleep 300");
        var stdout = stage.StandardOutput.ReadToEndAsync();
        var stderr = stage.StandardError.ReadToEndAsync();
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        string? job = null;
        while (job is null && deadline.Elapsed < TimeSpan.FromSeconds(30))
        {
            job = slurm.ActiveJobs(site.User).FirstOrDefault(j => j.Contains(" RUNNING ", StringComparison.Ordinal));
            Thread.Sleep(100);
        }
        Assert.NotNull(job);
        // An operator cancels it (or Slurm's time limit, a node failure, a preemption would end it).
        slurm.Root("scancel", [job.Split(' ')[0]]);
        Assert.True(stage.WaitForExit(TimeSpan.FromSeconds(20)));
        stage.WaitForExit();
        var step = new StageResult("step_script", stage.ExitCode, stdout.Result, stderr.Result, null);
        AssertSystemFailure(site, step, "batch.job_state", $"Slurm job {job.Split(' ')[0]} ended CANCELLED");
        Assert.Equal(0, runner.Cleanup().ExitCode);
    }

    private void AssertSystemFailure(ExecutorSite site, StageResult step, string reason, string message)
    {
        Assert.True(step.ExitCode == S, $"exit {step.ExitCode}\n{step.Stdout}\n{step.Stderr}");
        var line = Assert.Single(step.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"ci-launcher: {reason}: ", line);
        Assert.Contains(message, line);
        Assert.Null(step.BuildExitCodeFile);
        Assert.Empty(slurm.ActiveJobs(site.User));
        Assert.Contains($"\"reason\":\"{reason}\"", File.ReadAllText(site.Site.AuditPath).Replace(" ", "", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(site.Scratch.Path, site.User, "ran-in-slurm")));
    }
}

/// <summary><c>explain --scheduler-parameters</c>: the batch checks a stage would make, without Slurm.</summary>
public class BatchExplainTests
{
    [RootFact]
    public void Explain_shows_the_rules_batch_bounds_and_denies_an_option_outside_them()
    {
        using var site = new ExecutorSite(executorYaml: "  batch:\n    system: slurm\n", rules: """
                - name: merge-requests
                  issuer: gitlab
                  match: { project_path: "hpc/**" }
                  action: allow
                  run_as: "{user_login}"
                  batch:
                    partitions: [debug]
                    accounts: ["ci-{project_id}"]
                    max_time: 30m
            """);
        string token = site.Site.TokenFile(site.User);
        var allowed = Proc.Run(Dist.CiLauncher, ["explain", "--config", site.Site.ConfigPath, "--token-file", token]);
        Assert.True(allowed.ExitCode == 0, allowed.Stdout + allowed.Stderr);
        Assert.Contains("batch: rule 'merge-requests' bounds partitions debug (default debug)", allowed.Stdout);
        Assert.Contains("batch: rule 'merge-requests' bounds accounts ci-{project_id} (default ci-{project_id})", allowed.Stdout);
        Assert.Contains("batch: submitted with: --partition=debug --account=ci-4242 --time=00:30:00", allowed.Stdout);

        var denied = Proc.Run(Dist.CiLauncher, ["explain", "--config", site.Site.ConfigPath, "--token-file", token, "--scheduler-parameters", "-p prod -t 10"]);
        Assert.Equal(1, denied.ExitCode);
        Assert.Contains("batch: SCHEDULER_PARAMETERS = ['-p', 'prod', '-t', '10']", denied.Stdout);
        Assert.Contains("decision: DENY (batch.partition): rule 'merge-requests': partition 'prod' is not allowed; this rule allows debug", denied.Stdout);
        Assert.Contains("\"reason\":\"batch.partition\"", File.ReadAllText(site.Site.AuditPath).Replace(" ", "", StringComparison.Ordinal));

        var refused = Proc.Run(Dist.CiLauncher, ["explain", "--config", site.Site.ConfigPath, "--token-file", token, "--scheduler-parameters", "--uid=0"]);
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("decision: DENY (batch.option_refused): SCHEDULER_PARAMETERS: --uid is never accepted from a job", refused.Stdout);
    }
}

/// <summary>The monitor acts for one user only: started privileged it refuses before reading anything.</summary>
public class BatchMonitorTests
{
    [RootFact]
    public void The_monitor_refuses_to_run_as_root()
    {
        using var dir = new TrustedDir();
        string plan = dir.Write("plan", "{}");
        var r = Proc.Run(Dist.CiLauncher, ["executor", "batch-monitor", plan]);
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("ci-launcher: batch.monitor: executor batch-monitor runs only as the job's user (started by executor run), never as root or set-id", r.Stderr.Trim());
        Assert.Equal("", r.Stdout);
    }
}
