using System.Diagnostics;
using System.Runtime.InteropServices;
using Launcher.Core.Authorization;
using Launcher.Core.Batch;
using Launcher.Posix.Privileged;

namespace Launcher.Cli.Commands.Executor.Batch;

/// <summary>
/// <c>ci-launcher executor batch-monitor PLAN</c>: the unprivileged half of a batch stage, started
/// by <see cref="BatchStage"/> through the launch sequence, so it already is the job's user with
/// the launch environment. It takes everything from the plan file in the job's state directory:
/// submits the job (the batch system authenticates this uid, e.g. with munge), prints the job id,
/// copies the job's output to the log while it runs, follows its state, cancels it when the runner
/// cancels the stage (SIGTERM from the supervisor), and leaves its result for the supervisor.
/// </summary>
public sealed class BatchMonitor : IDisposable
{
    /// <summary>How long one scontrol/scancel may take; sbatch has its own retries and gets longer.</summary>
    private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan SubmitTimeout = TimeSpan.FromSeconds(120);

    private readonly BatchPlan _plan;
    private readonly IBatchSystem _system;
    private readonly OutputPump _output;
    private readonly ManualResetEventSlim _cancel = new();
    private readonly List<PosixSignalRegistration> _signals = [];
    private bool _warned;

    private BatchMonitor(BatchPlan plan, IBatchSystem system)
    {
        _plan = plan;
        _system = system;
        _output = new OutputPump(plan.OutputFile);
        foreach (var signal in new[] { PosixSignal.SIGTERM, PosixSignal.SIGINT, PosixSignal.SIGHUP })
            _signals.Add(PosixSignalRegistration.Create(signal, c => { c.Cancel = true; _cancel.Set(); }));
    }

    public static int Run(IReadOnlyList<string> argv)
    {
        if (argv.Count != 1)
            throw new UsageException("batch-monitor takes one argument, the plan file; executor run starts it for batch stages");
        // It acts for one user only; started with privileges it would submit jobs as root.
        if (ProcessIdentity.IsPrivileged)
        {
            Console.Error.WriteLine($"ci-launcher: {Reasons.BatchMonitor}: executor batch-monitor runs only as the job's user (started by executor run), never as root or set-id");
            return ExitCodes.UsageOrConfig;
        }
        BatchPlan? plan;
        try
        {
            var info = new FileInfo(argv[0]);
            plan = info.Exists && info.Length <= BatchPlan.MaxBytes && BatchPlan.Parse(File.ReadAllBytes(argv[0])) is { Ok: true } parsed ? parsed.Value : null;
            if (plan is null)
            {
                Console.Error.WriteLine($"ci-launcher: {Reasons.BatchMonitor}: plan {argv[0]} is missing, too large or not ci-launcher's");
                return ExitCodes.UsageOrConfig;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"ci-launcher: {Reasons.BatchMonitor}: cannot read the plan {argv[0]}: {e.Message}");
            return ExitCodes.UsageOrConfig;
        }
        var system = BatchSystems.Find(plan.System);
        if (system is null)
        {
            Console.Error.WriteLine($"ci-launcher: {Reasons.BatchMonitor}: the plan names batch system '{plan.System}', which this ci-launcher does not drive");
            return ExitCodes.UsageOrConfig;
        }
        using var monitor = new BatchMonitor(plan, system);
        return monitor.Follow();
    }

    private int Follow()
    {
        // A retried stage writes to the same name: the old output must not be streamed as the new one's.
        try { File.Delete(_plan.OutputFile); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }

        var submit = BatchCommand.Run(_plan.BinDir, _system.SubmitCommand, _plan.SubmitArguments, _plan.Environment, SubmitTimeout);
        string? jobId = submit.Ok ? _system.ParseSubmitted(submit.Stdout) : null;
        if (_cancel.IsSet) return Cancel(jobId, null);
        if (!submit.Started)
            return SystemFailure(Reasons.BatchUnavailable, $"{_system.SubmitCommand} is not usable: {submit.StartError} (executor.batch.bin_dir)", null);
        if (!submit.Ok)
        {
            string message = _system.Message(submit.Stderr);
            return _system.ClassifySubmitFailure(submit.Stderr) == SubmitFailure.Unavailable
                ? SystemFailure(Reasons.BatchUnavailable, $"{_system.SubmitCommand} cannot reach {_system.Name}: {message}", null)
                : SystemFailure(Reasons.BatchSubmitRejected, $"{_system.SubmitCommand} refused the job: {message}", null);
        }
        if (jobId is null)
        {
            // Submitted or not, we cannot follow it: cancel whatever has this stage's name.
            Cancel(null, null, quiet: true);
            return SystemFailure(Reasons.BatchSubmitRejected, $"{_system.SubmitCommand} printed no job id: '{_system.Message(submit.Stdout)}'", null);
        }
        _output.Line($"ci-launcher: {Display} job {jobId} submitted as {_plan.JobName}");

        var submitted = Stopwatch.StartNew();
        var nextPoll = TimeSpan.Zero;
        BatchJobStatus? last = null;
        bool announced = false;
        while (true)
        {
            _output.Pump();
            if (submitted.Elapsed >= nextPoll)
            {
                var status = Query(jobId, out bool unknown);
                nextPoll = submitted.Elapsed + _plan.PollInterval;
                if (unknown)
                    return SystemFailure(Reasons.BatchMonitor, $"{Display} job {jobId} is no longer known to {Display} (it ended and was purged before its state was seen; MinJobAge must be well above executor.batch.poll_interval)", last);
                if (status is not null)
                {
                    last = status;
                    if (status.Phase != BatchPhase.Pending && !announced)
                    {
                        announced = true;
                        _output.Line($"ci-launcher: {Display} job {jobId} running on {Or(status.Nodes, "(unknown nodes)")} (partition {Or(status.Partition, "-")}, account {Or(status.Account, "-")})");
                    }
                    if (status.Phase is BatchPhase.Finished or BatchPhase.Ended) return End(status);
                    if (status.Phase == BatchPhase.Pending && _plan.StartTimeout is { } limit && submitted.Elapsed > limit)
                    {
                        Cancel(jobId, status, quiet: true);
                        return SystemFailure(Reasons.BatchStartTimeout,
                            $"{Display} job {jobId} did not start within {Launcher.Core.Config.Duration.Format(limit)} (still {status.State}{(status.Reason.Length > 0 ? $", reason {status.Reason}" : "")}); it was cancelled (executor.batch.start_timeout)", status);
                    }
                }
            }
            var wait = nextPoll - submitted.Elapsed;
            if (wait > _plan.OutputInterval) wait = _plan.OutputInterval;
            if (wait > TimeSpan.Zero && _cancel.Wait(wait)) return Cancel(jobId, last);
            if (_cancel.IsSet) return Cancel(jobId, last);
        }
    }

