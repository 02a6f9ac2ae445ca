using Launcher.Core.Authorization;
using Launcher.Core.Executor;

namespace Launcher.Core.Tests.Executor;

public class ExitCodeContractTests
{
    private static ExitCodeContract From(string? build, string? system) =>
        ExitCodeContract.From(name => name switch { "BUILD_FAILURE_EXIT_CODE" => build, "SYSTEM_FAILURE_EXIT_CODE" => system, _ => null });

    [Fact]
    public void Uses_the_runners_values()
    {
        var c = From("7", "9");
        Assert.Equal((7, 9), (c.BuildFailure, c.SystemFailure));
        Assert.Empty(c.Notes);
        Assert.Equal(7, c.ExitCode(RefusalKind.Denied));
        Assert.Equal(9, c.ExitCode(RefusalKind.SiteError));
    }

    [Theory]
    [InlineData("both missing", null, null, 1, 2, 2)]
    [InlineData("build missing", null, "9", 1, 9, 1)]
    [InlineData("system garbage", "7", "x", 7, 2, 1)]
    [InlineData("zero is not a failure", "0", "9", 1, 9, 1)]
    [InlineData("out of range", "256", "-1", 1, 2, 2)]
    [InlineData("sign", "+3", "9", 1, 9, 1)]
    public void Falls_back_to_the_documented_defaults_and_says_so(string name, string? build, string? system, int b, int s, int notes)
    {
        var c = From(build, system);
        Assert.True((b, s) == (c.BuildFailure, c.SystemFailure), name);
        Assert.Equal(notes, c.Notes.Count);
    }
}
