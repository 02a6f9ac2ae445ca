using System.Numerics;
using System.Security.Cryptography;
using System.Text;
using Launcher.Core.Crypto;
using static Launcher.Core.Tests.Crypto.Signers;

namespace Launcher.Core.Tests.Crypto;

/// <summary>A hostile job author's signatures against the libcrypto binding: odd signature lengths, ECDSA R/S edge values, RSA signatures at or above the modulus, RS/PS confusion.</summary>
public class HostileSignatureTests
{
    private static readonly Dictionary<string, string> Order = new()
    {
        ["P-256"] = "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551",
        ["P-384"] = "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC7634D81F4372DDF581A0DB248B0A77AECEC196ACCC52973",
        ["P-521"] = "01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409".ToUpperInvariant(),
    };

    public static TheoryData<string> Algorithms => new(All);

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Odd_lengths(string alg)
    {
        using var key = KeyFor(alg);
        var rnd = new Random(7);
        foreach (int len in new[] { 0, 1, 63, 64, 65, 95, 96, 97, 131, 132, 133, 255, 256, 257, 100000 })
        {
            foreach (byte fill in new byte[] { 0, 0xff, 1 })
            {
                byte[] s = new byte[len];
                if (fill == 1) rnd.NextBytes(s); else Array.Fill(s, fill);
                Assert.False(key.Verify(alg, Input, s), $"{alg} len {len} fill {fill}");
            }
        }
        Assert.True(key.Verify(alg, Input, Sign(alg, Input)));
        Assert.False(key.Verify(alg, [], Sign(alg, Input)));
    }

    private static byte[] Fixed(BigInteger v, int len)
    {
        byte[] b = v.ToByteArray(isUnsigned: true, isBigEndian: true);
        if (b.Length > len) return b[^len..];
        return [.. new byte[len - b.Length], .. b];
    }

    [Theory]
    [InlineData("ES256")]
    [InlineData("ES384")]
    [InlineData("ES512")]
    public void Ec_edge_values(string alg)
    {
        using var key = KeyFor(alg);
        byte[] genuine = Sign(alg, Input);
        int c = genuine.Length / 2;
        var n = BigInteger.Parse("0" + Order[CurveOf(alg)], System.Globalization.NumberStyles.HexNumber);
        byte[] r = genuine[..c], s = genuine[c..];
        var sv = new BigInteger(s, isUnsigned: true, isBigEndian: true);
        var rv = new BigInteger(r, isUnsigned: true, isBigEndian: true);
        var ff = Enumerable.Repeat((byte)0xff, c).ToArray();
        var cases = new List<(string, byte[], bool)>
        {
            ("R=0", [.. new byte[c], .. s], false),
            ("S=0", [.. r, .. new byte[c]], false),
            ("R=n", [.. Fixed(n, c), .. s], false),
            ("S=n", [.. r, .. Fixed(n, c)], false),
            ("R=n+1", [.. Fixed(n + 1, c), .. s], false),
            ("S=n+1", [.. r, .. Fixed(n + 1, c)], false),
            ("R=ff", [.. ff, .. s], false),
            ("S=ff", [.. r, .. ff], false),
            ("both ff", [.. ff, .. ff], false),
            ("R+n", [.. Fixed(rv + n, c), .. s], false),
            ("S+n", [.. r, .. Fixed(sv + n, c)], false),
            ("R=1,S=1", [.. Fixed(1, c), .. Fixed(1, c)], false),
            ("R=n-1,S=n-1", [.. Fixed(n - 1, c), .. Fixed(n - 1, c)], false),
            // high/low S twin: standard ECDSA malleability, accepted by .NET too
            ("S=n-S", [.. r, .. Fixed(n - sv, c)], true),
        };
        foreach (var (what, sig, expected) in cases)
        {
            bool reference;
            try { reference = Ec[CurveOf(alg)].VerifyData(Input, sig, Hash(alg), DSASignatureFormat.IeeeP1363FixedFieldConcatenation); }
            catch (CryptographicException) { reference = false; }
            Assert.True(key.Verify(alg, Input, sig) == reference, $"{alg} {what}: ours {!reference}, .NET {reference}");
            Assert.True(expected == reference, $"{alg} {what} expected {expected}");
        }
        // leading zeros in R: find a signature with R < 2^(8(c-1))
        for (int i = 0; i < 3000; i++)
        {
            byte[] g = Sign(alg, Input);
            if (g[0] != 0 && g[c] != 0) continue;
            Assert.True(key.Verify(alg, Input, g), $"{alg} leading zero genuine");
            break;
        }
        Assert.True(key.Verify(alg, Input, genuine));
    }

