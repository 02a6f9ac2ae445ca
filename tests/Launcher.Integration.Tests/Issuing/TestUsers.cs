using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Issuing;

/// <summary>Two real accounts (prefix cliss-) for the issuing tests, removed when the class is done, even after failures.</summary>
public sealed class TestUsers : IDisposable
{
    public TestUsers()
    {
        if (!RootFactAttribute.IsRoot()) return;
        string suffix = Guid.NewGuid().ToString("N")[..6];
        A = Create($"cliss-a{suffix}");
        B = Create($"cliss-b{suffix}");
    }

    public (string Name, uint Uid) A { get; }
    public (string Name, uint Uid) B { get; }

    private readonly List<string> _created = [];

    private (string, uint) Create(string name)
    {
        var r = Proc.Run("useradd", ["-M", "-s", "/bin/bash", "-K", "UID_MIN=20000", "-K", "UID_MAX=29999", name]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"useradd {name}: {r.Stderr}");
        _created.Add(name);
        var id = Proc.Run("id", ["-u", name]);
        return (name, uint.Parse(id.Stdout.Trim()));
    }

    public void Dispose()
    {
        foreach (var name in _created) Proc.Run("userdel", [name]);
    }
}
