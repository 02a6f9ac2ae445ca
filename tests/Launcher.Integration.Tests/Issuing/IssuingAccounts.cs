namespace Launcher.Integration.Tests.Issuing;

/// <summary>Two real accounts (prefix cliss) for the issuing tests, removed when the class is done, even after failures.</summary>
public sealed class IssuingAccounts : IDisposable
{
    private readonly Accounts _accounts = new("cliss");

    public IssuingAccounts()
    {
        if (!RootFactAttribute.IsRoot()) return;
        A = Create("a");
        B = Create("b");
    }

    public (string Name, uint Uid) A { get; }
    public (string Name, uint Uid) B { get; }

    private (string, uint) Create(string role)
    {
        string name = _accounts.User(role, options: ["-K", "UID_MIN=20000", "-K", "UID_MAX=29999"]);
        return (name, Accounts.Uid(name));
    }

    public void Dispose() => _accounts.Dispose();
}
