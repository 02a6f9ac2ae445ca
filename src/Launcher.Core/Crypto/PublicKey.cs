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
        int index = Array.IndexOf(Algorithms, alg);
        if (index < 0) return false;
        string? curve = alg[0] == 'E' ? Curves[index - 6] : null;
        if (curve is null ? Type != "RSA" : curve != Curve) return false;
        bool added = false;
        try
        {
            _key.DangerousAddRef(ref added);
            // RFC 8017 8.1.2/8.2.2 step 1: a signature of k octets, k the modulus' length. OpenSSL
            // checks this for PKCS #1 v1.5 only; for PSS it takes fewer octets as the same integer
            // (.NET's RSA too), so one token would have several valid spellings.
            if (curve is null && signature.Length != (Bits + 7) / 8) return false;
            nint md = Digest.ForBits(256 + 128 * (index % 3));
            Span<byte> hash = stackalloc byte[Digest.MaxSize];
            int hashLength = Digest.Hash(md, signingInput, hash);
            nint template = hashLength == 0 ? 0 : _key.Template(index, md);
            if (template == 0) return false;
            if (curve is null) return VerifyHash(template, hash[..hashLength], signature);
            // JWS carries R || S (RFC 7518 3.4); OpenSSL verifies the DER SEQUENCE of the two.
            if (signature.Length != 2 * _coordinate) return false;
            Span<byte> der = stackalloc byte[2 * _coordinate + 16];
            int length = EcdsaDer(signature[.._coordinate], signature[_coordinate..], der);
            return length > 0 && VerifyHash(template, hash[..hashLength], der[..length]);
        }
        finally
        {
            if (added) _key.DangerousRelease();
            ERR_clear_error();
        }
    }

    /// <summary>The nine JWS algorithms, in the order of a key's templates: RSA PKCS #1 v1.5, PSS, ECDSA.</summary>
    private static readonly string[] Algorithms = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"];
    private static readonly string[] Curves = ["P-256", "P-384", "P-521"];

    /// <summary>
    /// One verification on a copy of the key's prepared context: a context is not to be shared by
    /// two threads, and a copy skips the method fetches a fresh one makes.
    /// </summary>
    private static bool VerifyHash(nint template, ReadOnlySpan<byte> hash, ReadOnlySpan<byte> signature)
    {
        nint context = EVP_PKEY_CTX_dup(template);
        if (context == 0) return false;
        try
        {
            fixed (byte* s = signature, h = hash)
                return EVP_PKEY_verify(context, s, (nuint)signature.Length, h, (nuint)hash.Length) == 1;
        }
        finally
        {
            EVP_PKEY_CTX_free(context);
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

    /// <summary>
    /// The EVP_PKEY, and per algorithm a verification context prepared once (padding, salt length,
    /// digest) that each verification copies. Both are freed together, after the last use.
    /// </summary>
    private sealed class KeyHandle : SafeHandle
    {
        private readonly nint[] _templates = new nint[Algorithms.Length];

        public KeyHandle(nint pkey) : base(0, ownsHandle: true) => SetHandle(pkey);

        public override bool IsInvalid => handle == 0;

        /// <summary>The prepared context for <see cref="Algorithms"/>[<paramref name="index"/>]; 0 if OpenSSL refuses it.</summary>
        public nint Template(int index, nint md)
        {
            nint template = Volatile.Read(ref _templates[index]);
            if (template != 0) return template;
            template = EVP_PKEY_CTX_new_from_pkey(0, handle, null);
            if (template == 0) return 0;
            string alg = Algorithms[index];
            int padding = alg[0] switch { 'R' => RsaPkcs1Padding, 'P' => RsaPkcs1PssPadding, _ => 0 };
            if (EVP_PKEY_verify_init(template) != 1
                || (padding != 0 && EVP_PKEY_CTX_set_rsa_padding(template, padding) != 1)
                || EVP_PKEY_CTX_set_signature_md(template, md) != 1
                || (padding == RsaPkcs1PssPadding && EVP_PKEY_CTX_set_rsa_pss_saltlen(template, RsaPssSaltLengthIsDigest) != 1))
            {
                EVP_PKEY_CTX_free(template);
                return 0;
            }
            nint first = Interlocked.CompareExchange(ref _templates[index], template, 0);
            if (first == 0) return template;
            EVP_PKEY_CTX_free(template); // another thread prepared it first
            return first;
        }

        protected override bool ReleaseHandle()
        {
            foreach (nint template in _templates) EVP_PKEY_CTX_free(template);
            EVP_PKEY_free(handle);
            return true;
        }
    }
}
