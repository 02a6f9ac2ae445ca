using System.Text.Json;
using Launcher.Core.Authorization;

namespace Launcher.Core.Executor;

/// <summary>
/// Ties a verified token to the job the runner is running. CUSTOM_ENV_* can be set by the job's
/// author, so without this any valid token of another job (say, a maintainer's, copied from a
/// log) would run this job as its user. The runner's job response is the only trusted side.
/// </summary>
public static class JobBinding
{
    /// <summary>Null when the token belongs to the runner's job; else the denial.</summary>
    public static Refusal? Check(JsonElement claims, JobResponse job)
    {
        if (!claims.TryGetProperty("job_id", out var tokenJob))
            return Refusal.Denied(Reasons.ExecutorJobMismatch, $"the token has no job_id claim, so it cannot be tied to job {job.JobId}; use a GitLab CI ID token (id_tokens:)");
        if (!JobResponse.TryId(tokenJob, out long tokenJobId) || tokenJobId != job.JobId)
            return Refusal.Denied(Reasons.ExecutorJobMismatch, $"the token belongs to job {Text(tokenJob)}, but this is job {job.JobId}; a token is only valid for the job it was issued to");

        if (job.ProjectId is { } projectId && claims.TryGetProperty("project_id", out var tokenProject)
            && (!JobResponse.TryId(tokenProject, out long p) || p != projectId))
            return Refusal.Denied(Reasons.ExecutorProjectMismatch, $"the token is for project {Text(tokenProject)}, but the runner's job is in project {projectId}");

        if (job.RunnerId is { } runnerId && claims.TryGetProperty("runner_id", out var tokenRunner)
            && (!JobResponse.TryId(tokenRunner, out long r) || r != runnerId))
            return Refusal.Denied(Reasons.ExecutorRunnerMismatch, $"the token was issued for runner {Text(tokenRunner)}, but this is runner {runnerId}");

        return null;
    }

    /// <summary>The runner id both sides agree on: the job response's, else the token's.</summary>
    public static long? RunnerId(JsonElement claims, JobResponse job) =>
        job.RunnerId ?? (claims.TryGetProperty("runner_id", out var r) && JobResponse.TryId(r, out long id) ? id : null);

    private static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? $"'{e.GetString()}'" : e.GetRawText();
}
