namespace Launcher.Pam.Tests.Support;

/// <summary>/etc/pam.d/ci-launcher-test-XXXX stacking the module; the file is removed on dispose.</summary>
public sealed class PamService : IDisposable
{
    public PamService(string configPath)
    {
        Name = "ci-launcher-test-" + Guid.NewGuid().ToString("N")[..8];
        Path = System.IO.Path.Combine("/etc/pam.d", Name);
        File.WriteAllText(Path, $"""
            # written by Launcher.Pam.Tests; removed when the test ends
            auth     required {PamSite.Module} config={configPath}
            account  required {PamSite.Module} config={configPath}
            session  required pam_permit.so
            password required pam_deny.so

            """);
    }

    public string Name { get; }
    public string Path { get; }

    public void Dispose() => File.Delete(Path);
}
