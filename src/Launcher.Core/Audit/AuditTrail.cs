namespace Launcher.Core.Audit;

/// <summary>
/// Every sink gets every record. Reports failure instead of throwing so the caller can refuse
/// with audit.unavailable: a grant that leaves no trace must not happen.
/// </summary>
public sealed class AuditTrail(IReadOnlyList<IAuditSink> sinks)
{
    public IReadOnlyList<IAuditSink> Sinks => sinks;

    public bool TryWrite(AuditRecord record, out string? error)
    {
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
        error = errors.Count == 0 ? null : string.Join("; ", errors);
        return errors.Count == 0;
    }
}
