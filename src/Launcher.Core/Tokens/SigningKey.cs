using System.Collections.Concurrent;
using Microsoft.IdentityModel.Tokens;

namespace Launcher.Core.Tokens;

/// <summary>One public verification key from a JWKS, with what it may verify.</summary>
public sealed class SigningKey
{
    public required string KeyId { get; init; }
    /// <summary>"RSA" or "EC".</summary>
    public required string KeyType { get; init; }
    /// <summary>For EC: P-256, P-384 or P-521.</summary>
    public string? Curve { get; init; }
    /// <summary>The JWK's own "alg", when it pins one.</summary>
    public string? Algorithm { get; init; }
    public required AsymmetricSecurityKey SecurityKey { get; init; }

    private readonly ConcurrentDictionary<string, SignatureProvider> _verifiers = new(StringComparer.Ordinal);

    /// <summary>
    /// IdentityModel's verifier for <paramref name="alg"/> with this key, made once per key and
    /// algorithm (only allowlisted ones that fit reach here) and kept as long as the key set: a
    /// factory lookup per token cost as much as the RS256 verification itself. Thread-safe.
    /// </summary>
    public SignatureProvider Verifier(string alg) =>
        _verifiers.GetOrAdd(alg, static (a, key) => key.CryptoProviderFactory.CreateForVerifying(key, a, cacheProvider: false), SecurityKey);

    /// <summary>Whether a token signed with <paramref name="alg"/> can be verified by this key at all.</summary>
    public bool Fits(string alg)
    {
        if (Algorithm is not null && Algorithm != alg) return false;
        return KeyType switch
        {
            "RSA" => alg.StartsWith("RS", StringComparison.Ordinal) || alg.StartsWith("PS", StringComparison.Ordinal),
            "EC" => (alg, Curve) is ("ES256", "P-256") or ("ES384", "P-384") or ("ES512", "P-521"),
            _ => false,
        };
    }
}
