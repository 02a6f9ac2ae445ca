using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Issuing;
using Launcher.Posix.Keys;

namespace Launcher.Cli.Commands;

/// <summary>
/// <c>keys generate|activate|retire|list</c>: the site key rotation. The one sequence:
/// generate (published, not signing) -> jwks export, wait for relying parties to fetch ->
/// activate (signs; the old key drains) -> retire the old key once its tokens have expired.
/// </summary>
public static class KeysCommand
{
    public static int Run(IReadOnlyList<string> argv)
    {
        if (argv.Count == 0) throw new UsageException("missing subcommand (generate, activate, retire, list)");
        string sub = argv[0];
        var args = CliArgs.Parse(argv.Skip(1).ToList(), new HashSet<string> { "config", "alg" }, new HashSet<string> { "compromised" }, KeyRing.IsThumbprint);
        if (sub != "generate" && args.Has("alg")) throw new UsageException("--alg applies to 'keys generate' only");
        if (sub != "retire" && args.Has("compromised")) throw new UsageException("--compromised applies to 'keys retire' only");
        if (Site.RefuseUnlessAdmin($"keys {sub}")) return ExitCodes.UsageOrConfig;

        var site = Site.Load(args.Get("config"), "keys");
        if (site is null) return ExitCodes.UsageOrConfig;
        if (site.Config.Issuing is not { } issuing)
        {
            Console.Error.WriteLine($"ci-launcher: {Reasons.IssuingNotConfigured}: {site.Config.Path} has no 'issuing:' section (issuer, key_dir, audiences, from_issuers)");
            return ExitCodes.UsageOrConfig;
        }
        var dir = new KeyDirectory(issuing.KeyDir);
        return sub switch
        {
            "generate" => Generate(site, issuing, dir, args),
            "activate" => Change(site, issuing, dir, args, "activate"),
            "retire" => Change(site, issuing, dir, args, "retire"),
            "list" => List(issuing, dir, args),
            _ => throw new UsageException($"unknown subcommand '{sub}' (generate, activate, retire, list)"),
        };
    }

    private static int Generate(Site site, IssuingSettings issuing, KeyDirectory dir, CliArgs args)
    {
        if (args.Positional.Count > 0) throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        string alg = args.Get("alg") ?? "ES256";
        if (!SiteKey.SupportedAlgorithms.Contains(alg)) throw new UsageException($"--alg '{alg}' must be ES256 or RS256");
        if (dir.EnsureExists() is { } unusable) return Fail(unusable);
        var locked = LockRing(dir);
        if (!locked.Ok) return Fail(locked.Refusal);
        var (guard, ring) = locked.Value;
        using var held = guard;

        using var key = SiteKey.Generate(alg);
        dir.WritePrivateKey(key);
        dir.SaveRing(ring.Add(new KeyEntry(key.KeyId, alg, KeyState.Published, site.Clock.GetUtcNow().ToUnixTimeSeconds())));
        Audit(site, "keys generate", key.KeyId);
        Console.Out.WriteLine(key.KeyId);
        Console.Error.WriteLine($"ci-launcher: generated {alg} key {key.KeyId} ({dir.KeyFile(key.KeyId)}); it is published but not signing. " +
            "Run 'ci-launcher jwks export --output ...', wait until relying parties have fetched it, then 'ci-launcher keys activate " + key.KeyId + "'");
        return ExitCodes.Allowed;
    }

