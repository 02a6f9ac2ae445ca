using System.Security.Cryptography;
using System.Text;
using Launcher.Core.Crypto;

namespace Launcher.Core.Tests.Crypto;

/// <summary>
/// The keys the crypto tests sign with (one RSA key, one EC key per JOSE curve, made once per run),
/// .NET's signatures with them for each of the nine JWS algorithms, and their public halves
/// imported into <see cref="PublicKey"/>.
/// </summary>
internal static class Signers
{
    public static readonly RSA Rsa = RSA.Create(2048);
    public static readonly Dictionary<string, ECDsa> Ec = new()
    {
        ["P-256"] = ECDsa.Create(ECCurve.NamedCurves.nistP256),
        ["P-384"] = ECDsa.Create(ECCurve.NamedCurves.nistP384),
        ["P-521"] = ECDsa.Create(ECCurve.NamedCurves.nistP521),
    };

    /// <summary>A signing input shaped like a JWS one: base64url header and payload.</summary>
    public static readonly byte[] Input = Encoding.ASCII.GetBytes("eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9");

    public static readonly string[] All = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];

    public static HashAlgorithmName Hash(string alg) => alg[2..] switch
    {
        "256" => HashAlgorithmName.SHA256,
        "384" => HashAlgorithmName.SHA384,
        _ => HashAlgorithmName.SHA512,
    };

    public static string CurveOf(string alg) => alg switch { "ES256" => "P-256", "ES384" => "P-384", _ => "P-521" };

    /// <summary>The public key that verifies <paramref name="alg"/> signatures made by <see cref="Sign"/>.</summary>
    public static PublicKey KeyFor(string alg)
    {
        if (alg[0] != 'E')
        {
            var p = Rsa.ExportParameters(false);
            return PublicKey.Rsa(p.Modulus, p.Exponent) ?? throw new InvalidOperationException("RSA import");
        }
        var q = Ec[CurveOf(alg)].ExportParameters(false).Q;
        return PublicKey.Ec(CurveOf(alg), q.X, q.Y) ?? throw new InvalidOperationException("EC import");
    }

    /// <summary>.NET's JWS signature: PKCS #1 v1.5, PSS (salt = digest length), or ECDSA as R||S.</summary>
    public static byte[] Sign(string alg, byte[] data) => alg[0] switch
    {
        'R' => Rsa.SignData(data, Hash(alg), RSASignaturePadding.Pkcs1),
        'P' => Rsa.SignData(data, Hash(alg), RSASignaturePadding.Pss),
        _ => Ec[CurveOf(alg)].SignData(data, Hash(alg), DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
    };
}
