using System.Runtime.InteropServices;
using static Launcher.Core.Crypto.LibCrypto;

namespace Launcher.Core.Crypto;

/// <summary>
/// One issuer's public verification key in OpenSSL, imported from a JWK's public members and
/// checked once (RSA: an odd modulus, an odd exponent between 3 and the modulus; EC: a point on
/// its curve, not at infinity). Immutable after import, so one key verifies on any number of
/// threads at once (the PAM module's cached key sets).
/// </summary>
public sealed unsafe class PublicKey : IDisposable
{
    private readonly KeyHandle _key;
    /// <summary>For EC keys: the length of one coordinate, so of R and of S in a JWS signature.</summary>
    private readonly int _coordinate;

    private PublicKey(KeyHandle key, string type, string? curve, int coordinate)
    {
        _key = key;
        Type = type;
        Curve = curve;
        _coordinate = coordinate;
        Bits = EVP_PKEY_get_bits(key.DangerousGetHandle());
    }

    /// <summary>"RSA" or "EC".</summary>
    public string Type { get; }
    /// <summary>For EC keys: P-256, P-384 or P-521.</summary>
    public string? Curve { get; }
    /// <summary>The modulus' bits (RSA) or the curve's (EC), as OpenSSL counts them.</summary>
    public int Bits { get; }

    /// <summary>
    /// An RSA public key from its big-endian modulus and exponent; null unless the modulus is odd
    /// and the exponent odd, at least 3 and below the modulus (RFC 8017 3.1), or when OpenSSL
    /// refuses the material. OpenSSL's full public check would add a primality test of the
    /// modulus, 6-7 ms a key at every launch (bench/launch/README.md, cut 15): it guards against an
    /// issuer publishing a key anyone can factor, and an issuer can always give its tokens away.
    /// </summary>
    public static PublicKey? Rsa(ReadOnlySpan<byte> modulus, ReadOnlySpan<byte> exponent)
    {
        modulus = modulus.TrimStart((byte)0);
        exponent = exponent.TrimStart((byte)0);
        if (modulus.IsEmpty || (modulus[^1] & 1) == 0 || exponent.IsEmpty || (exponent[^1] & 1) == 0 || exponent is [1]
            || exponent.Length > modulus.Length || (exponent.Length == modulus.Length && exponent.SequenceCompareTo(modulus) >= 0))
            return null;
        nint n = 0, e = 0, builder = 0, parameters = 0;
        try
        {
            fixed (byte* m = modulus, x = exponent)
            {
                n = BN_bin2bn(m, modulus.Length, 0);
                e = BN_bin2bn(x, exponent.Length, 0);
            }
            builder = OSSL_PARAM_BLD_new();
            if (n == 0 || e == 0 || builder == 0) return null;
            fixed (byte* nName = "n\0"u8, eName = "e\0"u8)
                if (OSSL_PARAM_BLD_push_BN(builder, nName, n) != 1 || OSSL_PARAM_BLD_push_BN(builder, eName, e) != 1) return null;
            parameters = OSSL_PARAM_BLD_to_param(builder);
            return Import("RSA\0"u8, parameters, check: false) is { } key ? new PublicKey(key, "RSA", null, 0) : null;
        }
        finally
        {
            OSSL_PARAM_free(parameters);
            OSSL_PARAM_BLD_free(builder);
            BN_free(n);
            BN_free(e);
            ERR_clear_error();
        }
    }

    /// <summary>
    /// An EC public key on a JOSE curve from its affine coordinates, each exactly as long as the
    /// curve needs (RFC 7518 6.2.1.2: a shorter coordinate is malformed, not zero-padded); null
    /// for another curve, a wrong length or a point OpenSSL refuses.
    /// </summary>
    public static PublicKey? Ec(string curve, ReadOnlySpan<byte> x, ReadOnlySpan<byte> y)
    {
        ReadOnlySpan<byte> group = curve switch
        {
            "P-256" => "prime256v1\0"u8,
            "P-384" => "secp384r1\0"u8,
            "P-521" => "secp521r1\0"u8,
            _ => default,
        };
        int coordinate = curve switch { "P-256" => 32, "P-384" => 48, "P-521" => 66, _ => 0 };
        if (coordinate == 0 || x.Length != coordinate || y.Length != coordinate) return null;
        Span<byte> point = stackalloc byte[1 + 2 * coordinate];
        point[0] = 0x04; // uncompressed: X then Y
        x.CopyTo(point[1..]);
        y.CopyTo(point[(1 + coordinate)..]);
        nint builder = OSSL_PARAM_BLD_new(), parameters = 0;
        try
        {
            if (builder == 0) return null;
            fixed (byte* groupKey = "group\0"u8, groupName = group, pubKey = "pub\0"u8, pub = point)
                if (OSSL_PARAM_BLD_push_utf8_string(builder, groupKey, groupName, (nuint)(group.Length - 1)) != 1
                    || OSSL_PARAM_BLD_push_octet_string(builder, pubKey, pub, (nuint)point.Length) != 1) return null;
            parameters = OSSL_PARAM_BLD_to_param(builder);
            return Import("EC\0"u8, parameters, check: true) is { } key ? new PublicKey(key, "EC", curve, coordinate) : null;
        }
        finally
        {
            OSSL_PARAM_free(parameters);
            OSSL_PARAM_BLD_free(builder);
            ERR_clear_error();
        }
    }

