using Launcher.Core.Executor;

namespace Launcher.Core.Tests.Executor;

public class JobPathTemplateTests
{
    private static readonly TemplateValues Alice = new("alice", 1001, 1001, JobId: 555, ProjectId: 4242, RunnerId: 17);

    [Theory]
    [InlineData("builds per runner", "/scratch/ci/{user}/builds/{runner_id}", "/scratch/ci/alice/builds/17")]
    [InlineData("uid and job", "/scratch/{uid}/tmp/{job_id}", "/scratch/1001/tmp/555")]
    [InlineData("value inside a segment", "/scratch/ci-{user}-{project_id}", "/scratch/ci-alice-4242")]
    [InlineData("gid", "/g/{gid}/{user}", "/g/1001/alice")]
    public void Expands_verified_values(string name, string source, string expected)
    {
        Assert.True(JobPathTemplate.TryParse(source, out var t, out string? error), $"{name}: {error}");
        Assert.Equal(expected, t!.Expand(Alice, out string? problem));
        Assert.Null(problem);
    }

    [Theory]
    [InlineData("relative", "scratch/{user}", "absolute")]
    [InlineData("unknown placeholder", "/scratch/{CI_PROJECT_PATH}", "placeholders are")]
    [InlineData("claim is not a placeholder", "/scratch/{user_login}", "placeholders are")]
    [InlineData("dot-dot segment", "/scratch/../{user}", "'..' segment")]
    [InlineData("empty segment", "/scratch//{user}", "empty segment")]
    [InlineData("trailing slash", "/scratch/{user}/", "ends with '/'")]
    [InlineData("unbalanced open", "/scratch/{user", "without a matching")]
    [InlineData("unbalanced close", "/scratch/user}", "without a matching")]
    [InlineData("root", "/", "root directory")]
    public void Refuses_bad_templates(string name, string source, string expected)
    {
        Assert.False(JobPathTemplate.TryParse(source, out _, out string? error), name);
        Assert.Contains(expected, error);
    }

    [Fact]
    public void A_missing_runner_id_is_named()
    {
        Assert.True(JobPathTemplate.TryParse("/scratch/{user}/{runner_id}", out var t, out _));
        Assert.Null(t!.Expand(Alice with { RunnerId = null }, out string? problem));
        Assert.Contains("{runner_id}", problem);
    }

    [Theory]
    [InlineData("dot-dot user", "..")]
    [InlineData("dot user", ".")]
    [InlineData("slash user", "a/b")]
    [InlineData("empty user", "")]
    public void An_unsafe_value_is_refused_after_expansion(string name, string user)
    {
        Assert.True(JobPathTemplate.TryParse("/scratch/{user}/builds", out var t, out _));
        Assert.Null(t!.Expand(Alice with { User = user }, out string? problem));
        Assert.False(string.IsNullOrEmpty(problem), name);
    }

    [Fact]
    public void Control_characters_in_a_value_are_refused()
    {
        Assert.True(JobPathTemplate.TryParse("/scratch/x{user}", out var t, out _));
        Assert.Null(t!.Expand(Alice with { User = "a\nb" }, out string? problem));
        Assert.Contains("control character", problem);
    }
}