    private static int Change(Site site, IssuingSettings issuing, KeyDirectory dir, CliArgs args, string action)
    {
        var operands = args.Positional.Concat(args.Rest).ToList();
        if (operands.Count != 1) throw new UsageException($"keys {action} takes one KID (see 'ci-launcher keys list')");
        string kid = operands[0];
        var locked = LockRing(dir);
        if (!locked.Ok) return Fail(locked.Refusal);
        var (guard, ring) = locked.Value;
        using var held = guard;
        var now = site.Clock.GetUtcNow();
        Outcome<KeyRing> changed;
        if (ring.Find(kid) is null)
            return Fail(Refusal.Unlabelled($"key '{kid}' is not in the key ring {dir.RingFile} ({ring.Describe()}); see 'ci-launcher keys list'"), Reasons.IssuingRotation);
        if (action == "activate")
        {
            // Refuse to make a key sign that could not be loaded when the first job asks for a token.
            var key = dir.LoadPrivateKey(kid);
            if (!key.Ok) return Fail(key.Refusal);
            key.Value.Dispose();
            changed = ring.Activate(kid, now, issuing.MaxLifetime);
        }
        else
        {
            // A compromised key must stop verifying at once, even if tokens it signed are still valid:
            // the attacker's tokens look exactly like them. It still cannot be the signing key.
            changed = ring.Retire(kid, now, issuing.MaxLifetime, issuing.ClockSkew, compromised: args.Has("compromised"));
        }
        if (!changed.Ok) return Fail(changed.Refusal, Reasons.IssuingRotation);
        dir.SaveRing(changed.Value);
        if (action == "retire") dir.DeletePrivateKey(kid);
        Audit(site, $"keys {action}", kid);
        Console.Error.WriteLine(action == "activate"
            ? $"ci-launcher: key {kid} now signs site tokens{(ring.Signing is { } old ? $"; {old.KeyId} is draining and can be retired after {KeyRing.RetireableAt(changed.Value.Find(old.KeyId)!, issuing.MaxLifetime, issuing.ClockSkew):u}" : "")}"
            : $"ci-launcher: key {kid} retired{(args.Has("compromised") ? " as compromised (tokens it signed stop verifying once the JWKS is re-exported)" : "")} and its private key deleted; run 'ci-launcher jwks export --output ...' to unpublish it");
        return ExitCodes.Allowed;
    }

    private static int List(IssuingSettings issuing, KeyDirectory dir, CliArgs args)
    {
        if (args.Positional.Count > 0) throw new UsageException($"unexpected argument '{args.Positional[0]}'");
        var loaded = dir.LoadRing();
        if (!loaded.Ok) return Fail(loaded.Refusal);
        foreach (var k in loaded.Value.Keys)
        {
            string when = k.State switch
            {
                KeyState.Signing => $"signing since {DateTimeOffset.FromUnixTimeSeconds(k.SigningSince ?? k.Created):u}",
                KeyState.Draining => $"draining, retire after {KeyRing.RetireableAt(k, issuing.MaxLifetime, issuing.ClockSkew):u}",
                _ => $"published since {DateTimeOffset.FromUnixTimeSeconds(k.Created):u}, not signing",
            };
            Console.Out.WriteLine($"{k.KeyId}  {k.Algorithm}  {k.State.ToString().ToLowerInvariant()}  {when}");
        }
        return ExitCodes.Allowed;
    }

    private static void Audit(Site site, string command, string kid)
    {
        var decision = Decision.Allow(command);
        site.Record(decision, command, new Dictionary<string, string> { ["kid"] = kid });
    }

    /// <summary>The key directory locked for one rotation step, and its ring read under the lock.</summary>
    private static Outcome<(IDisposable Lock, KeyRing Ring)> LockRing(KeyDirectory dir)
    {
        var locked = dir.Lock();
        if (!locked.Ok) return locked.Refusal;
        var ring = dir.LoadRing();
        if (ring.Ok) return Outcome.Of((locked.Value, ring.Value));
        locked.Value.Dispose();
        return ring.Refusal;
    }

    /// <summary>The key directory's problems are issuing.key_unavailable; a rotation the ring refuses is issuing.rotation.</summary>
    private static int Fail(Refusal refusal, string reason = Reasons.IssuingKeyUnavailable)
    {
        Console.Error.WriteLine($"ci-launcher: {refusal.AsSiteError(reason)}");
        return ExitCodes.UsageOrConfig;
    }
}
