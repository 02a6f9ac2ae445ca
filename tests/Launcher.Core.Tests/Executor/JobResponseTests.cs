using System.Text;
using Launcher.Core.Authorization;
using Launcher.Core.Executor;

namespace Launcher.Core.Tests.Executor;

public class JobResponseTests
{
    private static Outcome<JobResponse> Parse(string json) => JobResponse.Parse(Encoding.UTF8.GetBytes(json));

    [Fact]
    public void Reads_id_project_and_runner_like_gitlab_runner_writes_them()
    {
        var job = Parse("""
            {"id": 1001, "token": "glcbt-xyz", "allow_git_fetch": true,
             "job_info": {"name": "build", "stage": "test", "project_id": 4242, "project_name": "solver"},
             "runner_info": {"timeout": 3600},
             "variables": [{"key": "CI_JOB_ID", "value": "1001", "public": true, "masked": false},
                           {"key": "CI_RUNNER_ID", "value": "17", "public": true, "masked": false}]}
            """);
        Assert.True(job.Ok, job.ToString());
        Assert.Equal(new JobResponse(1001, 4242, 17), job.Value);
    }

    [Fact]
    public void Project_and_runner_are_optional()
    {
        Assert.Equal(new JobResponse(5, null, null), Parse("""{"id": 5}""").Value);
    }

    [Theory]
    [InlineData("not json", "nope", "not valid JSON")]
    [InlineData("array", "[1]", "not a JSON object")]
    [InlineData("no id", """{"token": "x"}""", "'id'")]
    [InlineData("zero id", """{"id": 0}""", "'id'")]
    [InlineData("negative id", """{"id": -4}""", "'id'")]
    [InlineData("fractional id", """{"id": 1.5}""", "'id'")]
    [InlineData("bad project", """{"id": 1, "job_info": {"project_id": "x"}}""", "project_id")]
    [InlineData("bad runner", """{"id": 1, "variables": [{"key": "CI_RUNNER_ID", "value": "17a"}]}""", "CI_RUNNER_ID")]
    [InlineData("two runner ids", """{"id": 1, "variables": [{"key": "CI_RUNNER_ID", "value": "17"}, {"key": "CI_RUNNER_ID", "value": "18"}]}""", "two different")]
    public void Refuses_what_it_cannot_trust(string name, string json, string expected)
    {
        var job = Parse(json);
        Assert.False(job.Ok, name);
        Assert.True(job.Refusal.Detail.Contains(expected, StringComparison.Ordinal), $"{name}: {job}");
    }

    [Fact]
    public void The_same_runner_id_twice_is_fine()
    {
        var job = Parse("""{"id": 1, "variables": [{"key": "CI_RUNNER_ID", "value": "17"}, {"key": "CI_RUNNER_ID", "value": "17"}]}""").Value;
        Assert.Equal(17, job.RunnerId);
    }
}
