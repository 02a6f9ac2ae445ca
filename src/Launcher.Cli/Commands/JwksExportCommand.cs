using System.Text;
using Launcher.Core.Authorization;
using Launcher.Core.Issuing;
using Launcher.Posix.Files;
using Launcher.Posix.Keys;

namespace Launcher.Cli.Commands;

/// <summary>
/// <c>jwks export</c>: the public JWKS of every key in the key ring (published, signing and
/// draining), or with --openid-configuration the discovery document pointing at it. Both are
/// static files for the site web server; --output replaces the file atomically.
/// </summary>
public static class JwksExportCommand
{
    public static int Run(IReadOnlyList<string> argv)
    {
        var args = CliArgs.Parse(argv, new HashSet<string> { "config", "output" }, new HashSet<string> { "openid-configuration" });
        if (args.Positional.Count > 0) throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        if (Site.RefuseUnlessAdmin("jwks export")) return ExitCodes.UsageOrConfig;

        var site = Site.Load(args.Get("config"), "jwks export");
        if (site is null) return ExitCodes.UsageOrConfig;
        if (site.Config.Issuing is not { } issuing)
        {
            Console.Error.WriteLine($"ci-launcher: {Reasons.IssuingNotConfigured}: {site.Config.Path} has no 'issuing:' section");
            return ExitCodes.UsageOrConfig;
        }
        var dir = new KeyDirectory(issuing.KeyDir);
        var loaded = dir.LoadRing();
        if (!loaded.Ok) return Fail(loaded.Refusal.Detail);
        var ring = loaded.Value;
        if (ring.Keys.Count == 0) return Fail($"the key ring in {issuing.KeyDir} is empty; run 'ci-launcher keys generate' first");

        string document;
        if (args.Has("openid-configuration"))
        {
            document = SiteJwks.OpenIdConfiguration(issuing.Issuer, ring.Keys.Select(k => k.Algorithm), issuing.Claims);
        }
        else
        {
            // Public keys are derived from the private ones, so the JWKS can never list a key that cannot sign.
            var keys = new List<SiteKey>();
            try
            {
                foreach (var entry in ring.Keys)
                {
                    var key = dir.LoadPrivateKey(entry.KeyId);
                    if (!key.Ok) return Fail(key.Refusal.Detail);
                    keys.Add(key.Value);
                }
                document = SiteJwks.Jwks(keys);
            }
            finally
            {
                foreach (var key in keys) key.Dispose();
            }
        }

        if (args.Get("output") is { } output)
        {
            AtomicFile.Write(output, Encoding.UTF8.GetBytes(document), UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            Console.Error.WriteLine($"ci-launcher: wrote {output} ({ring.Keys.Count} key(s))");
        }
        else
        {
            Console.Out.Write(document);
        }
        return ExitCodes.Allowed;
    }

    private static int Fail(string problem)
    {
        Console.Error.WriteLine($"ci-launcher: {Reasons.IssuingKeyUnavailable}: {problem}");
        return ExitCodes.UsageOrConfig;
    }
}
