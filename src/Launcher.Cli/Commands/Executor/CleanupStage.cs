using Launcher.Core.Launch;
using Launcher.Posix.Executor;

namespace Launcher.Cli.Commands.Executor;

/// <summary>
/// <c>cleanup_exec</c>: after re-authorization (the token verified and bound to this job), remove
/// the job's temporary directory (as the job's user: root never walks a tree the user controls)
/// and its root-owned state directory. Without a valid token nothing is removed: a runner could
/// otherwise name any job id in a made-up JOB_RESPONSE_FILE and delete another job's state. The
/// runner ignores cleanup's result, so this always exits 0 and warns.
/// </summary>
public static class CleanupStage
{
    /// <summary>Not a possible stage name ('+' is refused there), so it never collides with a runner script copy.</summary>
    private const string RemoverName = "cleanup+remove";

    private const string Remover = "#!/bin/sh\n# written by ci-launcher executor cleanup: remove the job's temporary directories as its user\nexec /bin/rm -rf -- \"$@\"\n";

    public static int Run(ExitCodeContract codes, string? configPath)
    {
        var ctx = StageContext.Begin("cleanup", codes, configPath, out _);
        if (ctx is null)
        {
            Console.Error.WriteLine("ci-launcher: warning: cleanup skipped (see above); the job's result is not affected");
            return 0;
        }
        if (!ctx.Authorize(out _))
        {
            Console.Error.WriteLine("ci-launcher: warning: the job's directories are left in place: the job could not be re-authorized");
            return 0;
        }
        RemoveUserDirectories(ctx);
        if (JobStateDirectory.Remove(ctx.Settings.StateDir, ctx.StateKey) is { } notRemoved)
            Console.Error.WriteLine($"ci-launcher: warning: {notRemoved.Detail}");
        return 0;
    }

    /// <summary>temp_dir and the batch output directory, removed as the job's user.</summary>
    private static void RemoveUserDirectories(StageContext ctx)
    {
        var dirs = new List<string>();
        if (ctx.TempDir is not null) dirs.Add(ctx.TempDir);
        if (ctx.Settings.Batch is { } batch && Batch.BatchStage.OutputDirectory(ctx, batch) is { Ok: true } output) dirs.Add(output.Value.Path);
        if (dirs.Count == 0) return;
        var opened = JobStateDirectory.Open(ctx.Settings.StateDir, ctx.StateKey, create: false);
        using var state = opened.Ok ? opened.Value : null;
        var remover = state is null ? opened.Refusal : state.WriteScript(RemoverName, System.Text.Encoding.ASCII.GetBytes(Remover), ctx.Account.Uid, ctx.Account.Gid);
        if (!remover.Ok)
        {
            Console.Error.WriteLine($"ci-launcher: warning: cannot remove {string.Join(", ", dirs)}: {remover.Refusal.Detail}");
            return;
        }
        var outcome = ctx.Launch.Launch(ctx.Plan(remover.Value, dirs, "/"));
        if (!outcome.Ok || outcome.Value.ExitStatus != 0)
            Console.Error.WriteLine($"ci-launcher: warning: removing {string.Join(", ", dirs)} as {ctx.Account.Name} failed: {(outcome.Ok ? $"status {outcome.Value.ExitStatus}" : outcome.Refusal.Detail)}");
    }
}