    /// <summary>
    /// The key from its parameters. With <paramref name="check"/>, OpenSSL's quick public check
    /// too: for EC the point is on the curve and not at infinity (import alone already refuses a
    /// point off the curve; on the P curves, whose cofactor is 1, every such point has the
    /// curve's order, so the full check's scalar multiplication adds nothing).
    /// </summary>
    private static KeyHandle? Import(ReadOnlySpan<byte> type, nint parameters, bool check)
    {
        if (parameters == 0) return null;
        nint context;
        fixed (byte* name = type) context = EVP_PKEY_CTX_new_from_name(0, name, null);
        nint pkey = 0;
        try
        {
            if (context == 0 || EVP_PKEY_fromdata_init(context) != 1 || EVP_PKEY_fromdata(context, &pkey, PublicKeySelection, parameters) != 1)
                return null;
        }
        finally
        {
            EVP_PKEY_CTX_free(context);
        }
        var key = new KeyHandle(pkey);
        if (!check) return key;
        nint checking = EVP_PKEY_CTX_new_from_pkey(0, pkey, null);
        bool sound = checking != 0 && EVP_PKEY_public_check_quick(checking) == 1;
        EVP_PKEY_CTX_free(checking);
        if (sound) return key;
        key.Dispose();
        return null;
    }

    /// <summary>
    /// Whether <paramref name="signature"/> is this key's JWS signature with <paramref name="alg"/>
    /// over <paramref name="signingInput"/>. An algorithm that does not fit the key (RS/PS with an
    /// EC key, ES with the wrong curve), a signature of the wrong length and every OpenSSL error
    /// are all "does not verify".
    /// </summary>
    public bool Verify(string alg, ReadOnlySpan<byte> signingInput, ReadOnlySpan<byte> signature)
    {
        ReadOnlySpan<byte> digest = alg switch
        {
            "RS256" or "PS256" or "ES256" => "SHA256\0"u8,
            "RS384" or "PS384" or "ES384" => "SHA384\0"u8,
            "RS512" or "PS512" or "ES512" => "SHA512\0"u8,
            _ => default,
        };
        int padding = alg.StartsWith("RS", StringComparison.Ordinal) ? RsaPkcs1Padding
            : alg.StartsWith("PS", StringComparison.Ordinal) ? RsaPkcs1PssPadding : 0;
        string? curve = alg switch { "ES256" => "P-256", "ES384" => "P-384", "ES512" => "P-521", _ => null };
        if (digest.IsEmpty || (curve is null ? Type != "RSA" : curve != Curve)) return false;
        bool added = false;
        try
        {
            _key.DangerousAddRef(ref added);
            if (curve is null) return DigestVerify(digest, padding, signingInput, signature);
            // JWS carries R || S (RFC 7518 3.4); OpenSSL verifies the DER SEQUENCE of the two.
            if (signature.Length != 2 * _coordinate) return false;
            Span<byte> der = stackalloc byte[2 * _coordinate + 16];
            int length = EcdsaDer(signature[.._coordinate], signature[_coordinate..], der);
            return length > 0 && DigestVerify(digest, 0, signingInput, der[..length]);
        }
        finally
        {
            if (added) _key.DangerousRelease();
            ERR_clear_error();
        }
    }

    private bool DigestVerify(ReadOnlySpan<byte> digest, int padding, ReadOnlySpan<byte> data, ReadOnlySpan<byte> signature)
    {
        nint context = EVP_MD_CTX_new();
        if (context == 0) return false;
        try
        {
            nint keyContext = 0;
            fixed (byte* name = digest)
                if (EVP_DigestVerifyInit_ex(context, &keyContext, name, 0, null, _key.DangerousGetHandle(), 0) != 1) return false;
            if (padding != 0 && EVP_PKEY_CTX_set_rsa_padding(keyContext, padding) != 1) return false;
            if (padding == RsaPkcs1PssPadding && EVP_PKEY_CTX_set_rsa_pss_saltlen(keyContext, RsaPssSaltLengthIsDigest) != 1) return false;
            fixed (byte* s = signature, d = data)
                return EVP_DigestVerify(context, s, (nuint)signature.Length, d, (nuint)data.Length) == 1;
        }
        finally
        {
            EVP_MD_CTX_free(context); // frees keyContext with it
        }
    }

    /// <summary>R and S as OpenSSL's DER encoding of ECDSA-Sig-Value into <paramref name="der"/>; its length, or 0.</summary>
    private static int EcdsaDer(ReadOnlySpan<byte> r, ReadOnlySpan<byte> s, Span<byte> der)
    {
        nint sig = ECDSA_SIG_new(), rn, sn;
        if (sig == 0) return 0;
        try
        {
            fixed (byte* rp = r, sp = s)
            {
                rn = BN_bin2bn(rp, r.Length, 0);
                sn = BN_bin2bn(sp, s.Length, 0);
            }
            if (rn == 0 || sn == 0 || ECDSA_SIG_set0(sig, rn, sn) != 1)
            {
                BN_free(rn);
                BN_free(sn);
                return 0;
            }
            int length = i2d_ECDSA_SIG(sig, null);
            if (length <= 0 || length > der.Length) return 0;
            fixed (byte* start = der)
            {
                byte* end = start;
                return i2d_ECDSA_SIG(sig, &end) == length ? length : 0;
            }
        }
        finally
        {
            ECDSA_SIG_free(sig); // and R and S, which set0 handed to it
        }
    }

    public void Dispose() => _key.Dispose();

    private sealed class KeyHandle : SafeHandle
    {
        public KeyHandle(nint pkey) : base(0, ownsHandle: true) => SetHandle(pkey);
        public override bool IsInvalid => handle == 0;
        protected override bool ReleaseHandle()
        {
            EVP_PKEY_free(handle);
            return true;
        }
    }
}