    private int End(BatchJobStatus status)
    {
        _output.Drain(TimeSpan.FromMilliseconds(60));
        if (status.Phase == BatchPhase.Ended)
            return SystemFailure(Reasons.BatchJobState,
                $"{Display} job {status.JobId} ended {status.State}{(status.Reason.Length > 0 ? $" ({status.Reason})" : "")} after {Or(status.Elapsed, "?")} on {Or(status.Nodes, "no node")}; that is not the script's result", status);
        string how = status.Signal != 0 ? $"signal {status.Signal}" : $"exit code {status.ExitCode}";
        _output.Line($"ci-launcher: {Display} job {status.JobId} {status.State}, {how}, after {Or(status.Elapsed, "?")}");
        WriteResult(Fill(new BatchResult { Outcome = BatchOutcome.Finished, ExitStatus = status.ShellStatus }, status));
        return status.ShellStatus;
    }

    /// <summary>The runner cancelled the stage (or the job must go): cancel it, wait for it to leave the queue, report.</summary>
    private int Cancel(string? jobId, BatchJobStatus? last, bool quiet = false)
    {
        var grace = Stopwatch.StartNew();
        var cancel = BatchCommand.Run(_plan.BinDir, _system.CancelCommand, _system.CancelArguments(jobId, _plan.JobName, _plan.User), _plan.Environment, _plan.CancelGrace);
        if (!cancel.Ok && !quiet)
            Console.Error.WriteLine($"ci-launcher: warning: {_system.CancelCommand} failed: {cancel.StartError ?? _system.Message(cancel.Stderr)}");
        while (jobId is not null && grace.Elapsed < _plan.CancelGrace)
        {
            var status = Query(jobId, out bool unknown);
            if (unknown) break;
            if (status is not null)
            {
                last = status;
                if (status.Phase is BatchPhase.Finished or BatchPhase.Ended) break;
            }
            Thread.Sleep(100);
        }
        _output.Drain(TimeSpan.FromMilliseconds(30));
        if (quiet) return 1;
        _output.Line($"ci-launcher: {Display} job {jobId ?? "(not yet numbered)"} cancelled{(last is null ? "" : $" (state {last.State})")}");
        WriteResult(Fill(new BatchResult { Outcome = BatchOutcome.Cancelled, ExitStatus = 143 }, last, jobId));
        return 143;
    }

    private int SystemFailure(string reason, string detail, BatchJobStatus? status)
    {
        _output.Drain(TimeSpan.FromMilliseconds(30));
        Console.Error.WriteLine($"ci-launcher: {reason}: {detail}");
        WriteResult(Fill(new BatchResult { Outcome = BatchOutcome.SystemFailure, ExitStatus = 1, Reason = reason, Detail = detail }, status));
        return 1;
    }

    private BatchJobStatus? Query(string jobId, out bool unknown)
    {
        unknown = false;
        var r = BatchCommand.Run(_plan.BinDir, _system.StateCommand, _system.StateArguments(jobId), _plan.Environment, QueryTimeout);
        if (r.Ok && _system.ParseState(r.Stdout, jobId) is { } status) return status;
        if (r.Started && _system.IsUnknownJob(r.Stderr)) { unknown = true; return null; }
        if (!_warned)
        {
            _warned = true;
            Console.Error.WriteLine($"ci-launcher: warning: cannot ask {Display} about job {jobId} ({r.StartError ?? _system.Message(r.Stderr + r.Stdout)}); still trying");
        }
        return null;
    }

    private static BatchResult Fill(BatchResult r, BatchJobStatus? s, string? jobId = null) => s is null
        ? r with { JobId = jobId ?? "" }
        : r with { JobId = s.JobId, State = s.State, Partition = s.Partition, Account = s.Account, Nodes = s.Nodes, Elapsed = s.Elapsed };

    private void WriteResult(BatchResult result)
    {
        try
        {
            // Created empty by the supervisor; the monitor cannot create files in the state directory.
            using var f = new FileStream(_plan.ResultFile, FileMode.Truncate, FileAccess.Write, FileShare.None, 1);
            f.Write(result.ToJson());
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"ci-launcher: {Reasons.BatchMonitor}: cannot write the result {_plan.ResultFile}: {e.Message}");
        }
    }

    private string Display => _system.DisplayName;

    private static string Or(string value, string fallback) => value.Length > 0 ? value : fallback;

    public void Dispose()
    {
        foreach (var s in _signals) s.Dispose();
        _output.Dispose();
        _cancel.Dispose();
    }
}
