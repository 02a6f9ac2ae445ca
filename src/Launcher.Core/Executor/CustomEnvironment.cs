using Launcher.Core.Policy;

namespace Launcher.Core.Executor;

/// <summary>
/// The <c>CUSTOM_ENV_*</c> variables that reach the job: only names on <c>executor.env_allowlist</c>,
/// with the prefix removed. Names that steer the loader, the shell or ci-launcher itself, and the
/// token variables, never pass, whatever the allowlist says.
/// </summary>
public static class CustomEnvironment
{
    public const string Prefix = "CUSTOM_ENV_";

    private static readonly HashSet<string> Reserved = new(StringComparer.Ordinal)
    {
        "PATH", "HOME", "USER", "LOGNAME", "SHELL", "TMPDIR", "IFS", "ENV", "BASH_ENV", "CDPATH",
        "SHELLOPTS", "BASHOPTS", "PS4", "PROMPT_COMMAND", "GLOBIGNORE", "HOSTALIASES", "LOCALDOMAIN",
        "RES_OPTIONS", "NLSPATH", "GCONV_PATH", "TZDIR", "MALLOC_CHECK_", "CI_JOB_JWT", "CI_JOB_JWT_V1", "CI_JOB_JWT_V2",
    };

    private static readonly string[] ReservedPrefixes = ["LD_", "DOTNET_", "COMPlus_", "CORECLR_", "GLIBC_", "BASH_FUNC_", "SSL_", "CI_LAUNCHER_"];

    /// <summary>Null when <paramref name="name"/> may be passed to a job, else why not.</summary>
    public static string? NameProblem(string name, IReadOnlySet<string> tokenVariables)
    {
        if (name.Length == 0 || char.IsAsciiDigit(name[0]) || !name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            return "is not a plain variable name";
        if (tokenVariables.Contains(name)) return "carries an ID token";
        if (Reserved.Contains(name)) return "is reserved (the launch sequence sets it, or it changes how programs start)";
        foreach (var p in ReservedPrefixes)
            if (name.StartsWith(p, StringComparison.Ordinal)) return $"starts with the reserved prefix {p}";
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
            if (NameProblem(name, tokenVariables) is not null) continue;
            if (value.Contains('\0')) continue;
            if (allowlist.Any(g => g.IsMatch(name))) selected[name] = value;
        }
        return selected;
    }
}
