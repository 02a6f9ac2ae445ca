using System.Text;
using Launcher.Cli.Jwks;
using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Tokens;
using Launcher.Posix.Files;
using Launcher.Posix.Privileged;

namespace Launcher.Cli.Commands;

/// <summary>
/// <c>jwks refresh [--config FILE] [--issuer NAME]</c>: fetch each issuer's JWKS (its jwks_uri,
/// else through OpenID discovery), check that it holds a usable signing key, and atomically
/// replace the issuer's jwks_file. A failure keeps the old file: a broken fetch must never
/// leave the site without keys. Exit 0 all refreshed, 1 some issuer failed, 2 usage or config.
/// </summary>
public static class JwksRefreshCommand
{
    public const int MaxCaBytes = 1 << 20;

    public static int Run(IReadOnlyList<string> argv)
    {
        var args = CliArgs.Parse(argv, new HashSet<string> { "config", "issuer" }, new HashSet<string>());
        if (args.Positional.Count > 0) throw new UsageException($"unexpected argument '{args.Positional[0]}'");

        // Through the wrapper a refresh would write, with root's rights, key sets the whole site trusts.
        if (Site.RefuseUnlessRoot("jwks refresh")) return ExitCodes.UsageOrConfig;
        bool privileged = ProcessIdentity.IsPrivileged;
        var site = Site.Load(args.Get("config"), "jwks refresh");
        if (site is null) return ExitCodes.UsageOrConfig;
        var config = site.Config;
        string path = config.Path;

        IReadOnlyList<IssuerSettings> issuers = config.Issuers;
        if (args.Get("issuer") is { } name)
        {
            var one = config.IssuerByName(name)
                ?? throw new UsageException($"issuer '{name}' is not in {path} (configured: {string.Join(", ", config.Issuers.Select(i => i.Name))})");
            issuers = [one];
        }

        bool allOk = true;
        foreach (var issuer in issuers)
        {
            var refreshed = Refresh(issuer, privileged);
            if (refreshed.Ok)
            {
                var keys = refreshed.Value;
                Console.Out.WriteLine($"issuer '{issuer.Name}': wrote {keys.Keys.Count} signing key(s) ({string.Join(", ", keys.Keys.Select(k => k.KeyId))}) to {issuer.JwksFile}");
                foreach (var skipped in keys.Skipped)
                    Console.Error.WriteLine($"ci-launcher: warning: issuer '{issuer.Name}': ignored {skipped}");
            }
            else
            {
                Console.Error.WriteLine($"ci-launcher: {refreshed.Refusal.In($"issuer '{issuer.Name}'")}; kept the old {issuer.JwksFile}");
                allOk = false;
            }
        }
        return allOk ? 0 : ExitCodes.Denied;
    }

    /// <summary>One issuer: fetch, check, replace. Returns the key set written, or why not (the old file untouched).</summary>
    private static Outcome<KeySet> Refresh(IssuerSettings issuer, bool privileged)
    {
        // The destination is checked before any network traffic: a refresh that cannot be written is
        // pointless. A root process writing where others can write could be made to replace a file of
        // their choosing, and the readers would refuse the result anyway; the write below goes through
        // the same judged directory descriptor again.
        string dir = Path.GetDirectoryName(issuer.JwksFile) ?? "/";
        var judged = privileged ? TrustedFile.OpenDirectory(dir) : AtomicFile.OpenPlainDirectory(dir);
        if (!judged.Ok) return WriteFailed($"refusing to write jwks_file {issuer.JwksFile}: {judged.Refusal.Detail}");
        judged.Value.Dispose();

        string? ca = null;
        if (issuer.CaFile is not null)
        {
            // The CA bundle decides whom the fetch trusts, so it gets the same ownership rules as the config.
            var bytes = TrustedFile.Read(issuer.CaFile, privileged, MaxCaBytes);
            if (!bytes.Ok) return bytes.Refusal.AsSiteError(Reasons.JwksFetchFailed).In("ca_file");
            ca = Encoding.UTF8.GetString(bytes.Value);
        }

        var created = HttpFetcher.Create(issuer, ca);
        if (!created.Ok) return created.Refusal;
        using var fetcher = created.Value;

        string jwksUrl;
        if (issuer.JwksUri is not null)
        {
            jwksUrl = issuer.JwksUri;
        }
        else
        {
            string discoveryUrl = JwksLocation.DiscoveryUrl(issuer);
            var discovery = fetcher.Get(discoveryUrl);
            if (!discovery.Ok) return discovery.Refusal;
            var found = JwksLocation.FromDiscovery(discovery.Value, issuer, $"discovery document {discoveryUrl}");
            if (!found.Ok) return found.Refusal;
            jwksUrl = found.Value;
        }

        var fetched = fetcher.Get(jwksUrl);
        if (!fetched.Ok) return fetched.Refusal;
        byte[] body = fetched.Value;
        var keys = KeySet.Parse(body, $"the document at {jwksUrl}");
        if (!keys.Ok) return keys.Refusal;

        const UnixFileMode mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead;
        if (AtomicFile.Replace(issuer.JwksFile, body, mode, trustedDirectory: privileged, rootOwned: ProcessIdentity.EffectiveUid == 0) is { } notWritten)
            return notWritten.AsSiteError(Reasons.JwksWriteFailed);
        return keys;
    }

    private static Refusal WriteFailed(string message) => Refusal.SiteError(Reasons.JwksWriteFailed, message);
}
