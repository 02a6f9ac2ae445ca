using System.Globalization;
using Launcher.Core.Authorization;
using Launcher.Core.Executor;
using Launcher.Posix.Executor;
using Launcher.Posix.Privileged;

namespace Launcher.Cli.Commands.Executor;

/// <summary>
/// <c>run_exec SCRIPT STAGE</c>, once per sub-stage (prepare_script, get_sources, step_script,
/// after_script, ... and names GitLab has not invented yet). Re-authorizes, then runs the
/// runner's script as the job's user through the launch sequence.
/// </summary>
public static class RunStage
{
    /// <summary>The runner's scripts embed every job variable; they stay far below this.</summary>
    public const int MaxScriptBytes = 64 << 20;

    /// <summary>Stage name and script file, before anything else: null when fine, else the exit code.</summary>
    public static int? CheckArguments(ExitCodeContract codes, string scriptPath, string stage, out byte[]? script)
    {
        script = null;
        if (StageName.Check(stage) is { } bad)
            return StageContext.Fail(codes, Refusal.SiteError(Reasons.ExecutorStageName, $"stage name '{stage.ReplaceLineEndings(" ")}' {bad.Detail}; run_exec is called as 'run_exec [run_args...] SCRIPT STAGE'"));
        var read = CallerAccess.ReadOwned(scriptPath, MaxScriptBytes);
        if (!read.Ok)
            return StageContext.Fail(codes, read.Refusal.AsSiteError(Reasons.ExecutorScript).In($"stage {stage}"));
        script = read.Value;
        return null;
    }

    public static int Run(StageContext ctx, string stage, byte[] script)
    {
        if (!ctx.Authorize(out int exit)) return exit;
        if (ctx.Settings.Batch is { } batch && batch.Covers(stage)) return Batch.BatchStage.Run(ctx, batch, stage, script);
        var opened = JobStateDirectory.Open(ctx.Settings.StateDir, ctx.StateKey, create: false);
        if (!opened.Ok) return StageContext.Fail(ctx.Codes, opened.Refusal.AsSiteError(Reasons.ExecutorLaunch).In($"stage {stage}"));
        using var state = opened.Value;
        var copy = state.WriteScript(stage, script, ctx.Account.Uid, ctx.Account.Gid);
        if (!copy.Ok) return StageContext.Fail(ctx.Codes, copy.Refusal.AsSiteError(Reasons.ExecutorLaunch).In($"stage {stage}"));

        var launched = LaunchBridge.Run(ctx, copy.Value, [], ctx.BuildsDir);
        // The job read its script through its own descriptor; the copy is of no use any more.
        state.RemoveScript(stage);
        if (!launched.Ok)
        {
            // A stage that did not start is a system failure for the runner, whoever's problem the refusal names.
            var notStarted = launched.Refusal with { Kind = RefusalKind.SiteError };
            ctx.Site.Record(ctx.Decision.Deny(notStarted), "executor run", StageExtra(ctx, stage));
            return StageContext.Fail(ctx.Codes, notStarted.In($"stage {stage} did not start"));
        }
        var outcome = launched.Value;
        var end = StageExtra(ctx, stage);
        end["exit_status"] = outcome.ExitStatus.ToString(CultureInfo.InvariantCulture);
        end["cancelled"] = outcome.Cancelled ? "true" : "false";
        end["killed"] = outcome.Killed ? "true" : "false";
        end["containment"] = outcome.Containment;
        end["leftovers_killed"] = outcome.Leftovers.ToString(CultureInfo.InvariantCulture);
        if (outcome.ContainmentNote.Length > 0) end["containment_note"] = outcome.ContainmentNote;
        ctx.Site.Record(ctx.Decision, "executor run.exit", end, durable: false);   // not fsynced: see LaunchSequence's end record
        if (outcome.ExitStatus == 0) return 0;

        if (outcome.Cancelled)
            Console.Error.WriteLine($"ci-launcher: stage {stage} was cancelled{(outcome.Killed ? " and killed after the grace period" : "")}");
        // allow_failure:exit_codes needs the real status; the runner wants only the integer in the file.
        if (Environment.GetEnvironmentVariable("BUILD_EXIT_CODE_FILE") is { Length: > 0 } codeFile
            && CallerAccess.WriteText(codeFile, outcome.ExitStatus.ToString(CultureInfo.InvariantCulture) + "\n") is { } notWritten)
            Console.Error.WriteLine($"ci-launcher: warning: BUILD_EXIT_CODE_FILE: {notWritten.Detail}");
        return ctx.Codes.BuildFailure;
    }

    private static Dictionary<string, string> StageExtra(StageContext ctx, string stage) => new(StringComparer.Ordinal)
    {
        ["stage"] = stage,
        ["runner_job_id"] = ctx.Job.JobId.ToString(CultureInfo.InvariantCulture),
    };
}
