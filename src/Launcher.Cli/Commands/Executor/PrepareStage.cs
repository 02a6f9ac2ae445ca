using Launcher.Cli.Launch;
using Launcher.Core.Authorization;
using Launcher.Core.Launch;
using Launcher.Core.Paths;
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
        if (!launchDirs.Ok) return ctx.Launch.Refuse(launchDirs.Refusal);
        var jobDirs = new[] { ctx.Builds, ctx.Cache, ctx.Temp }.OfType<UserPath>();
        if (ctx.Launch.CreateDirectories(jobDirs.Concat(launchDirs.Value)) is { } refused)
            return ctx.Launch.Refuse(Refusal.SiteError(Reasons.ExecutorPrepare, refused.ToString()));

        if (ctx.Settings.PrepareHook is not { } hook) return 0;
        // The hook runs with the user's rights, but root chose it: it must be a root-owned file no one else can change.
        if (TrustedFile.Check(hook) is { } untrusted)
            return ctx.Launch.Refuse(untrusted.AsSiteError(Reasons.ExecutorPrepare).In("executor.prepare_hook"));
        var hookFailed = (JobEnd end) => Refusal.SiteError(Reasons.ExecutorPrepare, $"executor.prepare_hook {hook} exited with status {end.ExitStatus}");
        var outcome = ctx.Launch.Launch(ctx.Plan(hook, [ctx.BuildsDir, ctx.CacheDir], ctx.BuildsDir),
            end => end.ExitStatus == 0 ? null : new LaunchSequence.EndReport(Fields: null, hookFailed(end)));
        if (!outcome.Ok)
            return ctx.Launch.Fail(Refusal.SiteError(outcome.Refusal.Reason, $"executor.prepare_hook {hook} did not start: {outcome.Refusal.Detail}"));
        return outcome.Value.ExitStatus == 0 ? 0 : ctx.Launch.Fail(hookFailed(outcome.Value));
    }
}
