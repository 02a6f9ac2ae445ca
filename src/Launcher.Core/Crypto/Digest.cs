using static Launcher.Core.Crypto.LibCrypto;

namespace Launcher.Core.Crypto;

/// <summary>
/// SHA-256, SHA-384 and SHA-512 as OpenSSL digests, each fetched once per process and kept: a
/// fetch by name walks OpenSSL's method store under a lock, which per token cost about a fifth of
/// an RS256 verification (bench/validate/README.md).
/// </summary>
internal static unsafe class Digest
{
    public const int MaxSize = 64;

    private static nint _sha256, _sha384, _sha512;

    /// <summary>The digest of a JWS algorithm's bits (256, 384, 512); 0 if OpenSSL has none.</summary>
    public static nint ForBits(int bits) => bits switch
    {
        256 => Fetched(ref _sha256, "SHA256\0"u8),
        384 => Fetched(ref _sha384, "SHA384\0"u8),
        512 => Fetched(ref _sha512, "SHA512\0"u8),
        _ => 0,
    };

    /// <summary>The hash of <paramref name="data"/> into <paramref name="hash"/>; its length, or 0 (also when <paramref name="hash"/> is too short).</summary>
    public static int Hash(nint md, ReadOnlySpan<byte> data, Span<byte> hash)
    {
        if (md == 0 || hash.Length < EVP_MD_get_size(md)) return 0;
        uint size = 0;
        fixed (byte* d = data, h = hash)
            return EVP_Digest(d, (nuint)data.Length, h, &size, md, 0) == 1 ? (int)size : 0;
    }

    private static nint Fetched(ref nint slot, ReadOnlySpan<byte> name)
    {
        nint md = Volatile.Read(ref slot);
        if (md != 0) return md;
        fixed (byte* n = name) md = EVP_MD_fetch(0, n, null);
        if (md == 0) return 0;
        nint first = Interlocked.CompareExchange(ref slot, md, 0);
        if (first == 0) return md;
        EVP_MD_free(md); // another thread fetched it first
        return first;
    }
}
