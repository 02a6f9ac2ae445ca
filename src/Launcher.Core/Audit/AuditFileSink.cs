namespace Launcher.Core.Audit;

/// <summary>
/// JSON lines appended to audit.file: O_APPEND so concurrent writers never interleave inside a
/// line, created 0600, fsync per record so an allowed job is on disk before it starts.
/// </summary>
public sealed class AuditFileSink(string path) : IAuditSink
{
    public string Path => path;

    public void Write(AuditRecord record)
    {
        byte[] line = System.Text.Encoding.UTF8.GetBytes(record.ToJson() + "\n");
        var options = new FileStreamOptions
        {
            Mode = FileMode.Append,
            Access = FileAccess.Write,
            Share = FileShare.ReadWrite,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
            BufferSize = 0,
        };
        using var stream = new FileStream(path, options);
        stream.Write(line);
        stream.Flush(flushToDisk: true);
    }
}