    [Theory]
    [InlineData("RS256")]
    [InlineData("PS256")]
    public void Rsa_signature_at_or_above_the_modulus(string alg)
    {
        using var key = KeyFor(alg);
        var p = Rsa.ExportParameters(false);
        var n = new BigInteger(p.Modulus, isUnsigned: true, isBigEndian: true);
        var sig = new BigInteger(Sign(alg, Input), isUnsigned: true, isBigEndian: true);
        foreach (var v in new[] { n, n + 1, sig + n, (BigInteger.One << 2048) - 1 })
            Assert.False(key.Verify(alg, Input, Fixed(v, 256)));
        Assert.False(key.Verify(alg, Input, Fixed(sig + n, 257)));
    }

    [Fact]
    public void Rs_ps_confusion()
    {
        using var key = KeyFor("RS256");
        foreach (var (a, b) in new[] { ("RS256", "PS256"), ("PS256", "RS256"), ("RS256", "RS384"), ("PS256", "PS512"), ("RS512", "PS512") })
            Assert.False(key.Verify(b, Input, Sign(a, Input)), $"{a} signature verifies as {b}");
    }

}

/// <summary>PSS as RFC 7518 3.5 has it: salt = digest length and MGF1 with the same digest; signatures made by the openssl CLI with every other choice never verify.</summary>
public class PssShapeTests
{
    private static byte[] OpenSsl(string dir, string digest, string saltlen, string mgf1)
    {
        var psi = new System.Diagnostics.ProcessStartInfo("openssl", ["dgst", "-" + digest, "-sign", Path.Combine(dir, "key.pem"),
            "-sigopt", "rsa_padding_mode:pss", "-sigopt", "rsa_pss_saltlen:" + saltlen, "-sigopt", "rsa_mgf1_md:" + mgf1,
            "-out", Path.Combine(dir, "sig"), Path.Combine(dir, "input")]) { RedirectStandardError = true };
        using var p = System.Diagnostics.Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, err);
        return File.ReadAllBytes(Path.Combine(dir, "sig"));
    }

    [Theory]
    [InlineData("sha256", "PS256", 32)]
    [InlineData("sha384", "PS384", 48)]
    [InlineData("sha512", "PS512", 64)]
    public void Pss_salt_and_mgf1_are_exactly_those_of_RFC_7518(string digest, string alg, int hlen)
    {
        using var rsa = RSA.Create(2048);
        string dir = Directory.CreateTempSubdirectory("redteam3-pss").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "key.pem"), rsa.ExportPkcs8PrivateKeyPem());
            byte[] input = Encoding.ASCII.GetBytes("eyJhbGciOiJQUzI1NiJ9.eyJzdWIiOiJhbGljZSJ9");
            File.WriteAllBytes(Path.Combine(dir, "input"), input);
            var p = rsa.ExportParameters(false);
            using var key = PublicKey.Rsa(p.Modulus, p.Exponent)!;
            Assert.True(key.Verify(alg, input, OpenSsl(dir, digest, hlen.ToString(), digest)));
            Assert.True(key.Verify(alg, input, OpenSsl(dir, digest, "digest", digest)));
            foreach (string salt in new[] { "0", "1", "20", (hlen - 1).ToString(), (hlen + 1).ToString(), "max", "auto" })
            {
                byte[] s = OpenSsl(dir, digest, salt, digest);
                bool dotnet = rsa.VerifyData(input, s, new HashAlgorithmName(digest.ToUpperInvariant()), RSASignaturePadding.Pss);
                Assert.False(key.Verify(alg, input, s), $"{alg} salt {salt} accepted (.NET {dotnet})");
            }
            foreach (string mgf in new[] { "sha1", "sha224", "sha256", "sha384", "sha512" }.Where(m => m != digest))
                Assert.False(key.Verify(alg, input, OpenSsl(dir, digest, hlen.ToString(), mgf)), $"{alg} mgf1 {mgf} accepted");
            // salt-length-mismatched other digest: PS256 signature checked as PS384 etc.
            foreach (string other in new[] { "PS256", "PS384", "PS512", "RS256", "RS384", "RS512" }.Where(a => a != alg))
                Assert.False(key.Verify(other, input, OpenSsl(dir, digest, hlen.ToString(), digest)));
        }
        finally { Directory.Delete(dir, true); }
    }
}
