using System.Text.Json;
using Launcher.Core.Accounts;
using Launcher.Integration.Tests.Support;
using Launcher.Posix.Accounts;

namespace Launcher.Integration.Tests.Policy;

/// <summary>
/// Account policy against real accounts made by useradd/usermod, through the published AOT
/// binary (<c>validate --json</c>), asserting the JSON decision and the audit line it wrote.
/// </summary>
public sealed class AccountPolicyIntegrationTests : IClassFixture<PolicyAccounts>, IDisposable
{
    private readonly PolicyAccounts _users;
    private readonly ConfigSite _site;

    public AccountPolicyIntegrationTests(PolicyAccounts users)
    {
        _users = users;
        // Every user the policy should admit is in the supplementary group: allow_groups proves
        // getgrouplist, not only the primary group, is consulted.
        _site = new ConfigSite(accounts: $"accounts:\n  min_uid: 1000\n  allow_groups: [\"{users.Group}\"]\n");
    }

    public void Dispose() => _site.Dispose();

    private (JsonElement Json, JsonElement Audit, ProcResult Run) Validate(string role)
    {
        string jti = $"clpol-{Guid.NewGuid():N}";
        string token = _site.Token(_users.Name(role), c => c["jti"] = jti);
        var run = Proc.Run(Dist.CiLauncher, ["validate", "--json", "--config", _site.ConfigPath, "--token-file", "-"], stdin: token);
        var json = JsonDocument.Parse(run.Stdout).RootElement.Clone();
        var lines = File.ReadAllLines(_site.AuditPath).Where(l => l.Contains(jti, StringComparison.Ordinal)).ToList();
        Assert.Single(lines);
        Assert.DoesNotContain(token, File.ReadAllText(_site.AuditPath));
        Assert.DoesNotContain(token.Split('.')[2], File.ReadAllText(_site.AuditPath));
        return (json, JsonDocument.Parse(lines[0]).RootElement.Clone(), run);
    }

    private void Expect(string role, string reason)
    {
        var (json, audit, run) = Validate(role);
        bool allowed = reason == "ok";
        Assert.True(run.ExitCode == (allowed ? 0 : 1), $"{role}: exit {run.ExitCode}: {run.Stdout}{run.Stderr}");
        Assert.Equal(reason, json.GetProperty("reason").GetString());
        Assert.Equal(allowed, json.GetProperty("allowed").GetBoolean());
        Assert.Equal("hpc", json.GetProperty("rule").GetString());
        Assert.Equal(_users.Name(role), json.GetProperty("mapped_user").GetString());

        Assert.Equal(allowed ? "allow" : "deny", audit.GetProperty("decision").GetString());
        Assert.Equal(reason, audit.GetProperty("reason").GetString());
        Assert.Equal("validate", audit.GetProperty("command").GetString());
        Assert.Equal(0u, audit.GetProperty("caller_uid").GetUInt32());
        Assert.Equal("hpc", audit.GetProperty("rule").GetString());
        Assert.Equal(_users.Name(role), audit.GetProperty("user").GetString());
        Assert.Equal("hpc/solver", audit.GetProperty("project_path").GetString());
        Assert.Equal(64, audit.GetProperty("token_sha256").GetString()!.Length);
        Assert.EndsWith("Z", audit.GetProperty("time").GetString());
    }

