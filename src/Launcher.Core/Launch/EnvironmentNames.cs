using Launcher.Core.Authorization;

namespace Launcher.Core.Launch;

/// <summary>
/// Which environment variable names a job may receive from its caller. The launch section's
/// <c>env</c> list is an allowlist; these names are refused even when listed, because they
/// change what the shell or the dynamic loader does before the job's first line runs.
/// </summary>
public static class EnvironmentNames
{
    /// <summary>Set by the launcher from the account and the config, never taken from the caller.</summary>
    public static readonly IReadOnlySet<string> SetByLauncher = new HashSet<string>(StringComparer.Ordinal)
    {
        "HOME", "USER", "LOGNAME", "SHELL", "PATH",
    };

    private static readonly IReadOnlySet<string> DangerousExact = new HashSet<string>(StringComparer.Ordinal)
    {
        // bash and sh read and run these before the script: code injection into every job.
        "BASH_ENV", "ENV", "SHELLOPTS", "BASHOPTS", "PS4", "IFS", "PROMPT_COMMAND", "CDPATH", "GLOBIGNORE",
        "BASH_XTRACEFD", "EXECIGNORE",
        // glibc.
        "GLIBC_TUNABLES", "MALLOC_CHECK_", "MALLOC_PERTURB_", "NLSPATH", "GCONV_PATH", "HOSTALIASES", "RESOLV_HOST_CONF",
        "LOCPATH", "TMPDIR_OVERRIDE",
    };

    private static readonly string[] DangerousPrefixes = ["LD_", "BASH_FUNC_", "DOTNET_", "COMPlus_", "CORECLR_"];

    public static bool IsValidName(string name) =>
        name.Length > 0 && !char.IsAsciiDigit(name[0]) && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    public static bool IsDangerous(string name) =>
        DangerousExact.Contains(name) || DangerousPrefixes.Any(p => name.StartsWith(p, StringComparison.Ordinal));

    /// <summary>Null when <paramref name="pattern"/> (a name, or a prefix ending in <c>*</c>) is acceptable in launch.env; else why not.</summary>
    public static Refusal? CheckPattern(string pattern)
    {
        bool prefix = pattern.EndsWith('*');
        string name = prefix ? pattern[..^1] : pattern;
        if (!IsValidName(name))
            return Refusal.Unlabelled($"'{pattern}' is not a variable name or a prefix ending in '*' (e.g. CUSTOM_ENV_*)");
        if (SetByLauncher.Contains(pattern))
            return Refusal.Unlabelled($"'{pattern}' is set by ci-launcher from the account (HOME, USER, LOGNAME, SHELL) or launch.path; remove it");
        if (IsDangerous(name) || (prefix && (DangerousExact.Any(d => d.StartsWith(name, StringComparison.Ordinal))
                || DangerousPrefixes.Any(d => d.StartsWith(name, StringComparison.Ordinal) || name.StartsWith(d, StringComparison.Ordinal)))))
            return Refusal.Unlabelled($"'{pattern}' would pass variables that change how the shell or the loader behaves (BASH_ENV, LD_*, ...); list safe names instead");
        if (prefix && name.Length < 3)
            return Refusal.Unlabelled($"'{pattern}' is too broad; a prefix needs at least three characters");
        return null;
    }

    public static bool Matches(string pattern, string name) =>
        pattern.EndsWith('*') ? name.StartsWith(pattern[..^1], StringComparison.Ordinal) : name == pattern;
}
