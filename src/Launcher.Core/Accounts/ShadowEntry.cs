namespace Launcher.Core.Accounts;

/// <summary>
/// What an /etc/shadow entry means for running jobs, kept pure so the rules are tested by name.
/// Only the two administrative switches count, never password aging: a CI job does not log in
/// with a password, so an old password must not stop it.
/// </summary>
public static class ShadowEntry
{
    /// <summary>
    /// <para>Locked: the password field is <c>!</c> followed by a real hash, which is what
    /// <c>usermod -L</c> / <c>passwd -l</c> make of a password. A field of only <c>!</c>, <c>!!</c>
    /// or <c>*</c> is an account that never had a password (useradd's default, service and
    /// key-only users): nothing was locked, so it is not refused. To stop such an account, expire
    /// it (<c>usermod -e 1</c>) or list it in deny_users.</para>
    /// <para>Expired: sp_expire (days since 1970) is set and today is on or after it. -1 (empty
    /// field) means no expiry date. 0 is ambiguous (shadow(5): "no expiration, or Jan 1, 1970");
    /// pam_unix reads it as expired, and so does this, so a job is never admitted where a
    /// login would be refused.</para>
    /// </summary>
    public static ShadowState State(string passwordField, long expireDay, long today)
    {
        if (expireDay >= 0 && today >= expireDay) return ShadowState.Expired;
        if (passwordField.StartsWith('!') && passwordField.TrimStart('!').Length > 1) return ShadowState.Locked;
        return ShadowState.Usable;
    }
}
