using Launcher.Core.Authorization;
using Launcher.Core.Executor;
using Launcher.Core.Launch;
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
        var launchDirs = LaunchPlan.DirectoriesFor(ctx.Site.Config.Launch, ctx.Account);
        if (!launchDirs.Ok) return StageContext.Fail(ctx.Codes, launchDirs.Refusal);
        foreach (var dir in new[] { ctx.Builds, ctx.Cache, ctx.Temp }.Concat(launchDirs.Value))
        {
            if (dir is null) continue;
            if (LaunchBridge.CreateUserDirectory(dir, ctx.Account) is { } refused)
                return StageContext.Fail(ctx.Codes, Refusal.SiteError(Reasons.ExecutorPrepare, refused.ToString()));
        }

        if (ctx.Settings.PrepareHook is not { } hook) return 0;
        // The hook runs with the user's rights, but root chose it: it must be a root-owned file no one else can change.
        if (TrustedFile.Check(hook) is { } untrusted)
            return StageContext.Fail(ctx.Codes, untrusted.AsSiteError(Reasons.ExecutorPrepare).In("executor.prepare_hook"));
        var outcome = LaunchBridge.Run(ctx, hook, [ctx.BuildsDir, ctx.CacheDir], ctx.BuildsDir);
        if (!outcome.Ok)
            return StageContext.Fail(ctx.Codes, Refusal.SiteError(outcome.Refusal.Reason, $"executor.prepare_hook {hook} did not start: {outcome.Refusal.Detail}"));
        if (outcome.Value.ExitStatus != 0)
            return StageContext.Fail(ctx.Codes, Refusal.SiteError(Reasons.ExecutorPrepare, $"executor.prepare_hook {hook} exited with status {outcome.Value.ExitStatus}"));
        return 0;
    }
}
