using Launcher.Core.Authorization;

namespace Launcher.Core.Executor;

/// <summary>Whose problem a refusal is, in the runner's terms.</summary>
public enum StageFailure
{
    /// <summary>The job's author can fix it (token, id_tokens, policy, account, job binding): BUILD_FAILURE_EXIT_CODE.</summary>
    Build,
    /// <summary>The site must fix it (config, keys, NSS, audit, launch): SYSTEM_FAILURE_EXIT_CODE, which the runner may retry.</summary>
    System,
}

public static class StageFailures
{
    public static StageFailure Of(Decision decision) =>
        decision.Kind == DecisionKind.SiteError ? StageFailure.System : StageFailure.Build;

    public static int ExitCode(this ExitCodeContract codes, StageFailure failure) =>
        failure == StageFailure.Build ? codes.BuildFailure : codes.SystemFailure;
}
