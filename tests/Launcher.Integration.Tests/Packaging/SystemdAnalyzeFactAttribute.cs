namespace Launcher.Integration.Tests.Packaging;

/// <summary>A fact that needs systemd-analyze (Debian package 'systemd'). Skipped, with the reason printed, otherwise.</summary>
public sealed class SystemdAnalyzeFactAttribute : FactAttribute
{
    public SystemdAnalyzeFactAttribute()
    {
        if (Path is null)
            Skip = "systemd-analyze is not installed (Debian package 'systemd'); the unit files were not verified";
    }

    public static string? Path { get; } = new[] { "/usr/bin/systemd-analyze", "/bin/systemd-analyze" }.FirstOrDefault(File.Exists);
}
