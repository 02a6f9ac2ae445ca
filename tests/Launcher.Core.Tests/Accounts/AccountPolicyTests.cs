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
        nina:x:1014:7777:primary group without a group line:/home/nina:/bin/bash
        """;

    private const string ExtraGroup = """
        users:x:100:
        wheel:x:10:
        rootish:x:0:heidi
        heidi:x:1012:
        ivan:x:1013:
        outcasts:x:5001:
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
        var refusal = Check(user, Rules(edit), Db());
        string got = refusal?.Reason ?? Reasons.Ok;
        Assert.True(reason == got, $"{name}: expected {reason}, got {got} ({refusal?.Detail})");
    }

    /// <summary>Edits of the fixture group database: names it cannot give, or NSS down for group names.</summary>
    public static TheoryData<string, string, Action<AccountsConfig>, Action<FixtureAccounts>?, string> GroupCases => new()
    {
        // Matched by gid: 'outcasts' is a second name of gid 5001, which getgrgid names 'banned'.
        { "deny_groups names another name of the user's gid", "bob", r => r.DenyGroups = ["outcasts"], null, Reasons.AccountGroup },
        { "allow_groups names another name of the user's gid", "bob", r => { r.AllowGroups = ["outcasts"]; r.AllowedShells = ["/bin/zsh"]; }, null, Reasons.Ok },
        { "deny_groups lists a group the user is not in", "alice", r => r.DenyGroups = ["banned"], null, Reasons.Ok },
        // A group of the user that cannot be named, while group rules are set: site error, never a non-match.
        { "supplementary group cannot be named, deny_groups set", "bob", r => r.DenyGroups = ["banned"], db => db.FailGroupNames.Add(5001), Reasons.AccountLookupFailed },
        { "supplementary group cannot be named, allow_groups set", "alice", r => r.AllowGroups = ["hpc-users"], db => db.FailGroupNames.Add(5000), Reasons.AccountLookupFailed },
        { "primary gid has no group line, deny_groups set", "nina", r => r.DenyGroups = ["banned"], null, Reasons.AccountLookupFailed },
        { "primary gid has no group line, no group rules", "nina", r => { }, null, Reasons.Ok },
        { "unnamed group without group rules is no reason to refuse", "bob", r => r.AllowedShells = ["/bin/zsh"], db => db.FailGroupNames.Add(5001), Reasons.Ok },
        // Configured names that do not resolve: fail closed, naming the key.
        { "deny_groups names a group that does not exist", "alice", r => r.DenyGroups = ["banned", "no-such-group"], null, Reasons.AccountLookupFailed },
        { "allow_groups names a group that does not exist", "alice", r => r.AllowGroups = ["hpc-users", "hpc-usres"], null, Reasons.AccountLookupFailed },
        { "group database down, group rules set", "alice", r => r.DenyGroups = ["banned"], db => db.FailGroupLookups = true, Reasons.AccountLookupFailed },
        { "group database down, no group rules", "alice", r => { }, db => db.FailGroupLookups = true, Reasons.Ok },
        // gid 0 is refused whatever the rules and whether or not it has a name.
        { "supplementary gid 0 without a name", "heidi", r => r.DenyGroups = [], db => db.FailGroupNames.Add(0), Reasons.AccountGroup },
    };

    [Theory]
    [MemberData(nameof(GroupCases))]
    public void Group_rules_match_by_gid_and_fail_closed(string name, string user, Action<AccountsConfig> edit, Action<FixtureAccounts>? editDb, string reason)
    {
        var db = Db();
        editDb?.Invoke(db);
        var refusal = Check(user, Rules(edit), db);
        string got = refusal?.Reason ?? Reasons.Ok;
        Assert.True(reason == got, $"{name}: expected {reason}, got {got} ({refusal?.Detail})");
        Assert.Equal(reason == Reasons.AccountLookupFailed, refusal?.IsSiteError ?? false);
    }

    [Fact]
    public void Unresolvable_group_refusals_name_the_key_or_the_gid()
    {
        Assert.Contains("accounts.deny_groups[1] names group 'no-such-group'", Check("alice", Rules(r => r.DenyGroups = ["banned", "no-such-group"]), Db())!.Detail);
        Assert.Contains("accounts.allow_groups[0] names group 'nope'", Check("alice", Rules(r => r.AllowGroups = ["nope"]), Db())!.Detail);
        var db = Db();
        db.FailGroupNames.Add(5001);
        Assert.Contains("gid 5001", Check("bob", Rules(r => r.DenyGroups = ["banned"]), db)!.Detail);
        Assert.Contains("deny_groups lists as 'outcasts'", Check("bob", Rules(r => r.DenyGroups = ["outcasts"]), Db())!.Detail);
    }

    [Fact]
    public void A_failing_user_database_is_a_site_error_not_a_denial()
    {
        var db = Db();
        db.FailLookups = true;
        var refusal = Check("alice", Rules(), db);
        Assert.Equal(Reasons.AccountLookupFailed, refusal?.Reason);
        Assert.True(refusal!.IsSiteError);
    }

    [Fact]
    public void Deny_users_holds_even_when_the_user_database_is_down()
    {
        var db = Db();
        db.FailLookups = true;
        Assert.Equal(Reasons.AccountDeniedUser, Check("alice", Rules(r => r.DenyUsers = ["alice"]), db)!.Reason);
    }

    [Fact]
    public void Refusal_details_name_the_key_to_change()
    {
        Assert.Contains("accounts.min_uid 1000", Check("svc", Rules(), Db())!.Detail);
        Assert.Contains("accounts.deny_groups", Check("bob", Rules(r => r.DenyGroups = ["banned"]), Db())!.Detail);
        Assert.Contains("accounts.allowed_shells", Check("bob", Rules(r => r.AllowedShells = ["/bin/bash"]), Db())!.Detail);
    }

    /// <summary>Resolve, then admit: the order the decision path (Authorizer.CheckAccount) runs them in.</summary>
    private static Refusal? Check(string user, AccountsConfig rules, FixtureAccounts db)
    {
        var resolved = AccountPolicy.Resolve(user, rules, db);
        return resolved.Ok ? AccountPolicy.Admit(resolved.Value, rules, db) : resolved.Refusal;
    }
}
