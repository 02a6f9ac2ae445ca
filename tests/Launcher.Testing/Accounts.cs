using System.Globalization;

namespace Launcher.Testing;

/// <summary>
/// Real accounts and groups for tests (useradd, groupadd), named <c>prefix + role + tag</c> with a
/// prefix per test area and a tag per instance, so parallel test classes and an earlier crashed run
/// never collide. Dispose removes them even after a failed test: processes the test recorded
/// (<see cref="Track"/>) and the users' own are killed first, then userdel, groupdel.
/// </summary>
public sealed class Accounts(string prefix) : IDisposable
{
    private readonly List<(string Name, bool Home)> _users = [];
    private readonly List<string> _groups = [];
    private readonly List<int> _pids = [];
    private readonly string _tag = Guid.NewGuid().ToString("N")[..6];
    private int _unnamed;

    /// <summary>prefix + role + tag, e.g. cllchr3fa9c1 (user names stay well under 32 bytes).</summary>
    public string Name(string role) => $"{prefix}{role}{_tag}";

    /// <param name="role">Names the account; null: a fresh one (u1, u2, ...).</param>
    /// <param name="groups">Supplementary groups.</param>
    /// <param name="home">Creates the home directory (useradd -m); otherwise the home is /nonexistent.</param>
    /// <param name="system">A system account (uid below 1000), for the min_uid refusals.</param>
    /// <param name="options">More useradd options, e.g. -s /usr/sbin/nologin, -p HASH, -u UID.</param>
    public string User(string? role = null, IEnumerable<string>? groups = null, bool home = false, bool system = false, IEnumerable<string>? options = null)
    {
        string name = Name(role ?? $"u{++_unnamed}");
        var args = new List<string>(home ? ["-m"] : ["-M", "-d", "/nonexistent"]);
        if (system) args.Add("-r");
        if (groups?.ToList() is { Count: > 0 } g) { args.Add("-G"); args.Add(string.Join(',', g)); }
        args.AddRange(options ?? []);
        if (!args.Contains("-s")) args.AddRange(["-s", "/bin/bash"]);
        args.Add(name);
        _users.Add((name, home));
        Shadow("useradd", [.. args]);
        return name;
    }

    /// <param name="sameGidAs">Another name for this group's gid (groupadd -o): getgrgid names the gid by the first.</param>
    public string Group(string? role = null, string? sameGidAs = null)
    {
        string name = Name("g" + (role ?? $"{++_unnamed}"));
        _groups.Add(name);
        Shadow("groupadd", sameGidAs is null ? [name] : ["-o", "-g", GroupGid(sameGidAs).ToString(CultureInfo.InvariantCulture), name]);
        return name;
    }

    /// <summary>usermod on an account made here, e.g. -L (lock), -e 1 (expired).</summary>
    public void Modify(string user, params string[] options) => Shadow("usermod", [.. options, user]);

    /// <summary>A process a test started (by id) that must not outlive the test: its process group is killed on dispose.</summary>
    public void Track(int pid) => _pids.Add(pid);

    public static uint Uid(string user) => Number(Proc.Must("id", "-u", user));

    public static uint Gid(string user) => Number(Proc.Must("id", "-g", user));

    public static uint GroupGid(string group) => Number(Proc.Must("getent", "group", group).Split(':')[2]);

    public static string Home(string user) => Proc.Must("getent", "passwd", user).Split(':')[5];

    /// <summary>The highest uid in <paramref name="from"/>..<paramref name="to"/> no account has.</summary>
    public static int FreeUid(int from, int to)
    {
        var used = File.ReadAllLines("/etc/passwd").Select(l => l.Split(':')).Where(f => f.Length > 2).Select(f => f[2]).ToHashSet();
        for (int uid = to; uid >= from; uid--)
            if (!used.Contains(uid.ToString(CultureInfo.InvariantCulture))) return uid;
        throw new InvalidOperationException($"no free uid in {from}..{to}");
    }

    public void Dispose()
    {
        foreach (int pid in _pids)
        {
            // A job's process group id is its pid; kill the group, then the process itself.
            Proc.Run("kill", ["-KILL", "--", $"-{pid}"]);
            Proc.Run("kill", ["-KILL", $"{pid}"]);
        }
        foreach (var (user, home) in Enumerable.Reverse(_users))
        {
            // Anything the test left running as the user would make userdel fail.
            Proc.Run("pkill", ["-KILL", "-u", user]);
            Shadow("userdel", home ? ["-r", "-f", user] : ["-f", user], mustSucceed: false);
        }
        foreach (string group in Enumerable.Reverse(_groups)) Shadow("groupdel", [group], mustSucceed: false);
        _pids.Clear();
        _users.Clear();
        _groups.Clear();
    }

    private static uint Number(string text) => uint.Parse(text.Trim(), CultureInfo.InvariantCulture);

    /// <summary>Runs a shadow-utils tool, retrying while another test holds the passwd lock (exit 10).</summary>
    private static void Shadow(string tool, string[] args, bool mustSucceed = true)
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
            if (!mustSucceed) return;
            throw new InvalidOperationException($"{tool} {string.Join(' ', args)} failed ({r.ExitCode}): {r.Stderr.Trim()}");
        }
    }
}
