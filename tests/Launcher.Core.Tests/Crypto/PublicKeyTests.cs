using System.Security.Cryptography;
using System.Text;
using Launcher.Core.Crypto;
using static Launcher.Core.Tests.Crypto.Signers;

namespace Launcher.Core.Tests.Crypto;

/// <summary>
/// PublicKey, the libcrypto binding that verifies every token: it accepts exactly what .NET's own
/// RSA/ECDsa (OpenSSL through .NET's shim) accept for the nine JWS algorithms, on genuine and on
/// mutated signatures, and refuses key material and algorithm/key pairings that must never verify.
/// </summary>
public class PublicKeyTests
{
    public static TheoryData<string> Algorithms => new(All);

    /// <summary>.NET's verdict on the same bytes: the reference the binding must agree with.</summary>
    private static bool Reference(string alg, byte[] data, byte[] signature)
    {
        try
        {
            // RFC 8017 8.2.2 step 1, which .NET does not check for PSS (OpenSSL takes a shorter
            // signature as the same integer): an RSA signature is exactly the modulus' length.
            if (alg[0] != 'E' && signature.Length != Rsa.KeySize / 8) return false;
            return alg[0] switch
            {
                'R' => Rsa.VerifyData(data, signature, Hash(alg), RSASignaturePadding.Pkcs1),
                'P' => Rsa.VerifyData(data, signature, Hash(alg), RSASignaturePadding.Pss),
                _ => Ec[CurveOf(alg)].VerifyData(data, signature, Hash(alg), DSASignatureFormat.IeeeP1363FixedFieldConcatenation),
            };
        }
        catch (CryptographicException)
        {
            return false;
        }
    }

    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Verifies_a_genuine_signature_and_nothing_else_of_it(string alg)
    {
        using var key = KeyFor(alg);
        byte[] signature = Sign(alg, Input);
        Assert.True(key.Verify(alg, Input, signature));
        Assert.False(key.Verify(alg, Input.AsSpan(1), signature));
        Assert.False(key.Verify(alg, Input, signature.AsSpan(0, signature.Length - 1)));
        Assert.False(key.Verify(alg, Input, [.. signature, 0]));
        Assert.False(key.Verify(alg, Input, []));
    }

    /// <summary>
    /// A differential check with a fixed seed: signatures flipped bit by bit, truncated, extended,
    /// zeroed, R and S swapped or set to all ones, and another algorithm's signature. The binding
    /// and .NET must give the same verdict for every one.
    /// </summary>
    [Theory]
    [MemberData(nameof(Algorithms))]
    public void Agrees_with_dotnet_on_mutated_signatures(string alg)
    {
        using var key = KeyFor(alg);
        byte[] genuine = Sign(alg, Input);
        var random = new Random(1404 + alg.GetHashCode(StringComparison.Ordinal) % 1000);
        var cases = new List<(string What, byte[] Signature)> { ("genuine", genuine) };
        for (int i = 0; i < 150; i++)
        {
            byte[] flipped = (byte[])genuine.Clone();
            flipped[random.Next(flipped.Length)] ^= (byte)(1 << random.Next(8));
            cases.Add(("one bit flipped", flipped));
        }
        int half = genuine.Length / 2;
        cases.Add(("all zero", new byte[genuine.Length]));
        cases.Add(("all ones", Enumerable.Repeat((byte)0xff, genuine.Length).ToArray()));
        cases.Add(("R and S swapped", [.. genuine.AsSpan(half), .. genuine.AsSpan(0, half)]));
        cases.Add(("R zero", [.. new byte[half], .. genuine.AsSpan(half)]));
        cases.Add(("S zero", [.. genuine.AsSpan(0, half), .. new byte[half]]));
        cases.Add(("S all ones", [.. genuine.AsSpan(0, half), .. Enumerable.Repeat((byte)0xff, half)]));
        cases.Add(("random bytes", RandomBytes(random, genuine.Length)));
        cases.Add(("one byte short", genuine[..^1]));
        cases.Add(("a zero byte in front", [0, .. genuine]));
        cases.Add(("DER instead of R||S", alg[0] == 'E' ? Ec[CurveOf(alg)].SignData(Input, Hash(alg), DSASignatureFormat.Rfc3279DerSequence) : genuine[1..]));
        foreach (string other in All.Where(a => a != alg))
            cases.Add(($"{other}'s signature", Sign(other, Input)));

        foreach (var (what, signature) in cases)
            Assert.True(Reference(alg, Input, signature) == key.Verify(alg, Input, signature), $"{alg}, {what}: .NET says {Reference(alg, Input, signature)}");
        Assert.True(key.Verify(alg, Input, genuine));
    }

