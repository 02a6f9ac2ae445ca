using Launcher.Core.Accounts;
using Launcher.Core.Config;

namespace Launcher.Core.Launch;

/// <summary>
/// The job's whole environment: the caller's variables that launch.env allows (never a
/// dangerous one, never a token variable unless pass_token), then HOME, USER, LOGNAME and SHELL
/// of the account and PATH from the config. Nothing else reaches the job.
/// </summary>
public static class JobEnvironment
{
    /// <param name="tokenVariables">Every issuer's token variable: removed unless <paramref name="passToken"/> is given.</param>
    /// <param name="passToken">When launch.pass_token is on: the variable and the verified token to set.</param>
    public static IReadOnlyList<KeyValuePair<string, string>> Build(LaunchSettings settings, Account account,
        IEnumerable<KeyValuePair<string, string>> callerEnvironment, IReadOnlyCollection<string> tokenVariables,
        KeyValuePair<string, string>? passToken = null)
    {
        var env = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, value) in callerEnvironment)
        {
            if (!EnvironmentNames.IsValidName(name) || EnvironmentNames.IsDangerous(name) || EnvironmentNames.SetByLauncher.Contains(name))
                continue;
            // The executor sees job variables as CUSTOM_ENV_<name>, the token variable included.
            if (tokenVariables.Any(t => name == t || name == "CUSTOM_ENV_" + t) || value.Contains('\0'))
                continue;
            if (settings.Env.Any(p => EnvironmentNames.Matches(p, name)))
                env.TryAdd(name, value);
        }
        if (settings.PassToken && passToken is { } token)
            env[token.Key] = token.Value;
        env["HOME"] = account.Home;
        env["USER"] = account.Name;
        env["LOGNAME"] = account.Name;
        env["SHELL"] = account.Shell;
        env["PATH"] = settings.Path;
        return env.ToList();
    }
}
