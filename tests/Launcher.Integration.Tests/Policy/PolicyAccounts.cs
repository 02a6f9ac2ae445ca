namespace Launcher.Integration.Tests.Policy;

/// <summary>
/// The policy tests' accounts, one per account state the policy judges (locked, expired, no
/// password, nologin shell, uid below min_uid, outside the group), all but one in a supplementary
/// group that also has a second name. Made with <see cref="Accounts"/> (prefix clpol + a random
/// suffix) and removed in Dispose, also when a test or the setup itself fails half way.
/// </summary>
public sealed class PolicyAccounts : IDisposable
{
    private readonly Accounts _accounts;

    public PolicyAccounts()
    {
        Suffix = Guid.NewGuid().ToString("N")[..6];
        _accounts = new Accounts($"clpol{Suffix}-");
        if (!RootFactAttribute.IsRoot()) return;
        try
        {
            Group = _accounts.Group();
            // A second name for the same gid (groupadd -o): getgrgid names the gid by the first.
            Alias = _accounts.Group("a", sameGidAs: Group);
            // A password hash, so usermod -L has something to lock ("!" + hash).
            const string Hash = "$6$clpol$Jx1Qn0dFh2sN9vO3pY7zK8wL4mR6tU5eA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU1vW2xY3zA4bC5dE6fG7hI.";
            _accounts.User("ok", [Group], options: ["-p", Hash]);
            _accounts.User("nopw", [Group]);                                  // shadow '!': never had a password, not locked
            _accounts.User("nolog", [Group], options: ["-s", "/usr/sbin/nologin"]);
            _accounts.Modify(_accounts.User("lock", [Group], options: ["-p", Hash]), "-L");
            _accounts.Modify(_accounts.User("exp", [Group], options: ["-p", Hash]), "-e", "1");   // expired on 1970-01-02
            _accounts.User("low", [Group], options: ["-u", Accounts.FreeUid(500, 999).ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            _accounts.User("nogrp");                                          // not in the supplementary group
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Suffix { get; }

    /// <summary>The supplementary group every user but <c>nogrp</c> is in.</summary>
    public string Group { get; } = "";

    /// <summary>Another group name with <see cref="Group"/>'s gid.</summary>
    public string Alias { get; } = "";

    /// <summary>The account of <paramref name="role"/> (ok, nopw, nolog, lock, exp, low, nogrp).</summary>
    public string Name(string role) => _accounts.Name(role);

    public void Dispose() => _accounts.Dispose();
}
