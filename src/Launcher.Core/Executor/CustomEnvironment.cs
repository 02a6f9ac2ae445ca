using Launcher.Core.Launch;
using Launcher.Core.Policy;
using Launcher.Core.Authorization;

namespace Launcher.Core.Executor;

/// <summary>
/// The <c>CUSTOM_ENV_*</c> variables that reach the job: only names on <c>executor.env_allowlist</c>,
/// with the prefix removed. Names that steer the loader, the shell or ci-launcher itself, and the
/// token variables, never pass, whatever the allowlist says.
/// </summary>
public static class CustomEnvironment
{
    public const string Prefix = "CUSTOM_ENV_";

    /// <summary>Beyond launch's list (EnvironmentNames): what the executor sets itself, and token variables under any name.</summary>
    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "TMPDIR", "CI_JOB_JWT", "CI_JOB_JWT_V1", "CI_JOB_JWT_V2",
    };

    private static readonly string[] ReservedPrefixes = ["SSL_", "CI_LAUNCHER_"];

    /// <summary>Null when <paramref name="name"/> may be passed to a job, else why not (for the caller to label).</summary>
    public static Refusal? CheckName(string name, IReadOnlySet<string> tokenVariables)
    {
        if (!EnvironmentNames.IsValidName(name)) return Refusal.Unlabelled("is not a plain variable name");
        if (tokenVariables.Contains(name)) return Refusal.Unlabelled("carries an ID token");
        if (EnvironmentNames.SetByLauncher.Contains(name) || Reserved.Contains(name))
            return Refusal.Unlabelled("is reserved (the launch sequence or the executor sets it)");
        if (EnvironmentNames.IsDangerous(name)) return Refusal.Unlabelled("is reserved (it changes what the shell or the loader does before the job starts)");
        foreach (var p in ReservedPrefixes)
            if (name.StartsWith(p, StringComparison.Ordinal)) return Refusal.Unlabelled($"starts with the reserved prefix {p}");
        return null;
    }

    public static SortedDictionary<string, string> Select(IEnumerable<KeyValuePair<string, string>> stageEnvironment,
        IReadOnlyList<Glob> allowlist, IReadOnlySet<string> tokenVariables)
    {
        var selected = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (allowlist.Count == 0) return selected;
        foreach (var (key, value) in stageEnvironment)
        {
            if (!key.StartsWith(Prefix, StringComparison.Ordinal)) continue;
            string name = key[Prefix.Length..];
            if (CheckName(name, tokenVariables) is not null) continue;
            if (value.Contains('\0')) continue;
            if (allowlist.Any(g => g.IsMatch(name))) selected[name] = value;
        }
        return selected;
    }
}
