using System.Globalization;

namespace Launcher.Core.Executor;

/// <summary>
/// The runner's exit-code contract for one stage: BUILD_FAILURE_EXIT_CODE for what the job's
/// author can fix, SYSTEM_FAILURE_EXIT_CODE for site trouble. GitLab asks drivers to use the
/// variables, never hard-coded values; the documented fallbacks apply only when one is missing.
/// </summary>
public sealed record ExitCodeContract(int BuildFailure, int SystemFailure, IReadOnlyList<string> Notes)
{
    public const int DefaultBuildFailure = 1;
    public const int DefaultSystemFailure = 2;

    public static ExitCodeContract From(Func<string, string?> environment)
    {
        var notes = new List<string>();
        int build = Read(environment, "BUILD_FAILURE_EXIT_CODE", DefaultBuildFailure, notes);
        int system = Read(environment, "SYSTEM_FAILURE_EXIT_CODE", DefaultSystemFailure, notes);
        return new ExitCodeContract(build, system, notes);
    }

    private static int Read(Func<string, string?> environment, string name, int fallback, List<string> notes)
    {
        string? text = environment(name);
        if (text is null)
        {
            notes.Add($"{name} is not set; using {fallback} (is this stage started by gitlab-runner's custom executor?)");
            return fallback;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int value) || value < 1 || value > 255)
        {
            notes.Add($"{name} is '{text}', not an exit code from 1 to 255; using {fallback}");
            return fallback;
        }
        return value;
    }
}
