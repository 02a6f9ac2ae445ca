using Launcher.Core.Authorization;

namespace Launcher.Core.Executor;

public static class StageFailures
{
    /// <summary>
    /// The runner's code for a refusal: what the job's author can fix (token, id_tokens, policy,
    /// account, job binding) is BUILD_FAILURE_EXIT_CODE; what the site must fix (config, keys, NSS,
    /// audit, launch) is SYSTEM_FAILURE_EXIT_CODE, which the runner may retry.
    /// </summary>
    public static int ExitCode(this ExitCodeContract codes, RefusalKind kind) =>
        kind == RefusalKind.Denied ? codes.BuildFailure : codes.SystemFailure;

    public static int ExitCode(this ExitCodeContract codes, Refusal refusal) => codes.ExitCode(refusal.Kind);
}
