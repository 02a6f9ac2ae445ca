namespace Launcher.Testing;

/// <summary>
/// A scratch directory that ci-launcher's trusted-file rules accept when it runs as root: under
/// /run (root-owned, 0755), never under /tmp (world-writable, so rightly refused). Removed on dispose.
/// </summary>
public sealed class TrustedDir : IDisposable
{
    public TrustedDir()
    {
        string parent = RootFactAttribute.IsRoot() ? "/run" : System.IO.Path.GetTempPath();
        Path = System.IO.Path.Combine(parent, $"ci-launcher-test-{Guid.NewGuid():N}"[..30]);
        Directory.CreateDirectory(Path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute);
    }

    public string Path { get; }

    public string Write(string name, string content, UnixFileMode mode = (UnixFileMode)0b110_100_100)
    {
        string file = System.IO.Path.Combine(Path, name);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(file)!);
        File.WriteAllText(file, content);
        File.SetUnixFileMode(file, mode);
        return file;
    }

    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); }
        catch (IOException) { }
    }
}
