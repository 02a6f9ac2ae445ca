namespace Launcher.Cli.Commands.Executor.Batch;

/// <summary>
/// Copies what the batch job appends to its output file to the stage's standard output (the
/// runner's job log), in order, from where it left off. The file appears when the job starts;
/// until then there is nothing to copy.
/// </summary>
public sealed class OutputPump(string path) : IDisposable
{
    private readonly byte[] _buffer = new byte[64 << 10];
    private readonly Stream _stdout = Console.OpenStandardOutput();
    private FileStream? _file;

    /// <summary>Copies everything there is now; returns how many bytes.</summary>
    public long Pump()
    {
        if (_file is null)
        {
            try { _file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 1); }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException) { return 0; }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"ci-launcher: warning: cannot read the job's output {path}: {e.Message}");
                return 0;
            }
        }
        long copied = 0;
        int n;
        while ((n = _file.Read(_buffer, 0, _buffer.Length)) > 0)
        {
            Write(_buffer.AsSpan(0, n));
            copied += n;
        }
        if (copied > 0) Flush();
        return copied;
    }

    /// <summary>After the job ended: copy until the file stops growing (a shared file system may show the tail late).</summary>
    public void Drain(TimeSpan settle)
    {
        Pump();
        var quiet = System.Diagnostics.Stopwatch.StartNew();
        while (quiet.Elapsed < settle)
        {
            Thread.Sleep(20);
            if (Pump() > 0) quiet.Restart();
        }
    }

    public void Line(string text)
    {
        Write(System.Text.Encoding.UTF8.GetBytes(text + "\n"));
        Flush();
    }

    // The runner may be gone (cancel); losing the log then must not end the monitor before it cancels the job.
    private void Write(ReadOnlySpan<byte> bytes)
    {
        try { _stdout.Write(bytes); }
        catch (IOException) { }
    }

    private void Flush()
    {
        try { _stdout.Flush(); }
        catch (IOException) { }
    }

    public void Dispose()
    {
        _file?.Dispose();
        _stdout.Dispose();
    }
}
