using System.Globalization;
using System.Text;
using Launcher.Core.Authorization;
using Launcher.Core.Batch;
using Launcher.Core.Config;
using Launcher.Core.Executor;
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
        var extra = StageExtra(ctx, stage);
        extra["batch_system"] = batch.System.Name;
        var rule = ctx.Site.Config.Rules.FirstOrDefault(r => r.Name == ctx.Decision.Rule);
        string? parameters = Environment.GetEnvironmentVariable(CustomEnvironment.Prefix + batch.ParametersVariable);
        var admission = BatchAdmission.Check(batch, rule?.Batch, ctx.Decision.Token!.Claims, ctx.Decision.Rule!, parameters);
        if (!admission.Ok)
        {
            // The job author's to fix: their variable, or the rule they fall under.
            ctx.Site.Record(ctx.Decision.Deny(admission.Refusal), "executor run", extra);
            return StageContext.Fail(ctx.Codes, admission.Refusal.In($"stage {stage}"));
        }

        var output = OutputDirectory(ctx, batch);
        var outputProblem = output.Ok ? LaunchBridge.CreateUserDirectory(output.Value, ctx.Account) : output.Refusal;
        if (outputProblem is not null)
            return SiteFailure(ctx, extra, Reasons.ExecutorPath, $"stage {stage}: executor.batch.output_dir: {(output.Ok ? outputProblem.ToString() : outputProblem.Detail)}");
        string outputDir = output.Value.Path;

        var opened = JobStateDirectory.Open(ctx.Settings.StateDir, ctx.StateKey, create: false);
        if (!opened.Ok) return SiteFailure(ctx, extra, Reasons.ExecutorLaunch, $"stage {stage}: {opened.Refusal.Detail}");
        using var state = opened.Value;
        uint uid = ctx.Account.Uid, gid = ctx.Account.Gid;
        var jobScript = state.WriteScript(stage, BatchScript(ctx, batch, stage, script), uid, gid);
        // Created here, empty, for the monitor to fill: it cannot create files in the root-owned directory.
        string resultName = stage + "+result";
        var resultFile = jobScript.Ok ? state.WriteScript(resultName, [], uid, gid, mode: UnixFileMode.UserRead | UnixFileMode.UserWrite) : jobScript;
        if (!resultFile.Ok) return SiteFailure(ctx, extra, Reasons.ExecutorLaunch, $"stage {stage}: {resultFile.Refusal.Detail}");

        var plan = Plan(ctx, batch, stage, admission.Value, jobScript.Value, outputDir, resultFile.Value);
        var planFile = state.WriteScript(stage + "+plan", plan.ToJson(), uid, gid);
        var monitor = planFile.Ok ? state.WriteScript(stage + "+monitor", Encoding.UTF8.GetBytes(MonitorScript(planFile.Value)), uid, gid) : planFile;
        if (!monitor.Ok) return SiteFailure(ctx, extra, Reasons.ExecutorLaunch, $"stage {stage}: {monitor.Refusal.Detail}");

        var launched = LaunchBridge.Run(ctx, monitor.Value, [], ctx.BuildsDir);
        var bytes = launched.Ok ? state.ReadFile(resultName, BatchResult.MaxBytes, uid) : default;
        // sbatch copied the job script at submission and the result is read: none of the stage's files is of use any more.
        foreach (string name in new[] { stage, resultName, stage + "+plan", stage + "+monitor" }) state.RemoveScript(name);
        if (!launched.Ok)
        {
            var notStarted = launched.Refusal with { Kind = RefusalKind.SiteError };
            ctx.Site.Record(ctx.Decision.Deny(notStarted), "executor run", extra);
            return StageContext.Fail(ctx.Codes, notStarted.In($"stage {stage} did not start"));
        }
        var outcome = launched.Value;

        // A result file the monitor never wrote (empty), or one that cannot be read or parsed, leaves nothing known about the job.
        var parsed = bytes is { Ok: true, Value.Length: > 0 } ? BatchResult.Parse(bytes.Value) : bytes.Ok ? Refusal.Unlabelled("empty result file") : bytes.Refusal;
        BatchResult? result = parsed.Ok ? parsed.Value : null;
        extra["exit_status"] = outcome.ExitStatus.ToString(CultureInfo.InvariantCulture);
        extra["cancelled"] = outcome.Cancelled ? "true" : "false";
        extra["killed"] = outcome.Killed ? "true" : "false";
        if (result is not null)
        {
            extra["batch_job_id"] = result.JobId;
            extra["batch_partition"] = result.Partition;
            extra["batch_account"] = result.Account;
            extra["batch_state"] = result.State;
            extra["batch_elapsed"] = result.Elapsed;
            extra["batch_nodes"] = result.Nodes;
        }

        if (outcome.Cancelled || result?.Outcome == BatchOutcome.Cancelled)
        {
            ctx.Site.Record(ctx.Decision, "executor run.exit", extra);
            Console.Error.WriteLine($"ci-launcher: stage {stage} was cancelled{(outcome.Killed ? " and killed after the grace period" : "")}{(result is { JobId.Length: > 0 } ? $"; Slurm job {result.JobId} ended {result.State}" : "")}");
            return ctx.Codes.BuildFailure;
        }
        if (result is null)
        {
            // The monitor runs as the job's user; without its result nothing is known about the job.
            string detail = $"stage {stage}: the batch monitor ended with status {outcome.ExitStatus} and left no result ({parsed.Refusal.Detail})";
            ctx.Site.Record(ctx.Decision.Deny(Refusal.SiteError(Reasons.BatchMonitor, detail)), "executor run.exit", extra);
            return StageContext.Fail(ctx.Codes, Refusal.SiteError(Reasons.BatchMonitor, detail));
        }
        if (result.Outcome == BatchOutcome.SystemFailure)
        {
            // The monitor already printed the one line, with the batch system's own words.
            ctx.Site.Record(ctx.Decision.Deny(Refusal.SiteError(result.Reason, result.Detail)), "executor run.exit", extra);
            return ctx.Codes.SystemFailure;
        }
        extra["exit_status"] = result.ExitStatus.ToString(CultureInfo.InvariantCulture);
        ctx.Site.Record(ctx.Decision, "executor run.exit", extra);
        if (result.ExitStatus == 0) return 0;
        if (Environment.GetEnvironmentVariable("BUILD_EXIT_CODE_FILE") is { Length: > 0 } codeFile
            && Launcher.Posix.Privileged.CallerAccess.WriteText(codeFile, result.ExitStatus.ToString(CultureInfo.InvariantCulture) + "\n") is { } notWritten)
            Console.Error.WriteLine($"ci-launcher: warning: BUILD_EXIT_CODE_FILE: {notWritten.Detail}");
        return ctx.Codes.BuildFailure;
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

    private static int SiteFailure(StageContext ctx, Dictionary<string, string> extra, string reason, string detail)
    {
        var refusal = Refusal.SiteError(reason, detail);
        ctx.Site.Record(ctx.Decision.Deny(refusal), "executor run", extra);
        return StageContext.Fail(ctx.Codes, refusal);
    }

    private static Dictionary<string, string> StageExtra(StageContext ctx, string stage) => new(StringComparer.Ordinal)
    {
        ["stage"] = stage,
        ["runner_job_id"] = ctx.Job.JobId.ToString(CultureInfo.InvariantCulture),
    };
}