    [RootFact]
    public void User_in_the_supplementary_group_is_allowed_with_its_real_ids()
    {
        Expect("ok", "ok");
        var (json, audit, _) = Validate("ok");
        var account = json.GetProperty("account");
        uint uid = account.GetProperty("uid").GetUInt32();
        Assert.True(uid >= 1000);
        Assert.Equal(uid, audit.GetProperty("uid").GetUInt32());
        Assert.Equal(File.ReadAllLines("/etc/passwd").Single(l => l.StartsWith(_users.Name("ok") + ":", StringComparison.Ordinal)).Split(':')[2],
            uid.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains(_users.Group, account.GetProperty("groups").EnumerateArray().Select(g => g.GetString()));
    }

    [RootFact]
    public void User_without_a_password_is_not_locked() => Expect("nopw", "ok");

    [RootFact]
    public void User_outside_allow_groups_is_refused() => Expect("nogrp", "account.group");

    [RootFact]
    public void Nologin_shell_is_refused() => Expect("nolog", "account.shell");

    [RootFact]
    public void Locked_user_is_refused() => Expect("lock", "account.locked");

    [RootFact]
    public void Expired_user_is_refused() => Expect("exp", "account.expired");

    [RootFact]
    public void Uid_below_min_uid_is_refused() => Expect("low", "account.uid_below_min");

    [RootFact]
    public void Unknown_user_is_not_found_and_has_no_account()
    {
        var (json, audit, run) = Validate("never-created");
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("account.not_found", json.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("account").ValueKind);
        Assert.False(audit.TryGetProperty("uid", out _));
    }

    [RootFact]
    public void Claim_of_an_unexpected_type_is_a_clean_denial()
    {
        string token = _site.Token(_users.Name("ok"), c => c["project_path"] = new Dictionary<string, object?> { ["hpc/solver"] = true });
        var run = Proc.Run(Dist.CiLauncher, ["validate", "--json", "--config", _site.ConfigPath, "--token-file", "-"], stdin: token);
        Assert.Equal(1, run.ExitCode);
        Assert.Equal("", run.Stderr);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("policy.no_match", json.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, json.GetProperty("rule").ValueKind);
    }

    [RootFact]
    public void Explain_traces_the_account_checks_of_a_locked_user()
    {
        var run = Proc.Run(Dist.CiLauncher, ["explain", "--config", _site.ConfigPath, "--token-file", "-"], stdin: _site.Token(_users.Name("lock")));
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("rule #1 'hpc': matched (project_path 'hpc/solver' ~ 'hpc/**') -> allow", run.Stdout);
        Assert.Contains($"account: groups [{_users.Name("lock")},{_users.Group}] include one of allow_groups", run.Stdout);
        Assert.Contains("account: refused: account.locked", run.Stdout);
        Assert.Contains("decision: DENY (account.locked)", run.Stdout);
    }

    [RootFact]
    public void Deny_groups_matches_the_gid_whatever_name_lists_it()
    {
        // getgrgid names the users' gid by the group's first name; deny_groups lists the other.
        using var site = new ConfigSite(accounts: $"accounts:\n  min_uid: 1000\n  deny_groups: [\"{_users.Alias}\"]\n");
        var run = Proc.Run(Dist.CiLauncher, ["validate", "--json", "--config", site.ConfigPath, "--token-file", "-"], stdin: site.Token(_users.Name("ok")));
        Assert.Equal(1, run.ExitCode);
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("account.group", json.GetProperty("reason").GetString());
        Assert.Contains($"in group '{_users.Group}'", json.GetProperty("detail").GetString());
        Assert.Contains($"deny_groups lists as '{_users.Alias}'", json.GetProperty("detail").GetString());
    }

    [RootFact]
    public void A_listed_group_that_does_not_exist_fails_closed_and_check_config_names_it()
    {
        string missing = $"clpol{_users.Suffix}-nosuch";
        using var site = new ConfigSite(accounts: $"accounts:\n  min_uid: 1000\n  deny_groups: [\"{missing}\"]\n");
        var run = Proc.Run(Dist.CiLauncher, ["validate", "--json", "--config", site.ConfigPath, "--token-file", "-"], stdin: site.Token(_users.Name("nogrp")));
        Assert.True(run.ExitCode == 2, $"exit {run.ExitCode}: {run.Stdout}{run.Stderr}");
        var json = JsonDocument.Parse(run.Stdout).RootElement;
        Assert.Equal("account.lookup_failed", json.GetProperty("reason").GetString());
        Assert.Contains($"accounts.deny_groups[0] names group '{missing}', which does not exist", json.GetProperty("detail").GetString());

        var check = Proc.Run(Dist.CiLauncher, ["check-config", "--config", site.ConfigPath]);
        Assert.Equal(2, check.ExitCode);
        Assert.Contains($"accounts.deny_groups[0]: group '{missing}' does not exist on this host", check.Stderr);
        // Control: the same check passes for groups that exist.
        var fine = Proc.Run(Dist.CiLauncher, ["check-config", "--config", _site.ConfigPath]);
        Assert.True(fine.ExitCode == 0, fine.Stderr);
    }

    [RootFact]
    public void Posix_database_reads_shadow_and_groups()
    {
        var db = new PosixAccountDatabase();
        Assert.Equal(ShadowState.Usable, db.Shadow(_users.Name("ok")));
        Assert.Equal(ShadowState.Usable, db.Shadow(_users.Name("nopw")));
        Assert.Equal(ShadowState.Locked, db.Shadow(_users.Name("lock")));
        Assert.Equal(ShadowState.Expired, db.Shadow(_users.Name("exp")));
        Assert.Equal(ShadowState.Unknown, db.Shadow("clpol-no-such-user"));
        var lookup = db.Lookup(_users.Name("ok"));
        Assert.Equal(LookupStatus.Found, lookup.Status);
        Assert.Equal(_users.Name("ok"), lookup.Account!.Groups[0].Name);
        Assert.Contains(lookup.Account.Groups, g => g.Name == _users.Group);
        Assert.Equal(LookupStatus.NotFound, db.Lookup("clpol-no-such-user").Status);
        var group = db.LookupGroup(_users.Group);
        Assert.Equal(LookupStatus.Found, group.Status);
        Assert.Equal(group.Gid, db.LookupGroup(_users.Alias).Gid);
        Assert.Equal(_users.Group, PosixAccountDatabase.GroupName(group.Gid));
        Assert.Equal(LookupStatus.NotFound, db.LookupGroup("clpol-no-such-group").Status);
    }
}
