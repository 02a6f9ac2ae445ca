namespace Launcher.Core.Audit;

public interface IAuditSink
{
    /// <summary>Writes the record durably or throws <see cref="IOException"/>; callers refuse privileged actions on failure.</summary>
    void Write(AuditRecord record);
}
