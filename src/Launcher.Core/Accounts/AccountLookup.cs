namespace Launcher.Core.Accounts;

public enum LookupStatus
{
    Found,
    /// <summary>The name is not in the user database: its own result, never an empty account.</summary>
    NotFound,
    /// <summary>NSS failed (LDAP down, ERANGE...): site trouble, not a denial of the user.</summary>
    Error,
}

public sealed record AccountLookup(LookupStatus Status, Account? Account, string? Error = null)
{
    public static AccountLookup NotFound { get; } = new(LookupStatus.NotFound, null);
    public static AccountLookup Found(Account account) => new(LookupStatus.Found, account);
    public static AccountLookup Failed(string error) => new(LookupStatus.Error, null, error);
}

/// <summary>A group name resolved to its gid (getgrnam_r): found, not found, or NSS trouble.</summary>
public sealed record GroupLookup(LookupStatus Status, uint Gid, string? Error = null)
{
    public static GroupLookup NotFound { get; } = new(LookupStatus.NotFound, 0);
    public static GroupLookup Found(uint gid) => new(LookupStatus.Found, gid);
    public static GroupLookup Failed(string error) => new(LookupStatus.Error, 0, error);
}
