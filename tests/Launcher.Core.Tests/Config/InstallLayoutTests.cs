using Launcher.Core.Config;

namespace Launcher.Core.Tests.Config;

public class InstallLayoutTests
{
    [Theory]
    [InlineData("RPM location", "/usr/bin/ci-launcher", "/etc/ci-launcher/config.yaml")]
    [InlineData("sbin", "/usr/sbin/ci-launcher", "/etc/ci-launcher/config.yaml")]
    [InlineData("no usr merge", "/bin/ci-launcher", "/etc/ci-launcher/config.yaml")]
    [InlineData("/usr/local prefix", "/usr/local/bin/ci-launcher", "/usr/local/etc/ci-launcher/config.yaml")]
    [InlineData("relocated tree", "/opt/ci-launcher/bin/ci-launcher", "/opt/ci-launcher/etc/ci-launcher/config.yaml")]
    [InlineData("not in a bin directory", "/opt/ci-launcher/ci-launcher", "/etc/ci-launcher/config.yaml")]
    [InlineData("build output", "/home/dev/src/dist/ci-launcher", "/etc/ci-launcher/config.yaml")]
    [InlineData("replaced while running", "/opt/x/bin/ci-launcher (deleted)", "/opt/x/etc/ci-launcher/config.yaml")]
    [InlineData("RPM binary replaced while running", "/usr/bin/ci-launcher (deleted)", "/etc/ci-launcher/config.yaml")]
    [InlineData("relative", "bin/ci-launcher", "/etc/ci-launcher/config.yaml")]
    [InlineData("unknown", null, "/etc/ci-launcher/config.yaml")]
    public void Default_config_follows_the_installation_prefix(string name, string? executable, string expected)
    {
        Assert.NotNull(name);
        Assert.Equal(expected, InstallLayout.ConfigFor(executable));
    }

    [Theory]
    [InlineData("RPM location", "/usr/bin/ci-launcher", "/usr/libexec/ci-launcher/helper")]
    [InlineData("sbin", "/usr/sbin/ci-launcher", "/usr/libexec/ci-launcher/helper")]
    [InlineData("no usr merge", "/bin/ci-launcher", "/libexec/ci-launcher/helper")]
    [InlineData("relocated tree", "/opt/ci-launcher/bin/ci-launcher", "/opt/ci-launcher/libexec/ci-launcher/helper")]
    [InlineData("build output", "/home/dev/src/dist/ci-launcher", "/home/dev/src/dist/helper")]
    [InlineData("in /", "/ci-launcher", "/helper")]
    [InlineData("replaced while running", "/opt/x/bin/ci-launcher (deleted)", null)]
    [InlineData("relative", "bin/ci-launcher", null)]
    [InlineData("unknown", null, null)]
    public void Helpers_are_in_the_installation_libexec_or_beside_the_binary(string name, string? executable, string? expected)
    {
        Assert.NotNull(name);
        Assert.Equal(expected, InstallLayout.HelperFor(executable, "helper"));
    }
}
