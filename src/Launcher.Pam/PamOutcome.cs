using Launcher.Core.Authorization;

namespace Launcher.Pam;

/// <summary>
/// What one ABI call answers: the refusal (null when allowed; never the token) and the PAM
/// result code it maps to. The mapping is the one thing this adds to <see cref="Refusal"/>.
/// </summary>
public sealed record PamOutcome(PamResult Result, Refusal? Refusal)
{
    /// <summary>
    /// The answer to a refusal (or none): the site's problems are PAM_AUTHINFO_UNAVAIL, an unknown
    /// user PAM_USER_UNKNOWN; everything else is a failed authentication, or in account
    /// management a refused (or expired) account.
    /// </summary>
    public static PamOutcome For(Refusal? refusal, bool forAccount) => new(refusal switch
    {
        null => PamResult.Ok,
        { Reason: Reasons.PamBadArgument } => PamResult.BadArgument,
        { Reason: Reasons.InternalError } => PamResult.InternalError,
        { Kind: RefusalKind.SiteError } => PamResult.Unavailable,
        { Reason: Reasons.AccountNotFound } => PamResult.UserUnknown,
        _ when !forAccount => PamResult.Denied,
        { Reason: Reasons.AccountExpired } => PamResult.AccountExpired,
        _ => PamResult.AccountDenied,
    }, refusal);

    public static PamOutcome BadArgument(string detail) => For(Refusal.SiteError(Reasons.PamBadArgument, detail), forAccount: false);

    /// <summary>"reason: detail" (or "ok"), the text the shim logs to syslog.</summary>
    public string Text => Refusal?.ToString() ?? Reasons.Ok;
}
