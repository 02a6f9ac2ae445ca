using System.Globalization;
using System.Text.Json;
using Launcher.Core.Authorization;

namespace Launcher.Core.Executor;

/// <summary>
/// What ci-launcher takes from the runner's JOB_RESPONSE_FILE (gitlab-runner's <c>JobResponse</c>:
/// <c>id</c>, <c>job_info.project_id</c>, <c>variables[].key/value</c>). The runner writes this
/// file from GitLab's answer, so unlike <c>CUSTOM_ENV_*</c> the job's author cannot change it.
/// </summary>
public sealed record JobResponse(long JobId, long? ProjectId, long? RunnerId)
{
    /// <summary>The runner's job responses carry every variable and dependency; 16 MiB is far above any real one.</summary>
    public const int MaxBytes = 16 << 20;

    /// <summary>The runner's job, or what is wrong with the file (for the caller to label).</summary>
    public static Outcome<JobResponse> Parse(ReadOnlyMemory<byte> json)
    {
        try
        {
            using var doc = JsonDocument.Parse(json, new JsonDocumentOptions { MaxDepth = 64 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object) return Refusal.Unlabelled("is not a JSON object");
            if (!root.TryGetProperty("id", out var idElement) || !TryId(idElement, out long jobId))
                return Refusal.Unlabelled("has no positive integer 'id' (the job id)");
            long? projectId = null;
            if (root.TryGetProperty("job_info", out var info) && info.ValueKind == JsonValueKind.Object
                && info.TryGetProperty("project_id", out var projectElement))
            {
                if (!TryId(projectElement, out long p)) return Refusal.Unlabelled("has a 'job_info.project_id' that is not a positive integer");
                projectId = p;
            }
            long? runnerId = null;
            if (root.TryGetProperty("variables", out var variables) && variables.ValueKind == JsonValueKind.Array)
            {
                foreach (var v in variables.EnumerateArray())
                {
                    if (v.ValueKind != JsonValueKind.Object || !v.TryGetProperty("key", out var key) || key.ValueKind != JsonValueKind.String
                        || key.GetString() != "CI_RUNNER_ID")
                        continue;
                    // A job's own variables are listed beside the predefined ones; two different
                    // CI_RUNNER_ID entries mean someone defined one, and neither can be believed.
                    if (!v.TryGetProperty("value", out var value) || !TryId(value, out long r))
                        return Refusal.Unlabelled("has a CI_RUNNER_ID variable that is not a positive integer");
                    if (runnerId is { } seen && seen != r)
                        return Refusal.Unlabelled($"has two different CI_RUNNER_ID variables ({seen} and {r})");
                    runnerId = r;
                }
            }
            return Outcome.Of(new JobResponse(jobId, projectId, runnerId));
        }
        catch (JsonException e)
        {
            return Refusal.Unlabelled($"is not valid JSON ({e.Message})");
        }
    }

    /// <summary>GitLab writes ids as JSON numbers; variable values are strings of digits.</summary>
    internal static bool TryId(JsonElement e, out long id)
    {
        id = 0;
        if (e.ValueKind == JsonValueKind.Number) return e.TryGetInt64(out id) && id > 0;
        if (e.ValueKind == JsonValueKind.String)
        {
            string s = e.GetString()!;
            return s.Length is > 0 and <= 19 && s.All(char.IsAsciiDigit)
                && long.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out id) && id > 0;
        }
        return false;
    }
}
