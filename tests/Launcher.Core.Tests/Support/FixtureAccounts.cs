using Launcher.Core.Accounts;

namespace Launcher.Core.Tests.Support;

/// <summary>passwd/group/shadow data in memory, in the files' own formats.</summary>
public sealed class FixtureAccounts : IAccountDatabase
{
    public const string DefaultPasswd = """
        root:x:0:0:root:/root:/bin/bash
        daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin
        svc:x:999:999:system service:/var/lib/svc:/bin/bash
        alice:x:1001:1001:Alice:/home/alice:/bin/bash
        bob:x:1002:1002:Bob:/home/bob:/bin/zsh
        carol:x:1003:1003:Carol:/home/carol:/usr/sbin/nologin
        dave:x:1004:1004:Dave:/home/dave:/bin/false
        erin:x:1005:1005:Erin:/home/erin:/opt/weird/shell
        frank:x:1006:0:Frank:/home/frank:/bin/bash
        ci-runner:x:1500:1500:CI service account:/home/ci-runner:/bin/bash
        locked:x:1007:1007:Locked:/home/locked:/bin/bash
        expired:x:1008:1008:Expired:/home/expired:/bin/bash
        """;

    public const string DefaultGroup = """
        root:x:0:
        alice:x:1001:
        bob:x:1002:
        carol:x:1003:
        dave:x:1004:
        erin:x:1005:
        ci-runner:x:1500:
        locked:x:1007:
        expired:x:1008:
        hpc-users:x:5000:alice,bob,ci-runner
        banned:x:5001:bob
        """;

    private readonly Dictionary<string, string[]> _users = new(StringComparer.Ordinal);
    private readonly List<(string Name, uint Gid, string[] Members)> _groups = [];
    private readonly Dictionary<string, ShadowState> _shadow = new(StringComparer.Ordinal);

    public FixtureAccounts(string passwd = DefaultPasswd, string group = DefaultGroup)
    {
        foreach (var line in passwd.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split(':');
            _users[f[0]] = f;
        }
        foreach (var line in group.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var f = line.Split(':');
            _groups.Add((f[0], uint.Parse(f[2]), f[3].Split(',', StringSplitOptions.RemoveEmptyEntries)));
        }
        _shadow["locked"] = ShadowState.Locked;
        _shadow["expired"] = ShadowState.Expired;
    }

    /// <summary>Adds a user with a login shell and a private group of the same id.</summary>
    public void Add(string name, uint uid) => _users[name] = [name, "x", $"{uid}", $"{uid}", name, $"/home/{name}", "/bin/bash"];

    public IReadOnlySet<string> Shells { get; set; } = new HashSet<string> { "/bin/sh", "/bin/bash", "/bin/zsh", "/usr/bin/bash" };

    public bool FailLookups { get; set; }

    public AccountLookup Lookup(string name)
    {
        if (FailLookups) return AccountLookup.Failed("NSS backend unavailable (fixture)");
        if (!_users.TryGetValue(name, out var f)) return AccountLookup.NotFound;
        uint gid = uint.Parse(f[3]);
        var groups = _groups.Where(g => g.Gid == gid).Select(g => new GroupEntry(g.Gid, g.Name))
            .Concat(_groups.Where(g => g.Members.Contains(name) && g.Gid != gid).Select(g => new GroupEntry(g.Gid, g.Name)))
            .ToList();
        // A primary gid without a group line has no name, as getgrgid_r answers it.
        if (groups.Count == 0 || groups[0].Gid != gid) groups.Insert(0, new GroupEntry(gid, null));
        // Groups NSS lists for the user but cannot name (LDAP half down): FailGroupNames.
        groups = groups.Select(g => FailGroupNames.Contains(g.Gid) ? g with { Name = null } : g).ToList();
        return AccountLookup.Found(new Account(f[0], uint.Parse(f[2]), gid, f[5], f[6], groups));
    }

    /// <summary>gids whose names the fixture's group database cannot give (getgrgid_r fails or finds nothing).</summary>
    public HashSet<uint> FailGroupNames { get; } = [];

    /// <summary>When set, getgrnam_r fails for every name (NSS backend down).</summary>
    public bool FailGroupLookups { get; set; }

    public GroupLookup LookupGroup(string name)
    {
        if (FailGroupLookups) return GroupLookup.Failed("NSS backend unavailable (fixture)");
        return _groups.FirstOrDefault(g => g.Name == name) is { Name: not null } g ? GroupLookup.Found(g.Gid) : GroupLookup.NotFound;
    }

    public IReadOnlySet<string> SystemShells() => Shells;

    public ShadowState Shadow(string name) => _shadow.GetValueOrDefault(name, ShadowState.Usable);
}
