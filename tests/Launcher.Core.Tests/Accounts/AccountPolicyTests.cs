using Launcher.Core.Accounts;
using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Tests.Support;

namespace Launcher.Core.Tests.Accounts;

/// <summary>Every account reason code, over fixture passwd/group/shadow data.</summary>
public class AccountPolicyTests
{
    private const string ExtraPasswd = """
        toor:x:0:1009:second root:/root:/bin/bash
        grace:x:1010:100:Grace, primary group users:/home/grace:/bin/bash
        wheelie:x:1011:10:primary group wheel:/home/wheelie:/bin/bash
        heidi:x:1012:1012:supplementary root group:/home/heidi:/bin/bash
        ivan:x:1013:1013:no shell:/home/ivan:
        """;

    private const string ExtraGroup = """
        users:x:100:
        wheel:x:10:
        rootish:x:0:heidi
        heidi:x:1012:
        ivan:x:1013:
        """;

    private static FixtureAccounts Db() => new(FixtureAccounts.DefaultPasswd + "\n" + ExtraPasswd, FixtureAccounts.DefaultGroup + "\n" + ExtraGroup);

    private static AccountsConfig Rules(Action<AccountsConfig>? edit = null)
    {
        var rules = new AccountsConfig();
        edit?.Invoke(rules);
        return rules;
    }

    public static TheoryData<string, string, Action<AccountsConfig>?, string> Cases => new()
    {
        { "ordinary user", "alice", null, Reasons.Ok },
        { "primary group users (gid 100) passes the default min_gid", "grace", null, Reasons.Ok },
        { "root by name is in the default deny_users", "root", null, Reasons.AccountDeniedUser },
        { "root refused even with an empty deny_users", "root", r => r.DenyUsers = [], Reasons.AccountRoot },
        { "a second uid-0 account", "toor", r => r.DenyUsers = [], Reasons.AccountRoot },
        { "system account below min_uid", "svc", null, Reasons.AccountUidBelowMin },
        { "min_uid raised above the user", "alice", r => r.MinUid = 2000, Reasons.AccountUidBelowMin },
        { "primary gid 0", "frank", null, Reasons.AccountGidBelowMin },
        { "primary gid 0 even with min_gid 0", "frank", r => r.MinGid = 0, Reasons.AccountGidBelowMin },
        { "primary group wheel (gid 10)", "wheelie", null, Reasons.AccountGidBelowMin },
        { "min_gid 1000 refuses the users group", "grace", r => r.MinGid = 1000, Reasons.AccountGidBelowMin },
        { "unknown user", "mallory", null, Reasons.AccountNotFound },
        { "deny_users lists the user", "alice", r => r.DenyUsers = ["root", "alice"], Reasons.AccountDeniedUser },
        { "allow_users does not list the user", "alice", r => r.AllowUsers = ["bob"], Reasons.AccountNotAllowedUser },
        { "allow_users lists the user", "alice", r => r.AllowUsers = ["alice"], Reasons.Ok },
        { "deny_groups lists a supplementary group", "bob", r => r.DenyGroups = ["banned"], Reasons.AccountGroup },
        { "deny_groups lists the primary group", "alice", r => r.DenyGroups = ["alice"], Reasons.AccountGroup },
        { "allow_groups via a supplementary group", "alice", r => r.AllowGroups = ["hpc-users"], Reasons.Ok },
        { "allow_groups via the primary group", "grace", r => r.AllowGroups = ["users"], Reasons.Ok },
        { "in none of allow_groups", "carol", r => { r.AllowGroups = ["hpc-users"]; r.AllowedShells = ["/usr/sbin/nologin"]; }, Reasons.AccountGroup },
        { "supplementary group with gid 0", "heidi", null, Reasons.AccountGroup },
        { "nologin shell", "carol", null, Reasons.AccountShell },
        { "nologin even when allowed_shells lists it", "carol", r => r.AllowedShells = ["/usr/sbin/nologin"], Reasons.AccountShell },
        { "/bin/false shell", "dave", null, Reasons.AccountShell },
        { "empty shell field", "ivan", null, Reasons.AccountShell },
        { "shell not in /etc/shells", "erin", null, Reasons.AccountShell },
        { "allowed_shells admits a shell /etc/shells lacks", "erin", r => r.AllowedShells = ["/opt/weird/shell"], Reasons.Ok },
        { "allowed_shells excludes zsh", "bob", r => r.AllowedShells = ["/bin/bash"], Reasons.AccountShell },
        { "locked in /etc/shadow", "locked", null, Reasons.AccountLocked },
        { "expired in /etc/shadow", "expired", null, Reasons.AccountExpired },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Checks(string name, string user, Action<AccountsConfig>? edit, string reason)
    {
        var outcome = AccountPolicy.Check(user, Rules(edit), Db());
        Assert.True(reason == outcome.Reason, $"{name}: expected {reason}, got {outcome.Reason} ({outcome.Detail})");
        Assert.Equal(reason == Reasons.Ok, outcome.Allowed);
    }

    [Fact]
    public void A_failing_user_database_is_a_site_error_not_a_denial()
    {
        var db = Db();
        db.FailLookups = true;
        var outcome = AccountPolicy.Check("alice", Rules(), db);
        Assert.Equal(Reasons.AccountLookupFailed, outcome.Reason);
        Assert.True(outcome.IsSiteError);
    }

    [Fact]
    public void Deny_users_holds_even_when_the_user_database_is_down()
    {
        var db = Db();
        db.FailLookups = true;
        Assert.Equal(Reasons.AccountDeniedUser, AccountPolicy.Check("alice", Rules(r => r.DenyUsers = ["alice"]), db).Reason);
    }

    [Fact]
    public void Refusal_details_name_the_key_to_change()
    {
        Assert.Contains("accounts.min_uid 1000", AccountPolicy.Check("svc", Rules(), Db()).Detail);
        Assert.Contains("accounts.deny_groups", AccountPolicy.Check("bob", Rules(r => r.DenyGroups = ["banned"]), Db()).Detail);
        Assert.Contains("accounts.allowed_shells", AccountPolicy.Check("bob", Rules(r => r.AllowedShells = ["/bin/bash"]), Db()).Detail);
    }
}
