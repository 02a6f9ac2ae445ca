using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Tokens;
using Launcher.Posix.Files;

namespace Launcher.Posix.Keys;

/// <summary>
/// Reads each issuer's jwks_file (trusted-file rules apply when privileged) and keeps the parsed
/// set while the file's inode, size and mtime stay the same, so a long-lived process (the PAM
/// library) re-reads a key set only after 'jwks refresh' replaced it. Thread-safe.
/// </summary>
public sealed class JwksFileKeySource(bool mustBeTrusted) : IKeySource
{
    public const long MaxJwksBytes = 1 << 20;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (FileStatus Status, KeySet Keys)> _cache = new(StringComparer.Ordinal);

    public Outcome<KeySet> GetKeys(IssuerSettings issuer)
    {
        string path = issuer.JwksFile;
        var status = FileSystem.Stat(path);
        if (!status.Ok)
            return Refusal.SiteError(Reasons.JwksUnavailable, $"issuer '{issuer.Name}': jwks_file {path}: {status.Refusal.Detail} (run 'ci-launcher jwks refresh')");
        lock (_lock)
        {
            if (_cache.TryGetValue(path, out var cached) && SameFile(cached.Status, status.Value))
                return Outcome.Of(cached.Keys);
        }
        var bytes = TrustedFile.Read(path, mustBeTrusted, MaxJwksBytes);
        if (!bytes.Ok)
            return bytes.Refusal.AsSiteError(Reasons.JwksUnavailable).In($"issuer '{issuer.Name}'");
        var keys = KeySet.Parse(bytes.Value, $"issuer '{issuer.Name}' jwks_file {path}");
        if (keys.Ok)
            lock (_lock) _cache[path] = (status.Value, keys.Value);
        return keys;
    }

    private static bool SameFile(FileStatus a, FileStatus b) =>
        a.Inode == b.Inode && a.Device == b.Device && a.Size == b.Size && a.MtimeSec == b.MtimeSec && a.MtimeNsec == b.MtimeNsec;
}
