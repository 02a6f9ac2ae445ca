using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Launcher.Core.Authorization;

namespace Launcher.Core.Tokens;

/// <summary>
/// The first, structural look at a compact JWS, before any key is chosen: size, shape, header
/// members that change how a token must be processed. Everything here runs on attacker input,
/// so it refuses early and never throws.
/// </summary>
public sealed class TokenEnvelope
{
    /// <summary>Tokens above this size are refused before parsing (GitLab's are about 1.5 KiB).</summary>
    public const int MaxBytes = 8192;

    private TokenEnvelope(string compact, string alg, string? kid, JsonElement claims, string iss)
    {
        Compact = compact;
        Algorithm = alg;
        KeyId = kid;
        Claims = claims;
        Iss = iss;
    }

    public string Compact { get; }
    public string Algorithm { get; }
    public string? KeyId { get; }
    /// <summary>The payload object (unverified until <see cref="TokenVerifier"/> says so).</summary>
    public JsonElement Claims { get; }
    public string Iss { get; }

    /// <summary>Token file contents: one trailing newline is tolerated, nothing else is trimmed.</summary>
    public static string? FromFileText(ReadOnlySpan<byte> bytes, out TokenFailure? failure)
    {
        if (bytes.Length > MaxBytes + 1)
        {
            failure = new TokenFailure(Reasons.TokenTooLarge, $"token is {bytes.Length} bytes; the limit is {MaxBytes}");
            return null;
        }
        if (bytes.Length > 0 && bytes[^1] == (byte)'\n') bytes = bytes[..^1];
        // MaxBytes + 1 above only made room for the newline; the token itself gets the same limit as everywhere.
        if (bytes.Length > MaxBytes)
        {
            failure = new TokenFailure(Reasons.TokenTooLarge, $"token is {bytes.Length} bytes; the limit is {MaxBytes}");
            return null;
        }
        if (bytes.Length == 0)
        {
            failure = new TokenFailure(Reasons.TokenMissing, "token is empty");
            return null;
        }
        foreach (byte b in bytes)
        {
            if (!(b == '.' || b == '-' || b == '_' || (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z')))
            {
                failure = new TokenFailure(Reasons.TokenMalformed, $"token contains byte 0x{b:x2}; a compact JWT has only base64url characters and two dots");
                return null;
            }
        }
        failure = null;
        return Encoding.ASCII.GetString(bytes);
    }

    public static TokenEnvelope? Open(string token, out TokenFailure? failure)
    {
        failure = null;
        if (token.Length > MaxBytes)
        {
            failure = new TokenFailure(Reasons.TokenTooLarge, $"token is {token.Length} bytes; the limit is {MaxBytes}");
            return null;
        }
        // Only the base64url alphabet (RFC 7515: no '=' padding) and dots: one spelling per token,
        // and an ASCII signing input for the signature check.
        foreach (char c in token)
        {
            if (!(c == '.' || c == '-' || c == '_' || char.IsAsciiLetterOrDigit(c)))
            {
                failure = new TokenFailure(Reasons.TokenMalformed, $"token contains character U+{(int)c:X4}; a compact JWT has only base64url characters and dots");
                return null;
            }
        }
        var parts = token.Split('.');
        if (parts.Length == 5)
        {
            failure = new TokenFailure(Reasons.TokenEncrypted, "token is an encrypted JWT (JWE, five parts); only signed JWS tokens are accepted");
            return null;
        }
        if (parts.Length != 3 || parts[0].Length == 0 || parts[1].Length == 0)
        {
            failure = new TokenFailure(Reasons.TokenMalformed, $"token has {parts.Length} dot-separated parts; a signed JWT has exactly three");
            return null;
        }
        if (parts[2].Length == 0)
        {
            failure = new TokenFailure(Reasons.TokenUnsigned, "token has no signature part; unsigned tokens are never accepted");
            return null;
        }

        if (DecodeObject(parts[0], "header", out failure) is not { } header) return null;
        if (header.TryGetProperty("enc", out _))
        {
            failure = new TokenFailure(Reasons.TokenEncrypted, "token header has 'enc': encrypted tokens (JWE) are not accepted");
            return null;
        }
        // RFC 7515 4.1.11: a recipient must refuse extensions it does not understand. We understand none.
        if (header.TryGetProperty("crit", out _))
        {
            failure = new TokenFailure(Reasons.TokenCrit, "token header has 'crit'; no critical extensions are supported");
            return null;
        }
        if (!header.TryGetProperty("alg", out var algElement) || algElement.ValueKind != JsonValueKind.String)
        {
            failure = new TokenFailure(Reasons.TokenMalformed, "token header has no 'alg' string");
            return null;
        }
        string alg = algElement.GetString()!;
        if (alg.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            failure = new TokenFailure(Reasons.TokenUnsigned, "token header says alg 'none'; unsigned tokens are never accepted");
            return null;
        }
        string? kid = null;
        if (header.TryGetProperty("kid", out var kidElement))
        {
            if (kidElement.ValueKind != JsonValueKind.String)
            {
                failure = new TokenFailure(Reasons.TokenMalformed, "token header 'kid' is not a string");
                return null;
            }
            kid = kidElement.GetString();
        }
        // jku, x5u, x5c and jwk are deliberately never read: keys come only from the issuer's jwks_file.

        if (DecodeObject(parts[1], "payload", out failure) is not { } claims) return null;
        if (!claims.TryGetProperty("iss", out var issElement))
        {
            failure = new TokenFailure(Reasons.TokenMissingClaim, "token has no 'iss' string claim");
            return null;
        }
        if (issElement.ValueKind != JsonValueKind.String)
        {
            failure = new TokenFailure(Reasons.TokenMalformed, $"claim 'iss' is {RegisteredClaims.Describe(issElement)}; RFC 7519 requires a string");
            return null;
        }
        return new TokenEnvelope(token, alg, kid, claims, issElement.GetString()!);
    }

    private static JsonElement? DecodeObject(string part, string what, out TokenFailure? failure)
    {
        failure = null;
        byte[] buffer = new byte[Base64Url.GetMaxDecodedLength(part.Length)];
        if (Base64Url.DecodeFromChars(part, buffer, out int consumed, out int written) != System.Buffers.OperationStatus.Done || consumed != part.Length)
        {
            failure = new TokenFailure(Reasons.TokenMalformed, $"token {what} is not valid base64url");
            return null;
        }
        try
        {
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, written), new JsonDocumentOptions { MaxDepth = 16 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                failure = new TokenFailure(Reasons.TokenMalformed, $"token {what} is not a JSON object");
                return null;
            }
            if (HasDuplicateMember(doc.RootElement))
            {
                // Two 'iss' or 'sub' members let two parsers see two different tokens.
                failure = new TokenFailure(Reasons.TokenMalformed, $"token {what} has a duplicate member");
                return null;
            }
            return doc.RootElement.Clone();
        }
        catch (JsonException)
        {
            failure = new TokenFailure(Reasons.TokenMalformed, $"token {what} is not valid JSON");
            return null;
        }
    }

    private static bool HasDuplicateMember(JsonElement obj)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
            if (!seen.Add(p.Name)) return true;
        return false;
    }
}
