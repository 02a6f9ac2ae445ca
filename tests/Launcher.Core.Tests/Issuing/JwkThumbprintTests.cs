using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Launcher.Core.Issuing;

namespace Launcher.Core.Tests.Issuing;

public class JwkThumbprintTests
{
    // RFC 7638 section 3.1: the example RSA key and its SHA-256 thumbprint.
    private const string RfcModulus =
        "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw";
    private const string RfcThumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs";

    [Fact]
    public void Rsa_thumbprint_matches_the_RFC_7638_example()
    {
        Assert.Equal(RfcThumbprint, JwkThumbprint.OfRsa(Base64Url.DecodeFromChars(RfcModulus), Base64Url.DecodeFromChars("AQAB")));
    }

    [Fact]
    public void Rsa_site_key_kid_is_the_thumbprint_of_its_public_jwk()
    {
        using var key = SiteKey.Generate("RS256");
        using var rsa = RSA.Create();
        rsa.ImportFromPem(key.ExportPrivatePem());
        var p = rsa.ExportParameters(false);
        Assert.Equal(JwkThumbprint.OfRsa(p.Modulus, p.Exponent), key.KeyId);
        Assert.Equal(43, key.KeyId.Length);
    }

    [Fact]
    public void Ec_thumbprint_hashes_crv_kty_x_y_in_lexicographic_order()
    {
        using var key = SiteKey.Generate("ES256");
        using var ec = ECDsa.Create();
        ec.ImportFromPem(key.ExportPrivatePem());
        var q = ec.ExportParameters(false).Q;
        string canonical = $"{{\"crv\":\"P-256\",\"kty\":\"EC\",\"x\":\"{Base64Url.EncodeToString(q.X)}\",\"y\":\"{Base64Url.EncodeToString(q.Y)}\"}}";
        Assert.Equal(Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(canonical))), key.KeyId);
    }

    [Fact]
    public void Pem_round_trip_keeps_the_kid_and_refuses_other_curves()
    {
        using var key = SiteKey.Generate("ES256");
        using var again = SiteKey.FromPem(key.ExportPrivatePem()).Value;
        Assert.Equal(key.KeyId, again.KeyId);

        using var p384 = ECDsa.Create(ECCurve.NamedCurves.nistP384);
        Assert.Contains("P-256", SiteKey.FromPem(p384.ExportPkcs8PrivateKeyPem()).Refusal.Detail);
        Assert.Contains("not a PEM private key", SiteKey.FromPem("not a key").Refusal.Detail);
    }
}
