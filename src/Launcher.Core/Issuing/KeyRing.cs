using System.Text;
using System.Text.Json;
using Launcher.Core.Authorization;

namespace Launcher.Core.Issuing;

/// <summary>
/// The key-state file (key_dir/keyring.json): which keys exist, which one signs, and since when a
/// retired signer has been draining. Transitions are pure functions of the ring and the clock;
/// Launcher.Posix stores the result atomically.
/// <code>
///   keys generate -> Published --keys activate--> Signing --keys activate OTHER--> Draining --keys retire--> (deleted)
/// </code>
/// </summary>
public sealed class KeyRing
{
    public const string FileName = "keyring.json";

    private KeyRing(IReadOnlyList<KeyEntry> keys) => Keys = keys;

    public static KeyRing Empty { get; } = new([]);

    public IReadOnlyList<KeyEntry> Keys { get; }

    public KeyEntry? Signing => Keys.FirstOrDefault(k => k.State == KeyState.Signing);

    public KeyEntry? Find(string kid) => Keys.FirstOrDefault(k => k.KeyId == kid);

    public KeyRing Add(KeyEntry entry) => new([.. Keys, entry]);

    /// <summary>
    /// Makes <paramref name="kid"/> the signing key; the previous signer starts draining now. The
    /// new key must already be published (generated earlier), which is what lets relying parties
    /// fetch it before its first token.
    /// </summary>
    public Outcome<KeyRing> Activate(string kid, DateTimeOffset now, TimeSpan maxLifetime)
    {
        var target = Find(kid);
        if (target is null) return Refusal.Unlabelled($"no key '{kid}' in the key ring ({Describe()})");
        if (target.State == KeyState.Signing) return Refusal.Unlabelled($"key '{kid}' is already the signing key");
        long t = now.ToUnixTimeSeconds();
        long lifetime = (long)maxLifetime.TotalSeconds;
        var keys = Keys.Select(k =>
            k.KeyId == kid ? k with { State = KeyState.Signing, SigningSince = t, SigningUntil = null, MaxLifetimeSeconds = Math.Max(k.MaxLifetimeSeconds, lifetime) }
            : k.State == KeyState.Signing ? k with { State = KeyState.Draining, SigningUntil = t, MaxLifetimeSeconds = Math.Max(k.MaxLifetimeSeconds, lifetime) }
            : k).ToList();
        return Outcome.Of(new KeyRing(keys));
    }

    /// <summary>The earliest time <paramref name="entry"/> may leave the JWKS, or null when it is signing.</summary>
    public static DateTimeOffset? RetireableAt(KeyEntry entry, TimeSpan maxLifetime, TimeSpan clockSkew) => entry.State switch
    {
        KeyState.Published => DateTimeOffset.MinValue,
        KeyState.Draining => DateTimeOffset.FromUnixTimeSeconds(entry.SigningUntil!.Value
            + Math.Max(entry.MaxLifetimeSeconds, (long)maxLifetime.TotalSeconds) + (long)clockSkew.TotalSeconds),
        _ => null,
    };

    /// <summary>
    /// Removes <paramref name="kid"/> from the ring (its private key is then deleted and it leaves
    /// the JWKS). A signing key cannot be retired, and a draining one only after every token it
    /// signed is past exp plus the relying parties' clock skew.
    /// </summary>
    /// <param name="compromised">Set when the key is known to be compromised: the wait for its tokens to expire is skipped.</param>
    public Outcome<KeyRing> Retire(string kid, DateTimeOffset now, TimeSpan maxLifetime, TimeSpan clockSkew, bool compromised = false)
    {
        var target = Find(kid);
        if (target is null) return Refusal.Unlabelled($"no key '{kid}' in the key ring ({Describe()})");
        var at = RetireableAt(target, maxLifetime, clockSkew);
        if (at is null)
            return Refusal.Unlabelled($"key '{kid}' is the signing key; generate and activate another key first");
        if (!compromised && now < at.Value)
            return Refusal.Unlabelled($"key '{kid}' stopped signing at {DateTimeOffset.FromUnixTimeSeconds(target.SigningUntil!.Value):u}; tokens it signed may be valid until {at.Value:u} (max_lifetime + issuing.clock_skew). Retire it after that");
        return Outcome.Of(new KeyRing(Keys.Where(k => k.KeyId != kid).ToList()));
    }

