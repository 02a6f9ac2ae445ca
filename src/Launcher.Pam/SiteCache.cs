using Launcher.Core.Authorization;
using Launcher.Posix.Files;

namespace Launcher.Pam;

/// <summary>
/// The loaded sites of this process, one per config path, kept while the config file's inode,
/// device, size and mtime stay the same. A login in steady state therefore costs one statx of
/// the config, one of the jwks_file (JwksFileKeySource keeps the parsed keys the same way) and
/// one signature check; an edited or replaced config is picked up by the next login without
/// restarting sshd. Thread-safe: sshd and login are single-threaded, but a PAM host may not be.
/// </summary>
public static class SiteCache
{
    private static readonly Lock Gate = new();
    private static readonly Dictionary<string, (FileStatus Status, PamSite Site)> Sites = new(StringComparer.Ordinal);

    public static PamSite? Get(string path, out PamOutcome? failure)
    {
        var status = FileSystem.Stat(path, out string? error);
        if (status is null)
        {
            lock (Gate) Sites.Remove(path);
            failure = new PamOutcome(PamResult.Unavailable, Reasons.ConfigInvalid, $"config {path}: {error}");
            return null;
        }
        lock (Gate)
        {
            if (Sites.TryGetValue(path, out var cached) && SameFile(cached.Status, status.Value))
            {
                failure = null;
                return cached.Site;
            }
        }
        // Loading happens outside the lock: a slow NFS read must not stall logins using another config.
        // Two threads may both load after a change; the last one wins, and both results are valid.
        var site = PamSite.Load(path, out failure);
        if (site is null)
        {
            lock (Gate) Sites.Remove(path);
            return null;
        }
        lock (Gate) Sites[path] = (status.Value, site);
        return site;
    }

    private static bool SameFile(FileStatus a, FileStatus b) =>
        a.Inode == b.Inode && a.Device == b.Device && a.Size == b.Size && a.MtimeSec == b.MtimeSec && a.MtimeNsec == b.MtimeNsec;
}
