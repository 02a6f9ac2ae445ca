using Launcher.Integration.Tests.Support;

namespace Launcher.Pam.Tests.Support;

/// <summary>A real account (useradd) with the clpam prefix, removed on dispose even when the test failed.</summary>
public sealed class TestUser : IDisposable
{
    public TestUser()
    {
        Name = "clpam" + Guid.NewGuid().ToString("N")[..8];
        var r = Proc.Run("useradd", ["-M", "-d", "/nonexistent", "-s", "/bin/bash", "-K", "UID_MIN=20000", Name]);
        if (r.ExitCode != 0) throw new InvalidOperationException($"useradd {Name}: {r.Stderr}");
    }

    public string Name { get; }

    public void Dispose() => Proc.Run("userdel", ["-f", Name]);
}
