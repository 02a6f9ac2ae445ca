using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Policy;

/// <summary>
/// Real accounts for the policy tests, made with useradd (prefix clpol + a random suffix) and
/// removed in Dispose, also when a test or the setup itself fails half way.
/// </summary>
public sealed class PolicyUsers : IDisposable
{
    private readonly List<string> _users = [];
    private readonly List<string> _groups = [];

    public PolicyUsers()
    {
        Suffix = Guid.NewGuid().ToString("N")[..6];
        if (!RootFactAttribute.IsRoot()) return;
        try
        {
            Group = Name("g");
            AddGroup(Group);
            // A second name for the same gid (groupadd -o): getgrgid names the gid by the first.
            Alias = Name("a");
            Sh("groupadd", "-o", "-g", GidOf(Group), Alias);
            _groups.Add(Alias);
            // A password hash, so usermod -L has something to lock ("!" + hash).
            const string Hash = "$6$clpol$Jx1Qn0dFh2sN9vO3pY7zK8wL4mR6tU5eA1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tU1vW2xY3zA4bC5dE6fG7hI.";
            User("ok", "-G", Group, "-s", "/bin/bash", "-p", Hash);
            User("nopw", "-G", Group, "-s", "/bin/bash");                  // shadow '!': never had a password, not locked
            User("nolog", "-G", Group, "-s", "/usr/sbin/nologin");
            User("lock", "-G", Group, "-s", "/bin/bash", "-p", Hash);
            Sh("usermod", "-L", Name("lock"));
            User("exp", "-G", Group, "-s", "/bin/bash", "-p", Hash);
            Sh("usermod", "-e", "1", Name("exp"));                       // expired on 1970-01-02
            User("low", "-G", Group, "-s", "/bin/bash", "-u", FreeUid(500, 999).ToString(System.Globalization.CultureInfo.InvariantCulture));
            User("nogrp", "-s", "/bin/bash");                             // not in the supplementary group
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    public string Suffix { get; }

    /// <summary>The supplementary group every user but <c>nogrp</c> is in.</summary>
    public string Group { get; private set; } = "";

    /// <summary>Another group name with <see cref="Group"/>'s gid.</summary>
    public string Alias { get; private set; } = "";

    /// <summary>clpol + suffix + role, e.g. clpol3fa9c1-lock (well under 32 bytes).</summary>
    public string Name(string role) => $"clpol{Suffix}-{role}";

    public void Dispose()
    {
        foreach (var user in Enumerable.Reverse(_users))
            Proc.Run("userdel", [user]);
        foreach (var group in _groups)
            Proc.Run("groupdel", [group]);
        _users.Clear();
        _groups.Clear();
    }

    private void User(string role, params string[] options)
    {
        string name = Name(role);
        Sh("useradd", [.. options, "-M", "-d", "/nonexistent", name]);
        _users.Add(name);
    }

    private void AddGroup(string name)
    {
        Sh("groupadd", name);
        _groups.Add(name);
    }

    private static string GidOf(string group) =>
        File.ReadAllLines("/etc/group").Select(l => l.Split(':')).Single(f => f[0] == group)[2];

    private static int FreeUid(int from, int to)
    {
        var used = File.ReadAllLines("/etc/passwd").Select(l => l.Split(':')).Where(f => f.Length > 2).Select(f => f[2]).ToHashSet();
        for (int uid = to; uid >= from; uid--)
            if (!used.Contains(uid.ToString(System.Globalization.CultureInfo.InvariantCulture))) return uid;
        throw new InvalidOperationException($"no free uid in {from}..{to}");
    }

    /// <summary>Runs a shadow-utils tool, retrying while another process holds the passwd lock (exit 10).</summary>
    private static void Sh(string tool, params string[] args)
    {
        for (int attempt = 0; ; attempt++)
        {
            var r = Proc.Run(tool, args);
            if (r.ExitCode == 0) return;
            if (r.ExitCode == 10 && attempt < 20)
            {
                Thread.Sleep(250);
                continue;
            }
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({r.ExitCode}): {r.Stderr.Trim()}");
        }
    }
}
