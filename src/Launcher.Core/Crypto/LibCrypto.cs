using System.Runtime.InteropServices;

namespace Launcher.Core.Crypto;

/// <summary>
/// The OpenSSL 3 libcrypto entry points token verification uses, declared once and bound at link
/// time by the AOT binaries (src/Launcher.Posix/Interop/DirectPInvoke.props). .NET's own
/// cryptography reaches the same library through a shim that loads libssl as well and resolves
/// about 800 symbols before the first hash; binding the two dozen calls used here directly is
/// most of what a launch spent in OpenSSL (bench/launch/README.md, cut 15). This folder calls
/// libcrypto only: nothing here touches files, identities or privileges (README.md).
/// </summary>
internal static unsafe partial class LibCrypto
{
    public const string Library = "libcrypto.so.3";

    private const ulong InitNoLoadCryptoStrings = 0x1, InitLoadConfig = 0x40, InitNoAtExit = 0x80000;

    /// <summary>
    /// Initializes OpenSSL before the first call here, as it would by itself (the system's
    /// openssl.cnf, where RHEL keeps its crypto policy), but without the atexit handler that frees
    /// every table again as the process exits, 1.3 M instructions at the end of every launch
    /// (bench/launch/README.md, cut 17); the kernel frees the memory anyway. Nor does it load
    /// OpenSSL's error texts (0.9 M, cut 19): nothing here shows them, every failure is "does not
    /// verify" and the queue is cleared. Where OpenSSL is already initialized (sshd's own use
    /// under the PAM module), this changes nothing.
    /// </summary>
    static LibCrypto() => OPENSSL_init_crypto(InitNoLoadCryptoStrings | InitLoadConfig | InitNoAtExit, 0);

    [LibraryImport(Library)] private static partial int OPENSSL_init_crypto(ulong options, nint settings);

    /// <summary>EVP_PKEY_PUBLIC_KEY: the public key and its domain parameters, no private part.</summary>
    public const int PublicKeySelection = 0x86;
    public const int RsaPkcs1Padding = 1;
    public const int RsaPkcs1PssPadding = 6;
    /// <summary>RSA_PSS_SALTLEN_DIGEST: the salt is exactly as long as the digest (RFC 7518 3.5), checked on verify.</summary>
    public const int RsaPssSaltLengthIsDigest = -1;

    [LibraryImport(Library)] public static partial nint BN_bin2bn(byte* s, int len, nint ret);
    [LibraryImport(Library)] public static partial void BN_free(nint a);

    [LibraryImport(Library)] public static partial nint OSSL_PARAM_BLD_new();
    [LibraryImport(Library)] public static partial void OSSL_PARAM_BLD_free(nint bld);
    [LibraryImport(Library)] public static partial int OSSL_PARAM_BLD_push_BN(nint bld, byte* key, nint bn);
    [LibraryImport(Library)] public static partial int OSSL_PARAM_BLD_push_utf8_string(nint bld, byte* key, byte* buf, nuint bsize);
    [LibraryImport(Library)] public static partial int OSSL_PARAM_BLD_push_octet_string(nint bld, byte* key, byte* buf, nuint bsize);
    [LibraryImport(Library)] public static partial nint OSSL_PARAM_BLD_to_param(nint bld);
    [LibraryImport(Library)] public static partial void OSSL_PARAM_free(nint param);

    [LibraryImport(Library)] public static partial nint EVP_PKEY_CTX_new_from_name(nint libctx, byte* name, byte* propquery);
    [LibraryImport(Library)] public static partial nint EVP_PKEY_CTX_new_from_pkey(nint libctx, nint pkey, byte* propquery);
    [LibraryImport(Library)] public static partial void EVP_PKEY_CTX_free(nint ctx);
    [LibraryImport(Library)] public static partial int EVP_PKEY_fromdata_init(nint ctx);
    [LibraryImport(Library)] public static partial int EVP_PKEY_fromdata(nint ctx, nint* pkey, int selection, nint param);
    [LibraryImport(Library)] public static partial int EVP_PKEY_public_check_quick(nint ctx);
    [LibraryImport(Library)] public static partial int EVP_PKEY_get_bits(nint pkey);
    [LibraryImport(Library)] public static partial void EVP_PKEY_free(nint pkey);
    [LibraryImport(Library)] public static partial int EVP_PKEY_CTX_set_rsa_padding(nint ctx, int padding);
    [LibraryImport(Library)] public static partial int EVP_PKEY_CTX_set_rsa_pss_saltlen(nint ctx, int saltlen);

    [LibraryImport(Library)] public static partial nint EVP_PKEY_CTX_dup(nint ctx);
    [LibraryImport(Library)] public static partial int EVP_PKEY_verify_init(nint ctx);
    [LibraryImport(Library)] public static partial int EVP_PKEY_verify(nint ctx, byte* sig, nuint siglen, byte* tbs, nuint tbslen);
    [LibraryImport(Library)] public static partial int EVP_PKEY_CTX_set_signature_md(nint ctx, nint md);

    [LibraryImport(Library)] public static partial nint EVP_MD_fetch(nint libctx, byte* algorithm, byte* properties);
    [LibraryImport(Library)] public static partial void EVP_MD_free(nint md);
    [LibraryImport(Library)] public static partial int EVP_MD_get_size(nint md);
    [LibraryImport(Library)] public static partial int EVP_Digest(byte* data, nuint count, byte* md, uint* size, nint type, nint impl);

    [LibraryImport(Library)] public static partial nint ECDSA_SIG_new();
    [LibraryImport(Library)] public static partial void ECDSA_SIG_free(nint sig);
    [LibraryImport(Library)] public static partial int ECDSA_SIG_set0(nint sig, nint r, nint s);
    [LibraryImport(Library)] public static partial int i2d_ECDSA_SIG(nint sig, byte** pp);

    /// <summary>
    /// Empties this thread's OpenSSL error queue. Every failed call leaves entries there; left
    /// behind, they would be read as the cause of a later, unrelated failure (also by .NET's own
    /// cryptography in the same process, which issuing uses).
    /// </summary>
    [LibraryImport(Library)] public static partial void ERR_clear_error();
}
