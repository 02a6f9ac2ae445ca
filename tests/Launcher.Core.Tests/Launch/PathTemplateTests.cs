using Launcher.Core.Accounts;
using Launcher.Core.Launch;

namespace Launcher.Core.Tests.Launch;

public class PathTemplateTests
{
    private static readonly Account Alice = new("alice", 1500, 1600, "/home/alice/", "/bin/bash", []);

    [Theory]
    [InlineData("{home}", "/home/alice")]
    [InlineData("/scratch/ci/{user}", "/scratch/ci/alice")]
    [InlineData("/scratch/{uid}/{gid}", "/scratch/1500/1600")]
    [InlineData("{home}/.ci/builds", "/home/alice/.ci/builds")]
    public void Expands(string template, string expected)
    {
        Assert.True(PathTemplate.TryParse(template, out var t, out string? problem), problem);
        Assert.Equal(expected, t!.Expand(Alice, out _));
    }

    [Fact]
    public void A_home_directory_that_is_not_absolute_does_not_expand()
    {
        Assert.True(PathTemplate.TryParse("{home}/ci", out var t, out _));
        Assert.Null(t!.Expand(Alice with { Home = "relative" }, out string? problem));
        Assert.Contains("not a clean absolute path", problem);
        Assert.Null(t.Expand(Alice with { Home = "/home/../etc" }, out _));
    }

    [Theory]
    [InlineData("/scratch/{user")]
    [InlineData("/scratch/user}")]
    [InlineData("/scratch/{name}")]
    [InlineData("scratch/{user}")]
    [InlineData("/scratch//{user}")]
    [InlineData("/scratch/./{user}")]
    public void Refuses(string template) => Assert.False(PathTemplate.TryParse(template, out _, out _));
}
