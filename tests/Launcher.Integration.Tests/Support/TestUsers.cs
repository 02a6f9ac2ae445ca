using System.Diagnostics;

namespace Launcher.Integration.Tests.Support;

/// <summary>
/// Real accounts for one test (useradd), named with a prefix unique to the test area, removed on
/// dispose even when the test failed. Group names get the same treatment.
/// </summary>
public sealed class TestUsers : IDisposable
{
    private readonly string _prefix;
    private readonly List<string> _users = [];
    private readonly List<string> _groups = [];

    public TestUsers(string prefix) => _prefix = prefix;

    /// <summary>Creates a user without a home directory, shell /bin/bash; returns its name.</summary>
    public string User(string? supplementaryGroup = null)
    {
        string name = $"{_prefix}{Guid.NewGuid():N}"[..(_prefix.Length + 8)];
        var args = new List<string> { "-M", "-s", "/bin/bash", "-d", "/nonexistent" };
        if (supplementaryGroup is not null) { args.Add("-G"); args.Add(supplementaryGroup); }
        args.Add(name);
        Run("useradd", args);
        _users.Add(name);
        return name;
    }

    public string Group()
    {
        string name = $"{_prefix}g{Guid.NewGuid():N}"[..(_prefix.Length + 9)];
        Run("groupadd", [name]);
        _groups.Add(name);
        return name;
    }

    public static uint Uid(string user) => uint.Parse(Capture("id", ["-u", user]).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public static uint Gid(string user) => uint.Parse(Capture("id", ["-g", user]).Trim(), System.Globalization.CultureInfo.InvariantCulture);

    public void Dispose()
    {
        foreach (var u in _users)
        {
            // Anything the test left running as the user would make userdel fail.
            TryRun("pkill", ["-KILL", "-u", u]);
            TryRun("userdel", [u]);
        }
        foreach (var g in _groups) TryRun("groupdel", [g]);
    }

    private static void Run(string file, IEnumerable<string> args)
    {
        var r = Proc.Run(file, args);
        if (r.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed: {r.Stderr}");
    }

    private static void TryRun(string file, IEnumerable<string> args)
    {
        try { Proc.Run(file, args); }
        catch (Exception e) when (e is InvalidOperationException or System.ComponentModel.Win32Exception or TimeoutException) { }
    }

    private static string Capture(string file, IEnumerable<string> args)
    {
        var r = Proc.Run(file, args);
        if (r.ExitCode != 0) throw new InvalidOperationException($"{file} failed: {r.Stderr}");
        return r.Stdout;
    }
}
