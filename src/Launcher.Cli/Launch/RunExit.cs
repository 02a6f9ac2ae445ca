using System.Globalization;
using Launcher.Core.Authorization;

namespace Launcher.Cli.Launch;

/// <summary>
/// Exit codes of <c>ci-launcher run</c> when no job ran. The job's own status is passed through
/// otherwise, so a refusal needs a code a job rarely uses: 125, as env(1) and timeout(1) use it.
/// Under GitLab's custom executor the runner names its own codes, and those win: a denial is the
/// job's problem (BUILD_FAILURE_EXIT_CODE), anything else the system's (SYSTEM_FAILURE_EXIT_CODE).
/// </summary>
public static class RunExit
{
    public const int Refused = 125;

    public static int For(RefusalKind kind) =>
        FromEnvironment(kind == RefusalKind.Denied ? "BUILD_FAILURE_EXIT_CODE" : "SYSTEM_FAILURE_EXIT_CODE") ?? Refused;

    private static int? FromEnvironment(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out int code) && code is > 0 and < 256
            ? code
            : null;
}
