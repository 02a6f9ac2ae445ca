using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Launcher.Core.Authorization;

namespace Launcher.Core.Issuing;

/// <summary>
/// One site signing key (ES256 on P-256, or RS256 with RSA 2048), its RFC 7638 kid and its
/// public JWK. Reading it from disk, with the ownership checks, is Launcher.Posix's job.
/// </summary>
public sealed class SiteKey : IDisposable
{
    public const int RsaBits = 2048;

    private readonly ECDsa? _ec;
    private readonly RSA? _rsa;

    private SiteKey(ECDsa? ec, RSA? rsa)
    {
        _ec = ec;
        _rsa = rsa;
        if (ec is not null)
        {
            var p = ec.ExportParameters(false);
            KeyId = JwkThumbprint.OfEc("P-256", p.Q.X, p.Q.Y);
            Algorithm = "ES256";
        }
        else
        {
            var p = rsa!.ExportParameters(false);
            KeyId = JwkThumbprint.OfRsa(p.Modulus, p.Exponent);
            Algorithm = "RS256";
        }
    }

    public string KeyId { get; }

    /// <summary>ES256 or RS256.</summary>
    public string Algorithm { get; }

    public static readonly IReadOnlySet<string> SupportedAlgorithms = new HashSet<string>(StringComparer.Ordinal) { "ES256", "RS256" };

    public static SiteKey Generate(string algorithm) => algorithm switch
    {
        "ES256" => new SiteKey(ECDsa.Create(ECCurve.NamedCurves.nistP256), null),
        "RS256" => new SiteKey(null, RSA.Create(RsaBits)),
        _ => throw new ArgumentException($"unsupported algorithm '{algorithm}'", nameof(algorithm)),
    };

    /// <summary>A PKCS#8 PEM private key, or why not (wrong curve, short RSA, not a key).</summary>
    public static Outcome<SiteKey> FromPem(string pem)
    {
        if (TryEc(pem) is { } ec)
        {
            // P-256's OID; another 256-bit curve (secp256k1, brainpool) must not pass as ES256.
            if (ec.ExportParameters(false).Curve.Oid?.Value == "1.2.840.10045.3.1.7") return Outcome.Of(new SiteKey(ec, null));
            ec.Dispose();
            return Refusal.Unlabelled("is an EC key on a curve other than P-256 (ES256 needs P-256)");
        }
        try
        {
            var rsa = RSA.Create();
            rsa.ImportFromPem(pem);
            if (rsa.KeySize < RsaBits)
                return Refusal.Unlabelled($"is an RSA key of {rsa.KeySize} bits; at least {RsaBits} are required");
            return Outcome.Of(new SiteKey(null, rsa));
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return Refusal.Unlabelled("is not a PEM private key (PKCS#8, as written by 'ci-launcher keys generate')");
        }
    }

    private static ECDsa? TryEc(string pem)
    {
        try
        {
            var ec = ECDsa.Create();
            ec.ImportFromPem(pem);
            return ec;
        }
        catch (Exception e) when (e is CryptographicException or ArgumentException)
        {
            return null;
        }
    }

    public string ExportPrivatePem() => _ec is not null ? _ec.ExportPkcs8PrivateKeyPem() : _rsa!.ExportPkcs8PrivateKeyPem();

    /// <summary>Writes the public JWK (kty, kid, use, alg and the public members only).</summary>
    public void WritePublicJwk(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        if (_ec is not null)
        {
            var p = _ec.ExportParameters(false);
            w.WriteString("kty", "EC");
            w.WriteString("kid", KeyId);
            w.WriteString("use", "sig");
            w.WriteString("alg", Algorithm);
            w.WriteString("crv", "P-256");
            w.WriteString("x", Base64Url.EncodeToString(p.Q.X));
            w.WriteString("y", Base64Url.EncodeToString(p.Q.Y));
        }
        else
        {
            var p = _rsa!.ExportParameters(false);
            w.WriteString("kty", "RSA");
            w.WriteString("kid", KeyId);
            w.WriteString("use", "sig");
            w.WriteString("alg", Algorithm);
            w.WriteString("n", Base64Url.EncodeToString(p.Modulus));
            w.WriteString("e", Base64Url.EncodeToString(p.Exponent));
        }
        w.WriteEndObject();
    }

    /// <summary>The JWS signature over <paramref name="signingInput"/>: ES256 as IEEE P1363 r||s (RFC 7518 3.4), not DER.</summary>
    public byte[] Sign(ReadOnlySpan<byte> signingInput) => _ec is not null
        ? _ec.SignData(signingInput, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation)
        : _rsa!.SignData(signingInput.ToArray(), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);

    public void Dispose()
    {
        _ec?.Dispose();
        _rsa?.Dispose();
    }
}
