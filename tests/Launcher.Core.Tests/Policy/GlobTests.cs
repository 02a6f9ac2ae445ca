using Launcher.Core.Policy;

namespace Launcher.Core.Tests.Policy;

public class GlobTests
{
    [Theory]
    [InlineData("hpc/*", "hpc/app", true)]
    [InlineData("hpc/*", "hpc/a/b", false)]
    [InlineData("hpc/*", "hpc-evil/x", false)]
    [InlineData("hpc/*", "hpc", false)]
    [InlineData("hpc/**", "hpc/a/b/c", true)]
    [InlineData("hpc/**", "hpc/app", true)]
    [InlineData("hpc/**", "hpc", false)]
    [InlineData("hpc/**", "hpc-evil/x", false)]
    [InlineData("**/tools", "a/b/tools", true)]
    [InlineData("**/tools", "a/b/tools2", false)]
    [InlineData("a/**/z", "a/b/c/z", true)]
    [InlineData("a/**/z", "a/z", false)]
    [InlineData("a/*/z", "a/b/c/z", false)]
    [InlineData("hpc-*", "hpc-prod", true)]
    [InlineData("hpc-*", "hpc-prod/x", false)]
    [InlineData("*-prod", "eu-prod", true)]
    [InlineData("release-*-final", "release-1.2-final", true)]
    [InlineData("exact", "exact", true)]
    [InlineData("exact", "exact2", false)]
    [InlineData("exact", "Exact", false)]
    [InlineData("a?c", "abc", false)]
    [InlineData("a?c", "a?c", true)]
    [InlineData("[ab]", "a", false)]
    public void Matches(string pattern, string value, bool expected)
    {
        var glob = Glob.Parse(pattern);
        Assert.True(glob.Ok, glob.ToString());
        Assert.True(expected == glob.Value.IsMatch(value), $"'{pattern}' vs '{value}': expected {expected}");
    }

    [Theory]
    [InlineData("")]
    [InlineData("***")]
    [InlineData("hpc/***")]
    [InlineData("hpc**")]
    [InlineData("**hpc")]
    [InlineData("a/**b/c")]
    [InlineData("tab\there")]
    public void Refuses(string pattern)
    {
        var glob = Glob.Parse(pattern);
        Assert.False(glob.Ok);
        Assert.False(string.IsNullOrEmpty(glob.Refusal.Detail));
    }

    [Theory]
    [InlineData("*", true)]
    [InlineData("**", true)]
    [InlineData("*/*", true)]
    [InlineData("hpc/*", false)]
    public void Knows_a_pattern_that_constrains_nothing(string pattern, bool wildcardOnly)
    {
        Assert.Equal(wildcardOnly, Glob.Parse(pattern).Value.IsWildcardOnly);
    }

    [Fact]
    public void Hostile_values_do_not_make_matching_slow()
    {
        // A path of 4000 "b/" segments against a pattern with several '**': a backtracking
        // matcher would take ~n^4 steps here.
        var glob = Glob.Parse("a/**/b/**/b/**/b/**/c").Value;
        string value = "a/" + string.Concat(Enumerable.Repeat("b/", 4000)) + "x";
        var watch = System.Diagnostics.Stopwatch.StartNew();
        Assert.False(glob.IsMatch(value));
        Assert.True(glob.IsMatch("a/1/b/2/b/3/b/4/c"));
        Assert.False(glob.IsMatch("a/b/b/b/c"));  // each "**" sits between two slashes: "a/**/z" needs a segment
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"took {watch.Elapsed}");
    }
}
