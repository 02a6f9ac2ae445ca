using Launcher.Core.Authorization;

namespace Launcher.Core.Config;

/// <summary>
/// One problem in the configuration: where (file, line, column, key) and what to change. A
/// configuration is the one input whose problems are reported all at once (check-config lists
/// every one), so loading it yields the settings or the list of these, not a single refusal.
/// </summary>
public sealed record ConfigError(string File, int Line, string Key, string Message, int Column = 0, string Reason = Reasons.ConfigInvalid)
{
    public override string ToString() => $"{Where}: {Key}: {Message}";

    /// <summary>
    /// Only where the problem is, for a caller of the setuid wrapper: the config may be readable by
    /// root alone, and a message quoting a value or an unknown key would hand its content out.
    /// </summary>
    public string Withheld() =>
        $"{Where}: {Key}: the configuration is not usable (details are shown to root only: run 'ci-launcher check-config' as root)";

    private string Where => Line <= 0 ? File : Column > 0 ? $"{File}:{Line}:{Column}" : $"{File}:{Line}";
}
