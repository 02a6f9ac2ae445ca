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
        var verified = new TokenVerifier(config, keys, clock).Verify(token, out var failure, trace);
        if (verified is null)
        {
            return new Decision
            {
                Kind = failure!.IsSiteError ? DecisionKind.SiteError : DecisionKind.Denied,
                Reason = failure.Reason,
                Detail = failure.Message,
                TokenSha256 = sha,
            };
        }

        var policy = PolicyEngine.Evaluate(config.Rules, verified.Issuer.Name, verified.Claims, verified.Issuer.UsernameClaim, trace);
        if (!policy.Allowed)
        {
            trace?.Line($"policy: refused: {policy.Reason}: {policy.Detail}");
            return new Decision
            {
                Kind = DecisionKind.Denied,
                Reason = policy.Reason,
                Detail = policy.Detail,
                Token = verified,
                TokenSha256 = sha,
                Rule = policy.Rule?.Name,
            };
        }

        var account = AccountPolicy.Check(policy.RunAs!, config.Accounts, accounts, trace);
        return new Decision
        {
            Kind = account.Allowed ? DecisionKind.Allowed : account.IsSiteError ? DecisionKind.SiteError : DecisionKind.Denied,
            Reason = account.Reason,
            Detail = account.Allowed ? policy.Detail : account.Detail,
            Token = verified,
            TokenSha256 = sha,
            Rule = policy.Rule!.Name,
            MappedUser = policy.RunAs,
            Account = account.Account,
        };
    }
}
