using System.Globalization;
using Launcher.Core.Accounts;
using Launcher.Core.Policy;

namespace Launcher.Core.Templates;

/// <summary>
/// The placeholder names one use of <see cref="Template"/> knows, and what they mean to it:
/// which values are the user's own (a path component made from one belongs to the user), and
/// which value is a whole absolute path (<c>{home}</c>), allowed only at a template's start.
/// </summary>
public sealed class Placeholders
{
    private Placeholders(string noun, IReadOnlySet<string> names, string known, string missing,
        IReadOnlySet<string>? personal = null, string? wholePath = null)
    {
        Noun = noun;
        Names = names;
        Known = known;
        Missing = missing;
        Personal = personal ?? new HashSet<string>();
        WholePath = wholePath;
    }

    /// <summary>What a placeholder stands for, in messages: "claim", "placeholder".</summary>
    public string Noun { get; }
    public IReadOnlySet<string> Names { get; }
    /// <summary>Where the known names are listed, for the message about an unknown one.</summary>
    public string Known { get; }
    /// <summary>Why a value can be missing at expansion, for the message.</summary>
    public string Missing { get; }
    public IReadOnlySet<string> Personal { get; }
    public string? WholePath { get; }

    /// <summary>How a placeholder is named in messages: <c>claim 'user_login'</c>, <c>{runner_id}</c>.</summary>
    public string Describe(string name) => Noun == "claim" ? $"claim '{name}'" : $"{{{name}}}";

    /// <summary><c>run_as</c> and a rule's batch accounts: the verified token's claims.</summary>
    public static Placeholders Claims { get; } = new("claim", KnownClaims.Names,
        "known claims are listed in ci-launcher.yaml(5)", "which the token lacks or is not a string");

    /// <summary><c>launch.workdir</c> and <c>launch.create_dirs</c>: the mapped account.</summary>
    public static Placeholders Account { get; } = Listed(["user", "uid", "gid", "home"],
        "which this account does not have", personal: ["user", "uid", "home"], wholePath: "home");

    /// <summary>
    /// The executor's directories: the mapped account, the verified token and the runner's
    /// JOB_RESPONSE_FILE; never a CUSTOM_ENV_* value (the job's author sets those).
    /// </summary>
    public static Placeholders Job { get; } = Listed(["user", "uid", "gid", "job_id", "project_id", "runner_id"],
        "which this job does not have", personal: ["user", "uid"]);

    /// <summary>The values of <see cref="Account"/> for one account, from getpwnam_r after the policy.</summary>
    public static Func<string, string?> ValuesOf(Account account) => name => name switch
    {
        "user" => account.Name,
        "uid" => account.Uid.ToString(CultureInfo.InvariantCulture),
        "gid" => account.Gid.ToString(CultureInfo.InvariantCulture),
        "home" => account.Home,
        _ => null,
    };

    private static Placeholders Listed(string[] names, string missing, string[] personal, string? wholePath = null) =>
        new("placeholder", new HashSet<string>(names, StringComparer.Ordinal),
            "the placeholders are " + string.Join(", ", names.Select(n => "{" + n + "}")), missing,
            new HashSet<string>(personal, StringComparer.Ordinal), wholePath);
}