    public string Describe() => Keys.Count == 0 ? "the ring is empty; run 'ci-launcher keys generate'"
        : string.Join(", ", Keys.Select(k => $"{k.KeyId} {k.State.ToString().ToLowerInvariant()}"));

    public byte[] ToJson()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteNumber("version", 1);
            w.WriteStartArray("keys");
            foreach (var k in Keys)
            {
                w.WriteStartObject();
                w.WriteString("kid", k.KeyId);
                w.WriteString("alg", k.Algorithm);
                w.WriteString("state", k.State.ToString().ToLowerInvariant());
                w.WriteNumber("created", k.Created);
                if (k.SigningSince is { } since) w.WriteNumber("signing_since", since);
                if (k.SigningUntil is { } until) w.WriteNumber("signing_until", until);
                w.WriteNumber("max_lifetime", k.MaxLifetimeSeconds);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        stream.WriteByte((byte)'\n');
        return stream.ToArray();
    }

    /// <summary>Parses the key-state file; anything unexpected is an error, never a guess about which key signs.</summary>
    public static Outcome<KeyRing> Parse(ReadOnlySpan<byte> json, string source)
    {
        try
        {
            using var doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 4 });
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("version", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != 1
                || !root.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
                return Refusal.Unlabelled($"{source} is not a version 1 key ring ({{\"version\":1,\"keys\":[...]}})");
            var entries = new List<KeyEntry>();
            foreach (var k in keys.EnumerateArray())
            {
                string? kid = Str(k, "kid"), alg = Str(k, "alg"), state = Str(k, "state");
                KeyState? parsed = state switch { "published" => KeyState.Published, "signing" => KeyState.Signing, "draining" => KeyState.Draining, _ => null };
                if (kid is null || kid.Length == 0 || !IsKidText(kid) || alg is null || !SiteKey.SupportedAlgorithms.Contains(alg) || parsed is null
                    || Num(k, "created") is not { } created || (parsed == KeyState.Draining && Num(k, "signing_until") is null))
                    return Refusal.Unlabelled($"{source}: key entry #{entries.Count + 1} is incomplete or invalid (kid, alg, state, created; draining keys need signing_until)");
                if (entries.Any(e => e.KeyId == kid))
                    return Refusal.Unlabelled($"{source}: kid '{kid}' appears twice");
                entries.Add(new KeyEntry(kid, alg, parsed.Value, created, Num(k, "signing_since"), Num(k, "signing_until"), Num(k, "max_lifetime") ?? 0));
            }
            if (entries.Count(e => e.State == KeyState.Signing) > 1)
                return Refusal.Unlabelled($"{source}: more than one key is in state 'signing'");
            return Outcome.Of(new KeyRing(entries));
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException)
        {
            return Refusal.Unlabelled($"{source} is not valid JSON");
        }
    }

    /// <summary>The form of every key id 'keys generate' makes: a SHA-256 JWK thumbprint, 43 base64url characters.</summary>
    public static bool IsThumbprint(string word) => word.Length == 43 && IsKidText(word);

    /// <summary>Kids are RFC 7638 thumbprints (base64url) and become file names, so nothing else is accepted.</summary>
    public static bool IsKidText(string kid) =>
        kid.Length is > 0 and <= 86 && kid.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    private static string? Str(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static long? Num(JsonElement o, string name) =>
        o.ValueKind == JsonValueKind.Object && o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out long n) ? n : null;
}
