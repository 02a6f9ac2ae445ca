using Launcher.Core.Executor;

namespace Launcher.Core.Tests.Executor;

public class StageNameTests
{
    [Theory]
    [InlineData("prepare_executor")]
    [InlineData("prepare_script")]
    [InlineData("get_sources")]
    [InlineData("restore_cache")]
    [InlineData("download_artifacts")]
    [InlineData("step_script")]
    [InlineData("step_release")]
    [InlineData("build_script")]
    [InlineData("after_script")]
    [InlineData("archive_cache")]
    [InlineData("archive_cache_on_failure")]
    [InlineData("upload_artifacts_on_success")]
    [InlineData("upload_artifacts_on_failure")]
    [InlineData("cleanup_file_variables")]
    [InlineData("some_future_stage-v2.1")]
    public void Accepts_every_documented_and_future_stage(string name) => Assert.Null(StageName.Check(name));

    [Theory]
    [InlineData("", "empty")]
    [InlineData("../etc", "'.'")]
    [InlineData("step/../../x", "path character '/'")]
    [InlineData("a\\b", "path character")]
    [InlineData(".hidden", "'.'")]
    [InlineData("..", "'.'")]
    [InlineData("a b", "U+0020")]
    [InlineData("a\nb", "U+000A")]
    public void Refuses_names_that_are_not_plain_file_names(string name, string expected) =>
        Assert.Contains(expected, StageName.Check(name)?.Detail);

    [Fact]
    public void Refuses_overlong_names() => Assert.NotNull(StageName.Check(new string('a', StageName.MaxLength + 1)));
}
