using System.Globalization;
using Launcher.Core.Authorization;
using Launcher.Core.Launch;
using Launcher.Posix.Privileged;

namespace Launcher.Cli.Launch;

/// <summary>
/// Everything after an allowed decision, in its fixed order: audit record (no record, no job),
/// create_dirs as root, fork/drop/exec and supervision, end record. Shared by <c>run</c> and
/// the executor's run stage so the two cannot drift apart.
/// </summary>
public static class LaunchSequence
{
    /// <summary>The job's exit status, or, when no job ran, <see cref="RunExit"/>'s code after one stderr line and an audit record.</summary>
    public static int Run(Site site, Decision decision, LaunchPlan plan, string command, IReadOnlyDictionary<string, string> extra)
    {
        if (!site.Record(decision, command, extra)) return RunExit.For(RefusalKind.SiteError);

        foreach (var dir in plan.Directories)
        {
            var made = UserDirectories.Ensure(dir, plan.Account.Uid, plan.Account.Gid);
            if (!made.Ok) return Refuse(site, decision.Deny(made.Refusal.In("launch.create_dirs")), command);
        }

        var launched = JobLauncher.Run(plan);
        if (!launched.Ok) return Refuse(site, decision.Deny(launched.Refusal), command);
        var outcome = launched.Value;

        var end = new Dictionary<string, string>(extra)
        {
            ["pid"] = outcome.Pid.ToString(CultureInfo.InvariantCulture),
            ["exit_status"] = outcome.ExitStatus.ToString(CultureInfo.InvariantCulture),
            ["cancelled"] = outcome.Cancelled ? "true" : "false",
            ["killed"] = outcome.Killed ? "true" : "false",
            ["containment"] = outcome.Containment,
            ["leftovers_killed"] = outcome.Leftovers.ToString(CultureInfo.InvariantCulture),
        };
        if (outcome.ContainmentNote.Length > 0) end["containment_note"] = outcome.ContainmentNote;
        // Not fsynced: it grants nothing, the job is over. It reaches the file (and any reader)
        // with its one write; only a machine crash within the writeback interval can lose it, and
        // then the log shows what a crash during the job shows, the durable "run" record without
        // an end. Syncing it would only hold back the job's exit status (bench/launch/README.md).
        site.Record(decision, command + ".exit", end, durable: false);
        return outcome.ExitStatus;
    }

    /// <summary>One stderr line with the reason code and the fix, an audit record, the refusal exit code.</summary>
    public static int Refuse(Site site, Decision refusal, string command)
    {
        Console.Error.WriteLine($"ci-launcher: {refusal.Reason}: {refusal.Detail}");
        site.Record(refusal, command);
        return RunExit.For(refusal.Refusal!.Kind);
    }
}
