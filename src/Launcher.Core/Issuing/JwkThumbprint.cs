using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Launcher.Core.Issuing;

/// <summary>
/// RFC 7638 JWK thumbprints: SHA-256 over the required public members in lexicographic order,
/// no whitespace. The kid is derived from the key, so a kid can never name two different keys.
/// </summary>
public static class JwkThumbprint
{
    public static string OfRsa(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> exponent) =>
        Hash($"{{\"e\":\"{B64(exponent)}\",\"kty\":\"RSA\",\"n\":\"{B64(modulus)}\"}}");

    public static string OfEc(string curve, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y) =>
        Hash($"{{\"crv\":\"{curve}\",\"kty\":\"EC\",\"x\":\"{B64(x)}\",\"y\":\"{B64(y)}\"}}");

    private static string Hash(string canonicalJson) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonicalJson)));

    private static string B64(ReadOnlySpan<byte> data) => Base64Url.EncodeToString(data);
}
