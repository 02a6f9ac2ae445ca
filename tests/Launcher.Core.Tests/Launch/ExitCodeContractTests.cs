using Launcher.Core.Authorization;
using Launcher.Core.Launch;

namespace Launcher.Core.Tests.Launch;

public class ExitCodeContractTests
{
    private static Func<string, string?> Environment(string? build, string? system) =>
        name => name switch { "BUILD_FAILURE_EXIT_CODE" => build, "SYSTEM_FAILURE_EXIT_CODE" => system, _ => null };

    private static ExitCodeContract ForExecutor(string? build, string? system) => ExitCodeContract.ForExecutor(Environment(build, system));

    [Fact]
    public void Uses_the_runners_values()
    {
        var c = ForExecutor("7", "9");
        Assert.Equal((7, 9), (c.BuildFailure, c.SystemFailure));
        Assert.Empty(c.Notes);
        Assert.Equal(7, c.For(RefusalKind.Denied));
        Assert.Equal(9, c.For(RefusalKind.SiteError));
        Assert.Equal(7, c.For(Refusal.Denied(Reasons.PolicyNoMatch, "x")));
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
        var c = ForExecutor(build, system);
        Assert.True((b, s) == (c.BuildFailure, c.SystemFailure), name);
        Assert.Equal(notes, c.Notes.Count);
    }

    [Theory]
    [InlineData("no runner", null, null, 125, 125)]
    [InlineData("runner's codes", "7", "9", 7, 9)]
    [InlineData("garbage ignored", "x", "0", 125, 125)]
    [InlineData("one set", null, "255", 125, 255)]
    public void Run_refuses_with_125_unless_the_runner_names_its_codes(string name, string? build, string? system, int b, int s)
    {
        var c = ExitCodeContract.ForRun(Environment(build, system));
        Assert.True((b, s) == (c.BuildFailure, c.SystemFailure), name);
        Assert.Empty(c.Notes);
    }

    [Fact]
    public void Run_passes_the_jobs_status_and_keeps_the_refusals_kind()
    {
        var run = ExitCodeContract.ForRun(Environment("7", "9"));
        Assert.Equal((0, 3, 255), (run.ForJob(0), run.ForJob(3), run.ForJob(255)));
        var denied = Refusal.Denied(Reasons.LaunchDownscopeMismatch, "x");
        Assert.Equal(RefusalKind.Denied, run.NotStarted(denied).Kind);
        Assert.Equal(7, run.For(run.NotStarted(denied)));
    }

    [Fact]
    public void A_stage_reports_a_failed_job_as_a_build_failure_and_a_job_that_did_not_start_as_a_system_failure()
    {
        var stage = ForExecutor("7", "9");
        Assert.Equal((0, 7, 7), (stage.ForJob(0), stage.ForJob(3), stage.ForJob(255)));
        var denied = Refusal.Denied(Reasons.LaunchDownscopeMismatch, "x");
        Assert.Equal(RefusalKind.SiteError, stage.NotStarted(denied).Kind);
        Assert.Equal(9, stage.For(stage.NotStarted(denied)));
    }
}
