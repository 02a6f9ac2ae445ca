using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Launch;

/// <summary>
/// Real accounts and groups for the launch tests (prefix <c>cllch</c>), removed on dispose even
/// when a test failed: processes the tests recorded are killed first, then userdel -r, groupdel.
/// </summary>
public sealed class TestAccounts : IDisposable
{
    private readonly List<string> _users = [];
    private readonly List<string> _groups = [];
    private readonly List<int> _pids = [];
    private readonly string _tag = Guid.NewGuid().ToString("N")[..5];

    /// <summary>&lt;parent&gt;/&lt;user&gt;, of which the user owns only the last component (as create_dirs "&lt;parent&gt;/{user}" expands).</summary>
    public static Launcher.Core.Paths.UserPath JobDirectory(string parent, string user) =>
        new($"{parent}/{user}", parent.Count(c => c == '/'));

    /// <summary>A name unique to this run: cllch + role letter + tag (user names stay under 32 bytes).</summary>
    public string Name(string role) => $"cllch{role}{_tag}";

    public string Group(string role)
    {
        string name = Name(role);
        Must(Proc.Run("/usr/sbin/groupadd", [name]), "groupadd");
        _groups.Add(name);
        return name;
    }

    /// <param name="system">A system account (uid below 1000), for the min_uid refusal.</param>
    public string User(string role, IEnumerable<string>? groups = null, bool system = false)
    {
        string name = Name(role);
        var args = new List<string> { "-m", "-s", "/bin/bash" };
        if (system) args.Add("-r");
        if (groups?.ToList() is { Count: > 0 } g) { args.Add("-G"); args.Add(string.Join(',', g)); }
        args.Add(name);
        _users.Add(name);
        Must(Proc.Run("/usr/sbin/useradd", args), "useradd");
        return name;
    }

    public static uint Uid(string user) => uint.Parse(Proc.Run("/usr/bin/id", ["-u", user]).Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public static uint Gid(string user) => uint.Parse(Proc.Run("/usr/bin/id", ["-g", user]).Stdout.Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public static uint GroupGid(string group) =>
        uint.Parse(Proc.Run("/usr/bin/getent", ["group", group]).Stdout.Split(':')[2], System.Globalization.CultureInfo.InvariantCulture);

    public static string Home(string user) => Proc.Run("/usr/bin/getent", ["passwd", user]).Stdout.Split(':')[5];

    /// <summary>Running (a zombie waiting for its reaper does not count), after at most a second's grace for the reaper.</summary>
    public static bool Alive(int pid)
    {
        for (int i = 0; i < 20; i++)
        {
            string stat;
            try { stat = File.ReadAllText($"/proc/{pid}/stat"); }
            catch (IOException) { return false; }
            if (stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z')) return false;
            Thread.Sleep(50);
        }
        return true;
    }

    /// <summary>A process a test started (by id) that must not outlive the test.</summary>
    public void Track(int pid) => _pids.Add(pid);

    public void Dispose()
    {
        foreach (int pid in _pids)
        {
            // The job's process group id is its pid; kill the group, then the process itself.
            Proc.Run("/bin/kill", ["-KILL", "--", $"-{pid}"]);
            Proc.Run("/bin/kill", ["-KILL", $"{pid}"]);
        }
        foreach (string user in _users) Proc.Run("/usr/sbin/userdel", ["-r", "-f", user]);
        foreach (string group in _groups) Proc.Run("/usr/sbin/groupdel", [group]);
    }

    private static void Must(ProcResult r, string what)
    {
        if (r.ExitCode != 0) throw new InvalidOperationException($"{what} failed: {r.Stderr}");
    }
}
