using System.Text.Json;
using Launcher.Core.Authorization;
using Launcher.Core.Executor;

namespace Launcher.Core.Tests.Executor;

public class JobBindingTests
{
    private static readonly JobResponse Job = new(1001, 4242, 17);

    private static JsonElement Claims(string json) => JsonDocument.Parse(json).RootElement.Clone();

    [Theory]
    [InlineData("gitlab shape", """{"job_id": "1001", "project_id": "4242", "runner_id": 17}""")]
    [InlineData("numeric job id", """{"job_id": 1001}""")]
    [InlineData("no runner or project claims", """{"job_id": "1001"}""")]
    public void Binds_a_token_of_this_job(string name, string claims)
    {
        var refusal = JobBinding.Check(Claims(claims), Job);
        Assert.True(refusal is null, $"{name}: {refusal}");
    }

    [Theory]
    [InlineData("another job", """{"job_id": "1002", "project_id": "4242", "runner_id": 17}""", Reasons.ExecutorJobMismatch)]
    [InlineData("no job id", """{"project_id": "4242"}""", Reasons.ExecutorJobMismatch)]
    [InlineData("job id not a number", """{"job_id": "1001x"}""", Reasons.ExecutorJobMismatch)]
    [InlineData("another project", """{"job_id": "1001", "project_id": "4243"}""", Reasons.ExecutorProjectMismatch)]
    [InlineData("another runner", """{"job_id": "1001", "runner_id": 18}""", Reasons.ExecutorRunnerMismatch)]
    [InlineData("runner id garbage", """{"job_id": "1001", "runner_id": "x"}""", Reasons.ExecutorRunnerMismatch)]
    public void Refuses_a_token_of_another_job(string name, string claims, string reason)
    {
        var refusal = JobBinding.Check(Claims(claims), Job);
        Assert.True(refusal is not null, name);
        Assert.Equal(reason, refusal.Reason);
        Assert.Equal(RefusalKind.Denied, refusal.Kind);
    }

    [Fact]
    public void Absent_runner_and_project_in_the_job_response_are_not_compared()
    {
        var refusal = JobBinding.Check(Claims("""{"job_id": "1001", "project_id": "1", "runner_id": 2}"""), new JobResponse(1001, null, null));
        Assert.Null(refusal);
    }

    [Fact]
    public void The_runner_id_comes_from_the_job_response_first_then_the_token()
    {
        Assert.Equal(17, JobBinding.RunnerId(Claims("""{"runner_id": 17}"""), Job));
        Assert.Equal(9, JobBinding.RunnerId(Claims("""{"runner_id": 9}"""), new JobResponse(1, null, null)));
        Assert.Null(JobBinding.RunnerId(Claims("""{}"""), new JobResponse(1, null, null)));
    }
}
