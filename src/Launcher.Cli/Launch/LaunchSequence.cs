using System.Globalization;
using Launcher.Core.Authorization;
using Launcher.Core.Launch;
using Launcher.Core.Paths;
using Launcher.Posix.Privileged;

namespace Launcher.Cli.Launch;

/// <summary>
/// The one way a decision becomes a job, for <c>run</c> and every executor stage (the run stage's
/// script, the prepare hook, cleanup's remover, a batch stage's monitor), in its fixed order:
/// <list type="number">
/// <item>the decision record, durable: no record, no job (<see cref="RecordDecision"/>);</item>
/// <item>the caller gate for the account (<see cref="CallerGate.CheckAccount"/>: downscope, launch.shell);</item>
/// <item>the user's directories, created as root (<see cref="CreateDirectories"/>, and the plan's launch.create_dirs);</item>
/// <item>fork, drop, prove, exec, and supervision to the end (<see cref="JobLauncher"/>);</item>
/// <item>the end record (command + ".exit").</item>
/// </list>
/// A job that did not start after the decision was recorded gets a refusal record instead of the
/// end record. What a refusal or the job's status means for the exit code is the
/// <see cref="ExitCodeContract"/> the sequence was made with.
/// </summary>
public sealed class LaunchSequence
{
    private readonly Site _site;
    private readonly Dictionary<string, string> _extra;
    private bool _recorded;

    public LaunchSequence(Site site, Decision decision, string command, IReadOnlyDictionary<string, string> extra, ExitCodeContract codes)
    {
        _site = site;
        Decision = decision;
        Command = command;
        _extra = new Dictionary<string, string>(extra, StringComparer.Ordinal);
        Codes = codes;
    }

    public Decision Decision { get; }
    public string Command { get; }
    public ExitCodeContract Codes { get; }

    /// <summary>Adds a field to every record this sequence writes from now on (e.g. a batch stage's batch system).</summary>
    public void Note(string name, string value) => _extra[name] = value;

    /// <summary>
    /// Step 1: the decision's audit record, allowed or not, with its one write and fsync. Null when
    /// the record is on disk; for an allowed decision that could not be recorded,
    /// <c>audit.unavailable</c> (the stderr line is printed already), and nothing may run.
    /// </summary>
    public Refusal? RecordDecision()
    {
        if (_site.Record(Decision, Command, _extra))
        {
            _recorded = true;
            return null;
        }
        return Refusal.SiteError(Reasons.AuditUnavailable, "the decision could not be audited, so the job does not run; fix audit.file or syslog");
    }

    /// <summary>
    /// Step 3 for directories beyond the plan's (the executor's builds, cache and temp directories):
    /// each created as root, owned by the decision's account, never through a link. Null when all
    /// exist as the account's own now.
    /// </summary>
    public Refusal? CreateDirectories(IEnumerable<UserPath> directories)
    {
        var account = Decision.Account!;
        foreach (var dir in directories)
        {
            var made = UserDirectories.Ensure(dir, account.Uid, account.Gid);
            if (!made.Ok) return made.Refusal;
        }
        return null;
    }

    /// <summary>
    /// Steps 1 (when not done yet) to 5 for the plan (a plan that could not be made is a job that did not start). Blocks until the job ends. The
    /// job's end, with its end record written (<paramref name="report"/> adds to or overrides its
    /// fields, or makes it a refusal record, while the job's files still exist); or the refusal, recorded, of a job that did not
    /// start (<see cref="ExitCodeContract.NotStarted"/>). Nothing is printed.
    /// </summary>
    public Outcome<JobEnd> Launch(Outcome<LaunchPlan> planned, Func<JobEnd, EndReport?>? report = null)
    {
        if (!planned.Ok) return NotStarted(planned.Refusal);
        var plan = planned.Value;
        if (CallerGate.CheckAccount(_site.Config.Launch, Decision, out bool changeIdentity) is { } gate) return NotStarted(gate);
        if (!_recorded && RecordDecision() is { } unrecorded) return Codes.NotStarted(unrecorded);
        if (CreateDirectories(plan.Directories) is { } notMade) return NotStarted(notMade.In("launch.create_dirs"));

        var launched = JobLauncher.Run(plan with { ChangeIdentity = changeIdentity });
        if (!launched.Ok) return NotStarted(launched.Refusal);
        var end = launched.Value;

        var extra = new Dictionary<string, string>(_extra, StringComparer.Ordinal)
        {
            ["pid"] = end.Pid.ToString(CultureInfo.InvariantCulture),
            ["exit_status"] = end.ExitStatus.ToString(CultureInfo.InvariantCulture),
            ["cancelled"] = end.Cancelled ? "true" : "false",
            ["killed"] = end.Killed ? "true" : "false",
            ["containment"] = end.Containment,
            ["leftovers_killed"] = end.Leftovers.ToString(CultureInfo.InvariantCulture),
        };
        if (end.ContainmentNote.Length > 0) extra["containment_note"] = end.ContainmentNote;
        var described = report?.Invoke(end);
        if (described?.Fields is { } fields)
            foreach (var (name, value) in fields) extra[name] = value;
        var recorded = described?.Failure is { } failure ? Decision.Deny(failure) : Decision;
        // Not fsynced: it grants nothing, the job is over. It reaches the file (and any reader)
        // with its one write; only a machine crash within the writeback interval can lose it, and
        // then the log shows what a crash during the job shows, the durable decision record without
        // an end. Syncing it would only hold back the job's exit status (bench/launch/README.md).
        _site.Record(recorded, Command + ".exit", extra, durable: false);
        return Outcome.Of(end);
    }

    /// <summary>
    /// A refusal before or instead of the job: one stderr line with the reason code and the fix, an
    /// audit record (the decision denied), and the contract's code. For refusals found after
    /// <see cref="Launch"/> returned one, use <see cref="Fail"/>: it is recorded already.
    /// </summary>
    public int Refuse(Refusal refusal)
    {
        _site.Record(Decision.Deny(refusal), Command, _extra);
        return Fail(refusal);
    }

    /// <summary>One stderr line with the reason code and the fix; the contract's code. Records nothing.</summary>
    public int Fail(Refusal refusal) => Fail(Codes, refusal);

    /// <summary>One stderr line with the reason code and the fix; <paramref name="codes"/>' code for it.</summary>
    public static int Fail(ExitCodeContract codes, Refusal refusal)
    {
        Console.Error.WriteLine($"ci-launcher: {refusal}");
        return codes.For(refusal);
    }

    private Refusal NotStarted(Refusal refusal)
    {
        var counted = Codes.NotStarted(refusal);
        _site.Record(Decision.Deny(counted), Command, _extra);
        return counted;
    }

    /// <summary>What a caller adds to a job's end record: more fields, or the refusal the end amounts to.</summary>
    public sealed record EndReport(IReadOnlyDictionary<string, string>? Fields, Refusal? Failure = null);
}
