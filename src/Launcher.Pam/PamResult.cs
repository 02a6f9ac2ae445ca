namespace Launcher.Pam;

/// <summary>
/// Result codes of the C ABI (native/ci_launcher_pam.h mirrors them). The shim maps each to one
/// PAM return value; the numbers are part of the ABI and never change meaning.
/// </summary>
public enum PamResult
{
    /// <summary>PAM_SUCCESS.</summary>
    Ok = 0,
    /// <summary>The token or the policy said no (PAM_AUTH_ERR).</summary>
    Denied = 1,
    /// <summary>The PAM user does not exist (PAM_USER_UNKNOWN).</summary>
    UserUnknown = 2,
    /// <summary>Config, key set, NSS or audit trouble: the site cannot decide (PAM_AUTHINFO_UNAVAIL).</summary>
    Unavailable = 3,
    /// <summary>The account checks refused the user (PAM_PERM_DENIED in account management).</summary>
    AccountDenied = 4,
    /// <summary>The account expired in /etc/shadow (PAM_ACCT_EXPIRED).</summary>
    AccountExpired = 5,
    /// <summary>A NULL or non-UTF-8 argument from the shim (PAM_SERVICE_ERR).</summary>
    BadArgument = 6,
    /// <summary>An unexpected exception, caught at the ABI boundary (PAM_SERVICE_ERR).</summary>
    InternalError = 7,
}
