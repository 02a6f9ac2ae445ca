using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Policy;

/// <summary>check-config looks at the audit file the way the audit writer will.</summary>
public class CheckConfigAuditTests
{
    [RootFact]
    public void Readable_audit_file_is_warned_about_and_a_symlink_refused()
    {
        using var site = new ConfigSite();
        var clean = Proc.Run(Dist.CiLauncher, ["check-config", "--config", site.ConfigPath]);
        Assert.True(clean.ExitCode == 0, clean.Stderr);
        Assert.DoesNotContain("audit.file", clean.Stderr);

        File.WriteAllText(site.AuditPath, "");
        File.SetUnixFileMode(site.AuditPath, (UnixFileMode)0b110_100_100);
        var wide = Proc.Run(Dist.CiLauncher, ["check-config", "--config", site.ConfigPath]);
        Assert.Equal(0, wide.ExitCode);
        Assert.Contains($"warning: audit.file {site.AuditPath} has mode 644", wide.Stderr);

        File.Delete(site.AuditPath);
        File.CreateSymbolicLink(site.AuditPath, site.Dir.Write("real.log", ""));
        var link = Proc.Run(Dist.CiLauncher, ["check-config", "--config", site.ConfigPath]);
        Assert.Equal(2, link.ExitCode);
        Assert.Contains("is a symlink", link.Stderr);
    }
}