    /// <summary>
    /// A genuine PSS signature that happens to start with a zero octet, without it: the same
    /// integer, so OpenSSL (and .NET) would verify it, but not k octets (RFC 8017 8.1.2 step 1),
    /// and a second spelling of the same token (another SHA-256 in the audit).
    /// </summary>
    [Theory]
    [InlineData("PS256")]
    [InlineData("PS384")]
    [InlineData("PS512")]
    [InlineData("RS256")]
    public void An_rsa_signature_shorter_than_the_modulus_never_verifies(string alg)
    {
        using var key = KeyFor(alg);
        for (int i = 0; i < 20000; i++)
        {
            byte[] data = Encoding.ASCII.GetBytes($"eyJhbGciOiJQUzI1NiJ9.{i}");
            byte[] signature = Sign(alg, data);
            if (signature[0] != 0) continue;
            Assert.True(key.Verify(alg, data, signature));
            Assert.False(key.Verify(alg, data, signature.AsSpan(1)));
            return;
        }
        Assert.Fail("no signature with a leading zero octet in 20000");
    }

    private static byte[] RandomBytes(Random random, int length)
    {
        byte[] bytes = new byte[length];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// One key on many threads at once, as the PAM module's cached key sets are used: fresh keys,
    /// so the threads also race to prepare each algorithm's context; every verdict stays right.
    /// </summary>
    [Fact]
    public void One_key_verifies_on_eight_threads_at_once()
    {
        var keys = All.ToDictionary(alg => alg, KeyFor);
        var signatures = All.ToDictionary(alg => alg, alg => Sign(alg, Input));
        int wrong = 0;
        using var start = new Barrier(8);
        var threads = Enumerable.Range(0, 8).Select(_ => new Thread(() =>
        {
            start.SignalAndWait();
            for (int round = 0; round < 40; round++)
                foreach (string alg in All)
                {
                    byte[] forged = (byte[])signatures[alg].Clone();
                    forged[round % forged.Length] ^= 1;
                    if (!keys[alg].Verify(alg, Input, signatures[alg]) || keys[alg].Verify(alg, Input, forged))
                        Interlocked.Increment(ref wrong);
                }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        foreach (var key in keys.Values) key.Dispose();
        Assert.Equal(0, wrong);
    }

    [Theory]
    [InlineData("RS256", "ES256")]
    [InlineData("PS256", "ES256")]
    [InlineData("ES256", "RS256")]
    [InlineData("ES256", "PS256")]
    [InlineData("ES256", "ES384")]
    [InlineData("ES384", "ES256")]
    [InlineData("ES512", "ES384")]
    [InlineData("RS256", "HS256")]
    [InlineData("RS256", "none")]
    [InlineData("RS256", "rs256")]
    [InlineData("ES256", "")]
    public void An_algorithm_the_key_cannot_do_never_verifies(string keyFor, string alg)
    {
        using var key = KeyFor(keyFor);
        Assert.False(key.Verify(alg, Input, Sign(keyFor, Input)));
    }

    [Fact]
    public void Rsa_material_OpenSSL_refuses_is_no_key()
    {
        var p = Rsa.ExportParameters(false);
        byte[] n = p.Modulus!, e = p.Exponent!;
        Assert.Null(PublicKey.Rsa(p.Modulus, [4]));
        Assert.Null(PublicKey.Rsa(p.Modulus, [1]));
        Assert.Null(PublicKey.Rsa(p.Modulus, [0, 0, 1]));
        Assert.Null(PublicKey.Rsa(p.Modulus, p.Modulus));
        Assert.Null(PublicKey.Rsa(n, [0xff, .. n]));
        Assert.Null(PublicKey.Rsa([.. n.AsSpan(0, n.Length - 1), (byte)(n[^1] & 0xfe)], e));
        Assert.Null(PublicKey.Rsa([], p.Exponent));
        Assert.Null(PublicKey.Rsa(p.Modulus, []));
        using var key = PublicKey.Rsa([0, .. n], [0, .. e]);
        Assert.NotNull(key);
        Assert.Equal(("RSA", 2048), (key.Type, key.Bits));
    }

    [Theory]
    [InlineData("P-256", 256)]
    [InlineData("P-384", 384)]
    [InlineData("P-521", 521)]
    public void Ec_material_must_be_a_full_length_point_on_the_curve(string curve, int bits)
    {
        var q = Ec[curve].ExportParameters(false).Q;
        using (var key = PublicKey.Ec(curve, q.X, q.Y))
        {
            Assert.NotNull(key);
            Assert.Equal(("EC", curve, bits), (key.Type, key.Curve, key.Bits));
        }
        Assert.Null(PublicKey.Ec(curve, q.X, q.X));
        Assert.Null(PublicKey.Ec(curve, q.X, [.. q.Y![..^1], (byte)(q.Y[^1] ^ 1)]));
        Assert.Null(PublicKey.Ec(curve, q.X![1..], q.Y));
        Assert.Null(PublicKey.Ec(curve, [0, .. q.X], q.Y));
        Assert.Null(PublicKey.Ec(curve, new byte[q.X.Length], new byte[q.Y.Length]));
        Assert.Null(PublicKey.Ec(curve == "P-256" ? "P-384" : "P-256", q.X, q.Y));
        Assert.Null(PublicKey.Ec("secp256k1", q.X, q.Y));
    }

    [Theory]
    [InlineData("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")]
    [InlineData("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")]
    [InlineData("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq", "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")]
    public void Sha256_of_the_FIPS_180_examples(string text, string hex)
    {
        Assert.Equal(hex, Sha256.Hex(Encoding.ASCII.GetBytes(text)));
    }
}
