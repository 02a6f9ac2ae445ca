using System.Globalization;
using Launcher.Core.Authorization;
using Launcher.Core.Executor;
using Launcher.Core.Launch;
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
        if (!opened.Ok) return ctx.Launch.Refuse(opened.Refusal.AsSiteError(Reasons.ExecutorLaunch).In($"stage {stage}"));
        using var state = opened.Value;
        var copy = state.WriteScript(stage, script, ctx.Account.Uid, ctx.Account.Gid);
        if (!copy.Ok) return ctx.Launch.Refuse(copy.Refusal.AsSiteError(Reasons.ExecutorLaunch).In($"stage {stage}"));

        var launched = ctx.Launch.Launch(ctx.Plan(copy.Value, [], ctx.BuildsDir));
        // The job read its script through its own descriptor; the copy is of no use any more.
        state.RemoveScript(stage);
        if (!launched.Ok) return ctx.Launch.Fail(launched.Refusal.In($"stage {stage} did not start"));
        var end = launched.Value;
        if (end.ExitStatus == 0) return 0;

        if (end.Cancelled)
            Console.Error.WriteLine($"ci-launcher: stage {stage} was cancelled{(end.Killed ? " and killed after the grace period" : "")}");
        WriteBuildExitCode(end.ExitStatus);
        return ctx.Codes.ForJob(end.ExitStatus);
    }

    /// <summary>allow_failure:exit_codes needs the job's real status; the runner wants only the integer in BUILD_EXIT_CODE_FILE, written with its rights.</summary>
    public static void WriteBuildExitCode(int exitStatus)
    {
        if (Environment.GetEnvironmentVariable("BUILD_EXIT_CODE_FILE") is { Length: > 0 } codeFile
            && CallerAccess.WriteText(codeFile, exitStatus.ToString(CultureInfo.InvariantCulture) + "\n") is { } notWritten)
            Console.Error.WriteLine($"ci-launcher: warning: BUILD_EXIT_CODE_FILE: {notWritten.Detail}");
    }
}
