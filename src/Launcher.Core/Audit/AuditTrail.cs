using Launcher.Core.Authorization;

namespace Launcher.Core.Audit;

/// <summary>
/// Every sink gets every record. Reports failure instead of throwing so the caller can refuse
/// with audit.unavailable: a grant that leaves no trace must not happen.
/// </summary>
public sealed class AuditTrail(IReadOnlyList<IAuditSink> sinks)
{
    public IReadOnlyList<IAuditSink> Sinks => sinks;

    /// <summary>Null when every sink took the record; else the audit.unavailable site error naming what failed.</summary>
    public Refusal? Write(AuditRecord record)
    {
        // No destination at all (audit.file "" and audit.syslog false) is the same as none
        // working: a grant would leave no trace anywhere.
        if (sinks.Count == 0)
            return Unavailable("no audit destination is configured (audit.file is empty and audit.syslog is false); set audit.file or enable audit.syslog");
        var errors = new List<string>();
        foreach (var sink in sinks)
        {
            try
            {
                sink.Write(record);
            }
            catch (Exception e)
            {
                // Any failure of any sink (I/O, permissions, a socket error) means this record may
                // be missing where the site expects it; the other sinks are still written.
                errors.Add($"{e.Message} (fix audit.file, its directory or syslog)");
            }
        }
        return errors.Count == 0 ? null : Unavailable(string.Join("; ", errors));
    }

    private static Refusal Unavailable(string detail) => Refusal.SiteError(Reasons.AuditUnavailable, detail);

    /// <summary>
    /// The audit rule for commands that grant something (run, executor, PAM, token issue):
    /// records the decision and returns it; when an allow could not be recorded, returns it
    /// turned into an <see cref="Reasons.AuditUnavailable"/> site error naming what failed, and
    /// records that refusal wherever it still can (a sink that did get the allow line then also
    /// shows nothing was granted).
    /// </summary>
    public Decision RecordOrRefuse(Decision decision, Func<Decision, AuditRecord> toRecord)
    {
        if (Write(toRecord(decision)) is not { } failed || !decision.Allowed) return decision;
        var refused = decision.Deny(failed.In("the audit record could not be written, and nothing is granted without one"));
        Write(toRecord(refused));
        return refused;
    }
}
