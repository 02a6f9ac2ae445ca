using System.Globalization;

namespace Launcher.Core.Executor;

/// <summary>
/// The values of <see cref="Templates.Placeholders.Job"/>, the executor's directory templates,
/// each from a verified source: the mapped account (getpwnam_r after the policy), the verified
/// token and the runner's JOB_RESPONSE_FILE.
/// Never a <c>CUSTOM_ENV_*</c> value: the job author can set those.
/// </summary>
public sealed record TemplateValues(string User, uint Uid, uint Gid, long JobId, long? ProjectId, long? RunnerId)
{
    /// <summary>The text of <paramref name="name"/>, or null when the job does not have that value.</summary>
    public string? Get(string name) => name switch
    {
        "user" => User,
        "uid" => Uid.ToString(CultureInfo.InvariantCulture),
        "gid" => Gid.ToString(CultureInfo.InvariantCulture),
        "job_id" => JobId.ToString(CultureInfo.InvariantCulture),
        "project_id" => ProjectId?.ToString(CultureInfo.InvariantCulture),
        "runner_id" => RunnerId?.ToString(CultureInfo.InvariantCulture),
        _ => null,
    };
}
