using Launcher.Core.Paths;

namespace Launcher.Core.Tests.Templates;

public class CleanPathTests
{
    [Theory]
    [InlineData("root", "/", null)]
    [InlineData("plain", "/usr/bin/bash", null)]
    [InlineData("dots inside a name", "/a/..b/c.", null)]
    [InlineData("relative", "usr/bin", "is not absolute")]
    [InlineData("empty", "", "is not absolute")]
    [InlineData("double slash", "/usr//bin", "has an empty component ('//')")]
    [InlineData("trailing slash", "/usr/bin/", "ends with '/'")]
    [InlineData("dot", "/usr/./bin", "has a '.' component")]
    [InlineData("dot-dot", "/usr/../etc", "has a '..' component")]
    [InlineData("dot-dot at the end", "/usr/..", "has a '..' component")]
    [InlineData("NUL", "/usr/b\0in", "contains a control character")]
    [InlineData("newline", "/usr/b\nin", "contains a control character")]
    public void One_rule_for_every_path_root_uses(string name, string path, string? problem)
    {
        var refusal = CleanPath.Check(path);
        Assert.True(problem == refusal?.Detail, $"{name}: expected {problem ?? "clean"}, got {refusal?.Detail ?? "clean"}");
        Assert.Equal(problem is null, CleanPath.IsClean(path));
    }

    [Theory]
    [InlineData("/", new string[0])]
    [InlineData("/a", new[] { "a" })]
    [InlineData("/a/b/c", new[] { "a", "b", "c" })]
    public void Components_are_the_names_below_the_root(string path, string[] components) =>
        Assert.Equal(components, CleanPath.Components(path));
}
