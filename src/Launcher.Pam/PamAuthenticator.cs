using Launcher.Core.Authorization;
using Launcher.Core.Tokens;
using Launcher.Posix;
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
        var loaded = SiteCache.Get(configPath);
        if (!loaded.Ok) return PamOutcome.For(loaded.Refusal, forAccount: false);
        var site = loaded.Value;

        // The password is raw bytes from the conversation, possibly a human's password (typed at
        // the Token prompt, or try_first_pass after pam_unix). The token reader refuses anything
        // not shaped like a JWT with one fixed text and the Authorizer hashes only JWT-shaped
        // input, so no byte, length, shape or hash of a password reaches the audit record, the
        // reason text or syslog.
        var token = TokenEnvelope.FromFileText(password);
        var decision = token.Ok ? site.Authorizer.Authorize(token.Value) : Decision.Refused(token.Refusal);

        // The policy decides which account a token may use; PAM decides which account is logging
        // in. They must agree, or a token for alice would open bob's session.
        if (decision.MappedUser is { } mapped && !string.Equals(mapped, pamUser, StringComparison.Ordinal))
            decision = decision.Deny(Refusal.Denied(Reasons.PamUserMismatch, $"token maps to user '{mapped}', but the login is for '{pamUser}'"));

        decision = Record(site, decision, "pam-auth", pamUser, service, rhost);
        return PamOutcome.For(decision.Refusal, forAccount: false);
    }

    public static PamOutcome Account(string configPath, string pamUser, string service, string rhost)
    {
        var loaded = SiteCache.Get(configPath);
        if (!loaded.Ok) return PamOutcome.For(loaded.Refusal, forAccount: true);
        var site = loaded.Value;

        var decision = site.Authorizer.CheckAccount(pamUser);
        decision = Record(site, decision, "pam-account", pamUser, service, rhost);
        return PamOutcome.For(decision.Refusal, forAccount: true);
    }

    /// <summary>
    /// Writes the audit record, the CLI's rule: an allow that could not be recorded anywhere it
    /// should be becomes an audit.unavailable site error (PAM_AUTHINFO_UNAVAIL); a refusal stays
    /// a refusal.
    /// </summary>
    private static Decision Record(SiteServices site, Decision decision, string command, string pamUser, string service, string rhost)
    {
        var extra = new Dictionary<string, string>(StringComparer.Ordinal) { ["pam_user"] = pamUser, ["pam_service"] = service };
        if (rhost.Length > 0) extra["pam_rhost"] = rhost;
        return site.RecordOrRefuse(decision, command, extra);
    }
}
