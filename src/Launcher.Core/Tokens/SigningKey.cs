using Launcher.Core.Crypto;

namespace Launcher.Core.Tokens;

/// <summary>One public verification key from a JWKS, with what it may verify.</summary>
public sealed class SigningKey
{
    public required string KeyId { get; init; }
    /// <summary>"RSA" or "EC", as imported.</summary>
    public string KeyType => Key.Type;
    /// <summary>For EC: P-256, P-384 or P-521, as imported.</summary>
    public string? Curve => Key.Curve;
    /// <summary>The JWK's own "alg", when it pins one.</summary>
    public string? Algorithm { get; init; }
    /// <summary>The key in OpenSSL, imported and checked when the JWKS was read.</summary>
    public required PublicKey Key { get; init; }

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
