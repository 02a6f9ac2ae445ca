using System.Text;

namespace Launcher.Cli;

/// <summary>
/// Console output that may fail without ending the process. A set-id process whose caller
/// closed fds 0-2 has read-only /dev/null there (glibc), and a caller may as well hand it
/// /dev/full or a directory: every write then throws, and a refusal printed from the last-chance
/// handler threw again, which aborted the launcher (SIGABRT, or a stack trace on the other
/// stream) halfway through a command. A line that cannot be written is lost instead; the audit
/// record, not the caller's terminal, is what must be whole.
/// </summary>
public sealed class LossyWriter(TextWriter inner) : TextWriter
{
    public override Encoding Encoding => inner.Encoding;

    public override void Write(char value)
    {
        try { inner.Write(value); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    public override void Write(string? value)
    {
        try { inner.Write(value); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    public override void Write(char[] buffer, int index, int count)
    {
        try { inner.Write(buffer, index, count); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    /// <summary>Passed on whole, so a line stays one write(2) of the console's auto-flushing writer.</summary>
    public override void WriteLine(string? value)
    {
        try { inner.WriteLine(value); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }

    public override void Flush()
    {
        try { inner.Flush(); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
    }
}
