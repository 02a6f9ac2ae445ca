using Launcher.Core.Authorization;
using Launcher.Core.Executor;
using Launcher.Posix.Executor;
using Launcher.Posix.Files;

namespace Launcher.Cli.Commands.Executor;

/// <summary>
/// <c>prepare_exec</c>: re-authorize, create the job's directories (owned by the user, 0700,
/// never through a symlink), the root-owned state directory, and run the site's hook as the
/// user. Idempotent: the runner retries prepare on a system failure.
/// </summary>
public static class PrepareStage
{
    public static int Run(StageContext ctx)
    {
        if (!ctx.Authorize(out int exit)) return exit;
        ctx.Announce();
        var launchDirs = LaunchBridge.LaunchDirectories(ctx, out string? launchProblem);
        if (launchDirs is null) return StageContext.Fail(ctx.Codes, StageFailure.System, Reasons.LaunchDirectory, launchProblem!);
        foreach (var dir in new[] { ctx.BuildsDir, ctx.CacheDir, ctx.TempDir }.Concat(launchDirs))
        {
            if (dir is null) continue;
            if (LaunchBridge.CreateUserDirectory(dir, ctx.Account) is { } problem)
                return StageContext.Fail(ctx.Codes, StageFailure.System, Reasons.ExecutorPrepare, problem);
        }

        if (ctx.Settings.PrepareHook is not { } hook) return 0;
        // The hook runs with the user's rights, but root chose it: it must be a root-owned file no one else can change.
        if (TrustedFile.Problem(hook) is { } untrusted)
            return StageContext.Fail(ctx.Codes, StageFailure.System, Reasons.ExecutorPrepare, $"executor.prepare_hook: {untrusted}");
        var outcome = LaunchBridge.Run(ctx, hook, [ctx.BuildsDir, ctx.CacheDir], ctx.BuildsDir);
        if (!outcome.Started)
            return StageContext.Fail(ctx.Codes, StageFailure.System, outcome.Reason, $"executor.prepare_hook {hook} did not start: {outcome.Detail}");
        if (outcome.ExitStatus != 0)
            return StageContext.Fail(ctx.Codes, StageFailure.System, Reasons.ExecutorPrepare, $"executor.prepare_hook {hook} exited with status {outcome.ExitStatus}");
        return 0;
    }
}
