using System.Globalization;
using Launcher.Core.Authorization;

namespace Launcher.Core.Launch;

/// <summary>
/// The one exit-code contract for a job that did not run: a refusal maps to the code for whose
/// problem it is. BUILD_FAILURE_EXIT_CODE for what the job's author can fix (token, id_tokens,
/// policy, account, job binding), SYSTEM_FAILURE_EXIT_CODE for what the site must fix (config,
/// keys, NSS, audit, launch), which a runner may retry. GitLab's custom executor sets both and
/// asks drivers to use them, never hard-coded values; only the fallbacks differ by command.
/// </summary>
public sealed record ExitCodeContract(int BuildFailure, int SystemFailure, IReadOnlyList<string> Notes)
{
    /// <summary>
    /// The executor's rule: a stage whose job did not start after an allowed decision failed for the
    /// runner's system, whoever's problem the refusal names (the script is the runner's own copy).
    /// <c>run</c> keeps the refusal's kind: a script its caller named can be the caller's mistake.
    /// </summary>
    public bool StartFailuresAreTheSites { get; init; }

    /// <summary><c>run</c> exits with its job's status; a runner stage turns a non-zero status into BUILD_FAILURE_EXIT_CODE.</summary>
    public bool PassesJobStatus { get; init; }

    /// <summary><c>run</c>'s code when no job ran and the runner named none: a code a job rarely uses, as env(1) and timeout(1) use it.</summary>
    public const int Refused = 125;

    /// <summary>The executor's documented fallbacks, when the runner's variable is missing.</summary>
    public const int DefaultBuildFailure = 1;
    public const int DefaultSystemFailure = 2;

    /// <summary>
    /// <c>ci-launcher run</c>: the job's own status passes through, so a refusal is 125 unless the
    /// environment names the runner's codes. Missing variables are normal here: no notes.
    /// </summary>
    public static ExitCodeContract ForRun(Func<string, string?> environment) =>
        new(Read(environment, "BUILD_FAILURE_EXIT_CODE", Refused, notes: null),
            Read(environment, "SYSTEM_FAILURE_EXIT_CODE", Refused, notes: null), []) { PassesJobStatus = true };

    /// <summary>
    /// An executor stage: gitlab-runner always sets both variables, so a missing or invalid one is
    /// noted (printed once by the stage) and the documented fallback 1 or 2 applies.
    /// </summary>
    public static ExitCodeContract ForExecutor(Func<string, string?> environment)
    {
        var notes = new List<string>();
        int build = Read(environment, "BUILD_FAILURE_EXIT_CODE", DefaultBuildFailure, notes);
        int system = Read(environment, "SYSTEM_FAILURE_EXIT_CODE", DefaultSystemFailure, notes);
        return new ExitCodeContract(build, system, notes) { StartFailuresAreTheSites = true };
    }

    /// <summary>The code for a refusal of <paramref name="kind"/>: denied is the job's problem, a site error the site's.</summary>
    public int For(RefusalKind kind) => kind == RefusalKind.Denied ? BuildFailure : SystemFailure;

    public int For(Refusal refusal) => For(refusal.Kind);

    /// <summary>A refusal of a job that did not start, as this contract counts it (<see cref="StartFailuresAreTheSites"/>).</summary>
    public Refusal NotStarted(Refusal refusal) => StartFailuresAreTheSites ? refusal with { Kind = RefusalKind.SiteError } : refusal;

    /// <summary>
    /// The code for a job that ran and exited with <paramref name="exitStatus"/>: <c>run</c> passes it
    /// through; a runner stage reports 0 or BUILD_FAILURE_EXIT_CODE (the status itself goes to BUILD_EXIT_CODE_FILE).
    /// </summary>
    public int ForJob(int exitStatus) => exitStatus == 0 || PassesJobStatus ? exitStatus : BuildFailure;

    private static int Read(Func<string, string?> environment, string name, int fallback, List<string>? notes)
    {
        string? text = environment(name);
        if (text is null)
        {
            notes?.Add($"{name} is not set; using {fallback} (is this stage started by gitlab-runner's custom executor?)");
            return fallback;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < 1 || value > 255)
        {
            notes?.Add($"{name} is '{text}', not an exit code from 1 to 255; using {fallback}");
            return fallback;
        }
        return value;
    }
}
