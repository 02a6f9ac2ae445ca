using static Launcher.Core.Crypto.LibCrypto;

namespace Launcher.Core.Crypto;

/// <summary>SHA-256 through libcrypto: the token's hash in audit records and a job's state name.</summary>
public static unsafe class Sha256
{
    public const int Size = 32;

    public static void Hash(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        if (destination.Length < Size) throw new ArgumentException($"SHA-256 needs {Size} bytes", nameof(destination));
        if (Digest.Hash(Digest.ForBits(256), data, destination) == Size) return;
        ERR_clear_error();
        // Only a broken or missing libcrypto gets here; nothing may go on without the hash.
        throw new InvalidOperationException("libcrypto could not compute SHA-256 (is OpenSSL 3's default provider available?)");
    }

    public static string Hex(ReadOnlySpan<byte> data)
    {
        Span<byte> hash = stackalloc byte[Size];
        Hash(data, hash);
        return Convert.ToHexStringLower(hash);
    }
}
