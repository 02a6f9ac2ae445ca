using System.Globalization;
using System.Text;
using Launcher.Core.Authorization;
using Launcher.Core.Batch;
using Launcher.Core.Config;
using Launcher.Cli.Launch;
using Launcher.Core.Executor;
using Launcher.Core.Launch;
using Launcher.Core.Paths;
using Launcher.Core.Policy;
using Launcher.Posix.Executor;

namespace Launcher.Cli.Commands.Executor.Batch;

/// <summary>
/// The privileged half of a batch stage (run_exec for a stage on executor.batch.stages), after
/// the stage was authorized: check the job author's scheduler options against the allowlist and
/// the rule's bounds (refused here, before anything is submitted), write the plan, then start
/// the monitor (<see cref="BatchMonitor"/>) as the job's user through the launch sequence, like
/// any job script: it submits, streams and waits as that user, and this process stays its
/// supervisor. Nothing here runs a batch command as root.
/// </summary>
public static class BatchStage
{
    public static int Run(StageContext ctx, BatchSettings batch, string stage, byte[] script)
    {
        ctx.Launch.Note("batch_system", batch.System.Name);
        var rule = ctx.Site.Config.Rules.FirstOrDefault(r => r.Name == ctx.Decision.Rule);
        string? parameters = Environment.GetEnvironmentVariable(CustomEnvironment.Prefix + batch.ParametersVariable);
        var admission = BatchAdmission.Check(batch, rule?.Batch, ctx.Decision.Token!.Claims, ctx.Decision.Rule!, parameters);
        // The job author's to fix: their variable, or the rule they fall under.
        if (!admission.Ok) return ctx.Launch.Refuse(admission.Refusal.In($"stage {stage}"));

        var output = OutputDirectory(ctx, batch);
        var outputProblem = output.Ok ? ctx.Launch.CreateDirectories([output.Value]) : output.Refusal;
        if (outputProblem is not null)
            return ctx.Launch.Refuse(Refusal.SiteError(Reasons.ExecutorPath, $"stage {stage}: executor.batch.output_dir: {(output.Ok ? outputProblem.ToString() : outputProblem.Detail)}"));
        string outputDir = output.Value.Path;

        var opened = JobStateDirectory.Open(ctx.Settings.StateDir, ctx.StateKey, create: false);
        if (!opened.Ok) return ctx.Launch.Refuse(Refusal.SiteError(Reasons.ExecutorLaunch, $"stage {stage}: {opened.Refusal.Detail}"));
        using var state = opened.Value;
        uint uid = ctx.Account.Uid, gid = ctx.Account.Gid;
        var jobScript = state.WriteScript(stage, BatchScript(ctx, batch, stage, script), uid, gid);
        // Created here, empty, for the monitor to fill: it cannot create files in the root-owned directory.
        string resultName = stage + "+result";
        var resultFile = jobScript.Ok ? state.WriteScript(resultName, [], uid, gid, mode: UnixFileMode.UserRead | UnixFileMode.UserWrite) : jobScript;
        if (!resultFile.Ok) return ctx.Launch.Refuse(Refusal.SiteError(Reasons.ExecutorLaunch, $"stage {stage}: {resultFile.Refusal.Detail}"));

        var plan = Plan(ctx, batch, stage, admission.Value, jobScript.Value, outputDir, resultFile.Value);
        var planFile = state.WriteScript(stage + "+plan", plan.ToJson(), uid, gid);
        var monitor = planFile.Ok ? state.WriteScript(stage + "+monitor", Encoding.UTF8.GetBytes(MonitorScript(planFile.Value)), uid, gid) : planFile;
        if (!monitor.Ok) return ctx.Launch.Refuse(Refusal.SiteError(Reasons.ExecutorLaunch, $"stage {stage}: {monitor.Refusal.Detail}"));

        Ended? ended = null;
        var launched = ctx.Launch.Launch(ctx.Plan(monitor.Value, [], ctx.BuildsDir), end =>
        {
            ended = Judge(stage, end, state.ReadFile(resultName, BatchResult.MaxBytes, uid));
            return ended.Report;
        });
        // sbatch copied the job script at submission and the result is read: none of the stage's files is of use any more.
        foreach (string name in new[] { stage, resultName, stage + "+plan", stage + "+monitor" }) state.RemoveScript(name);
        if (!launched.Ok) return ctx.Launch.Fail(launched.Refusal.In($"stage {stage} did not start"));

        var (report, result) = (ended!.Report, ended.Result);
        if (launched.Value.Cancelled || result?.Outcome == BatchOutcome.Cancelled)
        {
            Console.Error.WriteLine($"ci-launcher: stage {stage} was cancelled{(launched.Value.Killed ? " and killed after the grace period" : "")}{(result is { JobId.Length: > 0 } ? $"; Slurm job {result.JobId} ended {result.State}" : "")}");
            return ctx.Codes.BuildFailure;
        }
        // A system failure: the monitor already printed the one line, with the batch system's own words.
        if (result?.Outcome == BatchOutcome.SystemFailure) return ctx.Codes.SystemFailure;
        if (result is null) return ctx.Launch.Fail(report.Failure!);
        if (result.ExitStatus == 0) return 0;
        RunStage.WriteBuildExitCode(result.ExitStatus);
        return ctx.Codes.ForJob(result.ExitStatus);
    }

