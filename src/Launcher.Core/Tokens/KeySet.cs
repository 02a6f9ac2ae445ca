using System.Text.Json;
using Launcher.Core.Authorization;
using Launcher.Core.Crypto;

namespace Launcher.Core.Tokens;

/// <summary>
/// The usable signing keys of one issuer's JWKS, by kid. Symmetric (oct) keys, encryption
/// keys, keys without a kid and RSA keys under 2048 bits are dropped: none may verify a token.
/// </summary>
public sealed class KeySet
{
    public const int MinRsaBits = 2048;

    private readonly Dictionary<string, SigningKey> _keys;

    private KeySet(Dictionary<string, SigningKey> keys, IReadOnlyList<string> skipped)
    {
        _keys = keys;
        Skipped = skipped;
    }

    public IReadOnlyCollection<SigningKey> Keys => _keys.Values;

    /// <summary>Why each ignored entry was ignored, for check-config and explain.</summary>
    public IReadOnlyList<string> Skipped { get; }

    public SigningKey? Find(string kid) => _keys.GetValueOrDefault(kid);

    public static Outcome<KeySet> Parse(ReadOnlySpan<byte> json, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 8 });
        }
        catch (JsonException e)
        {
            return Refusal.SiteError(Reasons.JwksInvalid, $"{source} is not valid JSON ({e.Message.Split('.')[0]}); run 'ci-launcher jwks refresh' or fix the file");
        }
        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("keys", out var keys) || keys.ValueKind != JsonValueKind.Array)
                return Refusal.SiteError(Reasons.JwksInvalid, $"{source} is not a JWKS (no \"keys\" array)");
            var usable = new Dictionary<string, SigningKey>(StringComparer.Ordinal);
            var skipped = new List<string>();
            var duplicates = new HashSet<string>(StringComparer.Ordinal);
            int index = 0;
            foreach (var jwk in keys.EnumerateArray())
            {
                string label = $"key #{index++}";
                var key = ParseKey(jwk, label, skipped);
                if (key is null) continue;
                if (!usable.TryAdd(key.KeyId, key)) duplicates.Add(key.KeyId);
            }
            // Two keys under one kid make the choice ambiguous; use neither.
            foreach (var kid in duplicates)
            {
                usable.Remove(kid);
                skipped.Add($"kid '{kid}': appears more than once; both ignored");
            }
            if (usable.Count == 0)
                return Refusal.SiteError(Reasons.JwksInvalid, $"{source} has no usable signing key ({(skipped.Count == 0 ? "the key list is empty" : string.Join("; ", skipped))})");
            return Outcome.Of(new KeySet(usable, skipped));
        }
    }

    private static SigningKey? ParseKey(JsonElement jwk, string label, List<string> skipped)
    {
        if (jwk.ValueKind != JsonValueKind.Object) { skipped.Add($"{label}: not an object"); return null; }
        string? kty = Str(jwk, "kty");
        string? kid = Str(jwk, "kid");
        string? use = Str(jwk, "use");
        string? alg = Str(jwk, "alg");
        if (kid is null || kid.Length == 0) { skipped.Add($"{label}: no kid"); return null; }
        label = $"kid '{kid}'";
        if (use is not null && use != "sig") { skipped.Add($"{label}: use '{use}' is not 'sig'"); return null; }
        if (alg is not null && !Config.Algorithms.Asymmetric.Contains(alg)) { skipped.Add($"{label}: alg '{alg}' is not an accepted signature algorithm"); return null; }
        if (jwk.TryGetProperty("key_ops", out var ops) && ops.ValueKind == JsonValueKind.Array
            && !ops.EnumerateArray().Any(o => o.ValueKind == JsonValueKind.String && o.GetString() == "verify"))
        { skipped.Add($"{label}: key_ops does not include 'verify'"); return null; }
        switch (kty)
        {
            case "RSA":
            {
                byte[]? n = B64(jwk, "n"), e = B64(jwk, "e");
                if (n is null || e is null) { skipped.Add($"{label}: RSA key without n/e"); return null; }
                if (HasPrivateMember(jwk)) { skipped.Add($"{label}: contains a private key; publish public keys only"); return null; }
                // Count the modulus' real bits: leading zero bytes would make a short key look long.
                var modulus = n.AsSpan().TrimStart((byte)0);
                int bits = modulus.Length == 0 ? 0 : modulus.Length * 8 - System.Numerics.BitOperations.LeadingZeroCount((uint)modulus[0]) + 24;
                if (bits < MinRsaBits) { skipped.Add($"{label}: RSA modulus of {bits} bits is below {MinRsaBits}"); return null; }
                if (PublicKey.Rsa(modulus, e) is not { } rsa) { skipped.Add($"{label}: the RSA key material is invalid (OpenSSL refuses it: an even modulus or exponent?)"); return null; }
                return new SigningKey { KeyId = kid, Algorithm = alg, Key = rsa };
            }
            case "EC":
            {
                string? crv = Str(jwk, "crv");
                byte[]? x = B64(jwk, "x"), y = B64(jwk, "y");
                if (crv is not ("P-256" or "P-384" or "P-521") || x is null || y is null) { skipped.Add($"{label}: EC key with unsupported curve '{crv}' or without x/y"); return null; }
                if (HasPrivateMember(jwk)) { skipped.Add($"{label}: contains a private key; publish public keys only"); return null; }
                if (PublicKey.Ec(crv, x, y) is not { } ec) { skipped.Add($"{label}: the EC key material is invalid (x and y must each be the curve's full length and a point on {crv})"); return null; }
                return new SigningKey { KeyId = kid, Algorithm = alg, Key = ec };
            }
            case "oct":
                skipped.Add($"{label}: symmetric (oct) keys are never used");
                return null;
            default:
                skipped.Add($"{label}: key type '{kty}' is not supported");
                return null;
        }
    }

    /// <summary>
    /// RFC 7518 6.3.2 / 6.2.2: any of these members means private key material was published, so
    /// the key is compromised (one RSA prime alone factors the modulus) and must not be trusted.
    /// </summary>
    private static bool HasPrivateMember(JsonElement jwk) =>
        PrivateMembers.Any(m => jwk.TryGetProperty(m, out _));

    private static readonly string[] PrivateMembers = ["d", "p", "q", "dp", "dq", "qi", "oth"];

    private static string? Str(JsonElement o, string name) =>
        o.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    private static byte[]? B64(JsonElement o, string name)
    {
        string? s = Str(o, name);
        if (string.IsNullOrEmpty(s)) return null;
        try { return System.Buffers.Text.Base64Url.DecodeFromChars(s); }
        catch (FormatException) { return null; }
    }
}
