using Launcher.Core.Accounts;
using Launcher.Core.Audit;
using Launcher.Core.Authorization;
using Launcher.Core.Tokens;
using Launcher.Posix.Privileged;

namespace Launcher.Pam;

/// <summary>
/// The two PAM questions, answered with the CLI's decision path: does this token prove the
/// login user (auth), and may this user log in at all (account)? Every answer writes one audit
/// record; an allowed login whose record cannot be written is refused (audit.unavailable).
/// </summary>
public static class PamAuthenticator
{
    public static PamOutcome Authenticate(string configPath, string pamUser, ReadOnlySpan<byte> password, string service, string rhost)
    {
        var site = SiteCache.Get(configPath, out var failure);
        if (site is null) return failure!;

        // The password is raw bytes from the conversation, possibly a human's password (typed at
        // the Token prompt, or try_first_pass after pam_unix). The token reader refuses anything
        // not shaped like a JWT with one fixed text and the Authorizer hashes only JWT-shaped
        // input, so no byte, length, shape or hash of a password reaches the audit record, the
        // reason text or syslog.
        string? token = TokenEnvelope.FromFileText(password, out var tokenFailure);
        var decision = token is null
            ? new Decision { Kind = DecisionKind.Denied, Reason = tokenFailure!.Reason, Detail = tokenFailure.Message }
            : site.Authorizer.Authorize(token);

        // The policy decides which account a token may use; PAM decides which account is logging
        // in. They must agree, or a token for alice would open bob's session.
        if (decision.MappedUser is { } mapped && !string.Equals(mapped, pamUser, StringComparison.Ordinal))
            decision = decision.Deny(Reasons.PamUserMismatch, $"token maps to user '{mapped}', but the login is for '{pamUser}'");

        decision = Record(site, decision, "pam-auth", pamUser, service, rhost);
        return new PamOutcome(ResultOf(decision, forAccount: false), decision.Reason, decision.Allowed ? "" : decision.Detail);
    }

    public static PamOutcome Account(string configPath, string pamUser, string service, string rhost)
    {
        var site = SiteCache.Get(configPath, out var failure);
        if (site is null) return failure!;

        var account = AccountPolicy.Check(pamUser, site.Config.Accounts, site.Accounts);
        var decision = new Decision
        {
            Kind = account.Allowed ? DecisionKind.Allowed : account.IsSiteError ? DecisionKind.SiteError : DecisionKind.Denied,
            Reason = account.Reason,
            Detail = account.Detail,
            MappedUser = pamUser,
            Account = account.Account,
        };
        decision = Record(site, decision, "pam-account", pamUser, service, rhost);
        return new PamOutcome(ResultOf(decision, forAccount: true), decision.Reason, decision.Allowed ? "" : decision.Detail);
    }

    private static PamResult ResultOf(Decision d, bool forAccount) => d.Kind switch
    {
        DecisionKind.Allowed => PamResult.Ok,
        DecisionKind.SiteError => PamResult.Unavailable,
        _ when d.Reason == Reasons.AccountNotFound => PamResult.UserUnknown,
        _ when !forAccount => PamResult.Denied,
        _ when d.Reason == Reasons.AccountExpired => PamResult.AccountExpired,
        _ => PamResult.AccountDenied,
    };

    /// <summary>
    /// Writes the audit record, the CLI's rule: an allow that could not be recorded anywhere it
    /// should be becomes an audit.unavailable site error (PAM_AUTHINFO_UNAVAIL); a refusal stays
    /// a refusal.
    /// </summary>
    private static Decision Record(PamSite site, Decision decision, string command, string pamUser, string service, string rhost)
    {
        var extra = new Dictionary<string, string>(StringComparer.Ordinal) { ["pam_user"] = pamUser, ["pam_service"] = service };
        if (rhost.Length > 0) extra["pam_rhost"] = rhost;
        return site.Audit.RecordOrRefuse(decision, d => AuditRecord.From(d, command, ProcessIdentity.RealUid, DateTimeOffset.UtcNow, extra), out _);
    }
}