    /// <summary>The end of a batch stage: its end record's fields and failure, and the monitor's result when it left one.</summary>
    private sealed record Ended(LaunchSequence.EndReport Report, BatchResult? Result);

    /// <summary>
    /// What the monitor's end and its result file (<paramref name="bytes"/>) say: the Slurm job's id,
    /// partition, account, state, elapsed time and nodes in the end record, and its exit status as
    /// the stage's; a system failure named by the batch system, or no result at all, as the refusal.
    /// </summary>
    private static Ended Judge(string stage, JobEnd end, Outcome<byte[]> bytes)
    {
        // A result file the monitor never wrote (empty), or one that cannot be read or parsed, leaves nothing known about the job.
        var parsed = bytes is { Ok: true, Value.Length: > 0 } ? BatchResult.Parse(bytes.Value) : bytes.Ok ? Refusal.Unlabelled("empty result file") : bytes.Refusal;
        if (!parsed.Ok)
        {
            // The monitor runs as the job's user; without its result nothing is known about the job.
            string detail = $"stage {stage}: the batch monitor ended with status {end.ExitStatus} and left no result ({parsed.Refusal.Detail})";
            var noResult = end.Cancelled ? null : Refusal.SiteError(Reasons.BatchMonitor, detail);
            return new Ended(new LaunchSequence.EndReport(Fields: null, noResult), null);
        }
        var result = parsed.Value;
        var fields = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["batch_job_id"] = result.JobId,
            ["batch_partition"] = result.Partition,
            ["batch_account"] = result.Account,
            ["batch_state"] = result.State,
            ["batch_elapsed"] = result.Elapsed,
            ["batch_nodes"] = result.Nodes,
        };
        if (end.Cancelled || result.Outcome == BatchOutcome.Cancelled) return new Ended(new LaunchSequence.EndReport(fields), result);
        if (result.Outcome == BatchOutcome.SystemFailure)
            return new Ended(new LaunchSequence.EndReport(fields, Refusal.SiteError(result.Reason, result.Detail)), result);
        fields["exit_status"] = result.ExitStatus.ToString(CultureInfo.InvariantCulture);
        return new Ended(new LaunchSequence.EndReport(fields), result);
    }

    /// <summary>
    /// The job's own directory for batch output files: it must be visible from the compute nodes,
    /// so by default it is under the builds directory. Cleanup removes it as the user.
    /// </summary>
    public static Outcome<UserPath> OutputDirectory(StageContext ctx, BatchSettings batch) =>
        batch.OutputDir is { } template
            ? ctx.Expand(template)
            : Outcome.Of(ctx.Builds with { Path = $"{ctx.BuildsDir}/.ci-launcher/{ctx.Job.JobId.ToString(CultureInfo.InvariantCulture)}" });

    private static BatchPlan Plan(StageContext ctx, BatchSettings batch, string stage, Admission admission, string jobScript, string outputDir, string resultFile)
    {
        var launch = ctx.Site.Config.Launch;
        // The batch commands' whole environment; sbatch reads SBATCH_*/SLURM_* as options, so the
        // job's variables never include those, and nothing of the runner's gets in.
        var environment = new SortedDictionary<string, string>(StringComparer.Ordinal);
        var exports = new List<string>();
        foreach (var (name, value) in ctx.JobVariables())
        {
            if (name == "TMPDIR" || batch.System.IsInputVariable(name)) continue;
            environment[name] = value;
            exports.Add(name);
        }
        environment["PATH"] = launch.Path;
        environment["HOME"] = ctx.Account.Home;
        environment["USER"] = ctx.Account.Name;
        environment["LOGNAME"] = ctx.Account.Name;
        environment.TryAdd("LANG", "C.UTF-8");
        if (batch.SlurmConf is { } conf) environment["SLURM_CONF"] = conf;

        string jobName = JobName(ctx, stage);
        var submission = new BatchSubmission
        {
            Options = admission.Options,
            JobName = jobName,
            Comment = JobUrl(ctx),
            WorkingDirectory = ctx.BuildsDir,
            OutputFile = $"{outputDir}/{stage}.out",
            ExportNames = exports,
            Script = jobScript,
        };
        var kill = launch.KillTimeout;
        return new BatchPlan
        {
            System = batch.System.Name,
            BinDir = batch.BinDir,
            SubmitArguments = batch.System.SubmitArguments(submission),
            Environment = environment,
            JobName = jobName,
            User = ctx.Account.Name,
            OutputFile = submission.OutputFile,
            ResultFile = resultFile,
            PollInterval = batch.PollInterval,
            OutputInterval = batch.OutputInterval,
            StartTimeout = batch.StartTimeout,
            CancelGrace = kill * 3 / 4,
        };
    }

    /// <summary>
    /// The runner's stage script, run by launch.shell on the node. The prefix ends sbatch's search
    /// for <c>#SBATCH</c> lines at its first command, so options come only from the checked variable.
    /// </summary>
    private static byte[] BatchScript(StageContext ctx, BatchSettings batch, string stage, byte[] script)
    {
        string prefix = $"#!{ctx.Site.Config.Launch.Shell}\n# ci-launcher: stage {stage} of CI job {ctx.Job.JobId.ToString(CultureInfo.InvariantCulture)}; scheduler options come from {batch.ParametersVariable}; directive lines (#SBATCH) below are not read\n:\n";
        return [.. Encoding.UTF8.GetBytes(prefix), .. script];
    }

    private static string MonitorScript(string planFile) =>
        $"# written by ci-launcher executor run: the batch stage's monitor, as the job's user\nexec {Quote(Environment.ProcessPath ?? "/usr/bin/ci-launcher")} executor batch-monitor {Quote(planFile)}\n";

    private static string Quote(string s) => "'" + s.Replace("'", "'\\''", StringComparison.Ordinal) + "'";

    /// <summary>ci-&lt;project path&gt;-&lt;CI job id&gt;-&lt;stage&gt;, from the verified token and the job response only.</summary>
    private static string JobName(StageContext ctx, string stage)
    {
        string project = ClaimValues.Scalar(ctx.Decision.Token!.Claims, "project_path")
            ?? ctx.Job.ProjectId?.ToString(CultureInfo.InvariantCulture) ?? "job";
        var name = new StringBuilder("ci-");
        foreach (char c in $"{project}-{ctx.Job.JobId.ToString(CultureInfo.InvariantCulture)}-{stage}")
            name.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_' ? c : '_');
        return name.Length > 120 ? name.ToString()[..120] : name.ToString();
    }

    /// <summary>The CI job's URL (GitLab: issuer/project/-/jobs/id) when the token names the project.</summary>
    private static string? JobUrl(StageContext ctx)
    {
        var token = ctx.Decision.Token!;
        string? project = ClaimValues.Scalar(token.Claims, "project_path");
        if (project is null || project.Any(c => char.IsWhiteSpace(c) || char.IsControl(c) || c == ',')) return null;
        return $"{token.Issuer.Issuer.TrimEnd('/')}/{project}/-/jobs/{ctx.Job.JobId.ToString(CultureInfo.InvariantCulture)}";
    }
}
