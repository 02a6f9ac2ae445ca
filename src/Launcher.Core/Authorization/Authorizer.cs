using Launcher.Core.Accounts;
using Launcher.Core.Config;
using Launcher.Core.Policy;
using Launcher.Core.Tokens;

namespace Launcher.Core.Authorization;

/// <summary>
/// The one decision path: verify the token, apply the rules, check the account. Every command
/// that can grant anything goes through here, so they cannot drift apart.
/// </summary>
public sealed class Authorizer(SiteConfig config, IKeySource keys, IAccountDatabase accounts, TimeProvider clock)
{
    public SiteConfig Config => config;

    public Decision Authorize(string token, ITrace? trace = null)
    {
        // Only a JWT's hash is audited: an unsalted SHA-256 of a password would be one offline
        // guess away from the password itself.
        string? sha = TokenEnvelope.IsJwtShaped(token) ? TokenVerifier.Sha256Hex(token) : null;
        var verified = new TokenVerifier(config, keys, clock).Verify(token, trace);
        if (!verified.Ok) return Decision.Refused(verified.Refusal) with { TokenSha256 = sha };
        var claims = verified.Value;

        var policy = PolicyEngine.Evaluate(config.Rules, claims.Issuer.Name, claims.Claims, claims.Issuer.UsernameClaim, trace);
        if (!policy.RunAs.Ok)
        {
            trace?.Line($"policy: refused: {policy.RunAs.Refusal}");
            return Decision.Refused(policy.RunAs.Refusal) with { Token = claims, TokenSha256 = sha, Rule = policy.Rule?.Name };
        }
        string user = policy.RunAs.Value;
        return CheckAccount(user, trace, $"rule '{policy.Rule!.Name}' allows, run as '{user}'")
            with { Token = claims, TokenSha256 = sha, Rule = policy.Rule.Name };
    }

    /// <summary>
    /// The account checks alone, for a name that is already decided (the mapped user above, the
    /// PAM login user). A refused account that exists is still named, for the audit record.
    /// </summary>
    public Decision CheckAccount(string user, ITrace? trace = null, string? allowance = null)
    {
        var resolved = AccountPolicy.Resolve(user, config.Accounts, accounts, trace);
        var refusal = resolved.Ok ? AccountPolicy.Admit(resolved.Value, config.Accounts, accounts, trace) : resolved.Refusal;
        if (refusal is null)
        {
            var a = resolved.Value;
            trace?.Line($"account: '{user}' uid {a.Uid} gid {a.Gid} groups [{AccountPolicy.GroupList(a)}] passes every check");
        }
        else
            trace?.Line($"account: refused: {refusal}");
        var decision = refusal is null ? Decision.Allow(allowance ?? $"user '{user}' passes every account check") : Decision.Refused(refusal);
        return decision with { MappedUser = user, Account = resolved.Ok ? resolved.Value : null };
    }
}
