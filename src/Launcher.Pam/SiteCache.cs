using Launcher.Core.Authorization;
using Launcher.Posix;
using Launcher.Posix.Files;
using Launcher.Posix.Logging;

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
    private static readonly Dictionary<string, (FileStatus Status, SiteServices Site)> Sites = new(StringComparer.Ordinal);

    /// <summary>The site of <paramref name="path"/>, or the config's (first) problem, a site error.</summary>
    public static Outcome<SiteServices> Get(string path)
    {
        var status = FileSystem.Stat(path);
        if (!status.Ok)
        {
            lock (Gate) Sites.Remove(path);
            return status.Refusal.AsSiteError(Reasons.ConfigInvalid).In($"config {path}");
        }
        lock (Gate)
        {
            if (Sites.TryGetValue(path, out var cached) && SameFile(cached.Status, status.Value))
                return Outcome.Of(cached.Site);
        }
        // Loading happens outside the lock: a slow NFS read must not stall logins using another config.
        // Two threads may both load after a change; the last one wins, and both results are valid.
        var (site, errors) = SiteServices.Load(path, AuditSinks.PamTag);
        if (site is null)
        {
            lock (Gate) Sites.Remove(path);
            if (errors.Count == 0) return Refusal.SiteError(Reasons.ConfigInvalid, path);
            string more = errors.Count > 1 ? $" (and {errors.Count - 1} more; run 'ci-launcher check-config --config {path}')" : "";
            return Refusal.SiteError(errors[0].Reason, errors[0] + more);
        }
        lock (Gate) Sites[path] = (status.Value, site);
        return Outcome.Of(site);
    }

    private static bool SameFile(FileStatus a, FileStatus b) =>
        a.Inode == b.Inode && a.Device == b.Device && a.Size == b.Size && a.MtimeSec == b.MtimeSec && a.MtimeNsec == b.MtimeNsec;
}
