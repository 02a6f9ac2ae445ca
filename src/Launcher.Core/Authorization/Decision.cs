using Launcher.Core.Accounts;
using Launcher.Core.Tokens;

namespace Launcher.Core.Authorization;

public enum DecisionKind
{
    Allowed,
    /// <summary>The token, the policy or the account said no: the job's problem.</summary>
    Denied,
    /// <summary>The site could not decide (keys, config, NSS, audit): the site's problem.</summary>
    SiteError,
}

/// <summary>The answer of the decision path, shared by validate, explain, run, executor, PAM and token issue.</summary>
public sealed record Decision
{
    public required DecisionKind Kind { get; init; }
    public required string Reason { get; init; }
    public required string Detail { get; init; }
    public VerifiedToken? Token { get; init; }
    public string? TokenSha256 { get; init; }
    public string? Rule { get; init; }
    public string? MappedUser { get; init; }
    public Account? Account { get; init; }

    public bool Allowed => Kind == DecisionKind.Allowed;

    /// <summary>The same decision turned into a denial by a check after the policy (job binding, PAM user, caller uid).</summary>
    public Decision Deny(string reason, string detail, DecisionKind kind = DecisionKind.Denied) =>
        this with { Kind = kind, Reason = reason, Detail = detail };
}
