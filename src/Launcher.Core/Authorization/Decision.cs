using Launcher.Core.Accounts;
using Launcher.Core.Tokens;

namespace Launcher.Core.Authorization;

/// <summary>
/// The answer of the decision path, shared by validate, explain, run, executor, PAM and token
/// issue: allowed, or a <see cref="Authorization.Refusal"/>, with what the audit record needs
/// to say about it (token, rule, account). Made by <see cref="Allow"/> or <see cref="Refused"/>;
/// there is no decision that nobody decided.
/// </summary>
public sealed record Decision
{
    private Decision() { }

    /// <summary>Null when allowed.</summary>
    public Refusal? Refusal { get; private init; }

    /// <summary>For an allowed decision, what was allowed (the policy's words).</summary>
    private string Allowance { get; init; } = "";

    public VerifiedToken? Token { get; init; }
    public string? TokenSha256 { get; init; }
    public string? Rule { get; init; }
    public string? MappedUser { get; init; }
    public Account? Account { get; init; }

    public bool Allowed => Refusal is null;
    public string Reason => Refusal?.Reason ?? Reasons.Ok;
    public string Detail => Refusal?.Detail ?? Allowance;

    public static Decision Allow(string allowance) => new() { Allowance = allowance };

    public static Decision Refused(Refusal refusal) => new() { Refusal = refusal };

    /// <summary>The same decision turned into a refusal by a check after the policy (job binding, PAM user, caller uid, launch).</summary>
    public Decision Deny(Refusal refusal) => this with { Refusal = refusal };
}
