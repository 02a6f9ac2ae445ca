using System.Text.Json;
using Launcher.Core.Authorization;

namespace Launcher.Core.Executor;

/// <summary>The outcome of <see cref="JobBinding.Check"/>: ok, or a denial with a reason code.</summary>
public sealed record BindingResult(bool Ok, string Reason, string Detail);

/// <summary>
/// Ties a verified token to the job the runner is running. CUSTOM_ENV_* can be set by the job's
/// author, so without this any valid token of another job (say, a maintainer's, copied from a
/// log) would run this job as its user. The runner's job response is the only trusted side.
/// </summary>
public static class JobBinding
{
    public static BindingResult Check(JsonElement claims, JobResponse job)
    {
        if (!claims.TryGetProperty("job_id", out var tokenJob))
            return new BindingResult(false, Reasons.ExecutorJobMismatch, $"the token has no job_id claim, so it cannot be tied to job {job.JobId}; use a GitLab CI ID token (id_tokens:)");
        if (!JobResponse.TryId(tokenJob, out long tokenJobId) || tokenJobId != job.JobId)
            return new BindingResult(false, Reasons.ExecutorJobMismatch, $"the token belongs to job {Text(tokenJob)}, but this is job {job.JobId}; a token is only valid for the job it was issued to");

        if (job.ProjectId is { } projectId && claims.TryGetProperty("project_id", out var tokenProject)
            && (!JobResponse.TryId(tokenProject, out long p) || p != projectId))
            return new BindingResult(false, Reasons.ExecutorProjectMismatch, $"the token is for project {Text(tokenProject)}, but the runner's job is in project {projectId}");

        if (job.RunnerId is { } runnerId && claims.TryGetProperty("runner_id", out var tokenRunner)
            && (!JobResponse.TryId(tokenRunner, out long r) || r != runnerId))
            return new BindingResult(false, Reasons.ExecutorRunnerMismatch, $"the token was issued for runner {Text(tokenRunner)}, but this is runner {runnerId}");

        return new BindingResult(true, Reasons.Ok, $"token bound to job {job.JobId}");
    }

    /// <summary>The runner id both sides agree on: the job response's, else the token's.</summary>
    public static long? RunnerId(JsonElement claims, JobResponse job) =>
        job.RunnerId ?? (claims.TryGetProperty("runner_id", out var r) && JobResponse.TryId(r, out long id) ? id : null);

    private static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? $"'{e.GetString()}'" : e.GetRawText();
}
