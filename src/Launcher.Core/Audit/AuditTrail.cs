namespace Launcher.Core.Audit;

/// <summary>Every sink gets every record. Reports failure instead of throwing so the caller can refuse with audit.unavailable.</summary>
public sealed class AuditTrail(IReadOnlyList<IAuditSink> sinks)
{
    public bool TryWrite(AuditRecord record, out string? error)
    {
        error = null;
        foreach (var sink in sinks)
        {
            try
            {
                sink.Write(record);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error = sink is AuditFileSink f ? $"cannot write audit file {f.Path}: {e.Message} (fix audit.file or its directory)" : e.Message;
            }
        }
        return error is null;
    }
}
