using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests;

/// <summary>The published AOT binary, end to end: exit codes and one-line errors of the command contract.</summary>
public class CliTests
{
    [Fact]
    public void Version_prints_the_version()
    {
        var r = Proc.Run(Dist.CiLauncher, ["--version"]);
        Assert.Equal(0, r.ExitCode);
        Assert.StartsWith("ci-launcher ", r.Stdout);
    }

    [Theory]
    [InlineData("no-such-command")]
    [InlineData("validate --no-such-flag")]
    [InlineData("validate --config")]
    public void Usage_errors_exit_2_with_one_line(string argv)
    {
        var r = Proc.Run(Dist.CiLauncher, argv.Split(' '));
        Assert.Equal(2, r.ExitCode);
        Assert.Single(r.Stderr.Trim().Split('\n'));
        Assert.Equal("", r.Stdout);
    }

    [Fact]
    public void Validate_allows_an_existing_account_and_denies_a_missing_one()
    {
        using var site = new ConfigSite();
        // 'nobody' exists everywhere but is below min_uid... use an account that cannot exist to see not_found.
        var missing = Proc.Run(Dist.CiLauncher, ["validate", "--config", site.ConfigPath, "--token-file", site.TokenFile("no-such-user-xyz")]);
        Assert.Equal(1, missing.ExitCode);
        Assert.Contains("account.not_found", missing.Stderr);

        var root = Proc.Run(Dist.CiLauncher, ["validate", "--config", site.ConfigPath, "--token-file", "-", "--json"], stdin: site.Token("root"));
        Assert.Equal(1, root.ExitCode);
        Assert.Contains("\"allowed\": false", root.Stdout);
    }

    [Fact]
    public void Missing_config_is_a_configuration_error()
    {
        var r = Proc.Run(Dist.CiLauncher, ["validate", "--config", "/nonexistent/config.yaml", "--token-file", "-"], stdin: "x");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("/nonexistent/config.yaml does not exist", r.Stderr);
    }
}
