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

    /// <summary>
    /// The one refusal for input that is not shaped like a JWT (<see cref="IsJwtShaped"/>). It is
    /// most likely a password typed at the PAM Token prompt or handed over by try_first_pass, so
    /// it says nothing about the input: no byte value, length, dot count or other property of a
    /// password may reach stderr, the audit trail, syslog or validate --json.
    /// </summary>
    public const string NotJwtShaped = "the input is not a JWT: a signed token is three base64url parts joined by dots, with nothing else in it but one final newline";

    private static Refusal NotJwt => Refusal.Denied(Reasons.TokenMalformed, NotJwtShaped);

    private static Refusal TooLarge => Refusal.Denied(Reasons.TokenTooLarge, $"token is larger than the limit of {MaxBytes} bytes");

    /// <summary>Token file contents: one trailing newline is tolerated, nothing else is trimmed.</summary>
    public static Outcome<string> FromFileText(ReadOnlySpan<byte> bytes)
    {
        // Too large is said without the size: oversized input may be someone's pasted secret.
        if (bytes.Length > MaxBytes + 1) return TooLarge;
        if (bytes.Length > 0 && bytes[^1] == (byte)'\n') bytes = bytes[..^1];
        // MaxBytes + 1 above only made room for the newline; the token itself gets the same limit as everywhere.
        if (bytes.Length > MaxBytes) return TooLarge;
        if (bytes.Length == 0) return Refusal.Denied(Reasons.TokenMissing, "token is empty");
        foreach (byte b in bytes)
            if (!IsTokenByte(b)) return NotJwt;
        return Outcome.Of(Encoding.ASCII.GetString(bytes));
    }

    /// <summary>
    /// Whether <paramref name="token"/> is shaped like a compact JWT: only base64url characters
    /// and dots, three parts (JWS) or five (JWE), and a first part that decodes to a JSON object.
    /// A password practically never is (its first part would have to start with "ey"); only
    /// input that is gets a specific refusal, and only its SHA-256 may be audited.
    /// </summary>
    public static bool IsJwtShaped(string token) => Shape(token, out _, out _);

    private static bool Shape(string token, out string[] parts, out JsonElement header)
    {
        parts = [];
        header = default;
        if (token.Length > MaxBytes) return false;
        // Only the base64url alphabet (RFC 7515: no '=' padding) and dots: one spelling per token,
        // and an ASCII signing input for the signature check.
        foreach (char c in token)
            if (c > 0x7f || !IsTokenByte((byte)c)) return false;
        parts = token.Split('.');
        if (parts.Length is not (3 or 5) || parts[0].Length == 0) return false;
        return ParseObject(parts[0], out header);
    }

    private static bool IsTokenByte(byte b) =>
        b == '.' || b == '-' || b == '_' || (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');

    public static Outcome<TokenEnvelope> Open(string token)
    {
        if (token.Length > MaxBytes) return TooLarge;
        if (!Shape(token, out var parts, out var header)) return NotJwt;
        // From here on the input is a JWT, and the details help whoever minted it.
        if (parts.Length == 5)
            return Refusal.Denied(Reasons.TokenEncrypted, "token is an encrypted JWT (JWE, five parts); only signed JWS tokens are accepted");
        if (parts[1].Length == 0)
            return Refusal.Denied(Reasons.TokenMalformed, "token has an empty payload part");
        if (parts[2].Length == 0)
            return Refusal.Denied(Reasons.TokenUnsigned, "token has no signature part; unsigned tokens are never accepted");

        if (HasDuplicateMember(header))
            return Refusal.Denied(Reasons.TokenMalformed, "token header has a duplicate member");
        if (header.TryGetProperty("enc", out _))
            return Refusal.Denied(Reasons.TokenEncrypted, "token header has 'enc': encrypted tokens (JWE) are not accepted");
        // RFC 7515 4.1.11: a recipient must refuse extensions it does not understand. We understand none.
        if (header.TryGetProperty("crit", out _))
            return Refusal.Denied(Reasons.TokenCrit, "token header has 'crit'; no critical extensions are supported");
        if (!header.TryGetProperty("alg", out var algElement) || algElement.ValueKind != JsonValueKind.String)
            return Refusal.Denied(Reasons.TokenMalformed, "token header has no 'alg' string");
        string alg = algElement.GetString()!;
        if (alg.Equals("none", StringComparison.OrdinalIgnoreCase))
            return Refusal.Denied(Reasons.TokenUnsigned, "token header says alg 'none'; unsigned tokens are never accepted");
        string? kid = null;
        if (header.TryGetProperty("kid", out var kidElement))
        {
            if (kidElement.ValueKind != JsonValueKind.String)
                return Refusal.Denied(Reasons.TokenMalformed, "token header 'kid' is not a string");
            kid = kidElement.GetString();
        }
        // jku, x5u, x5c and jwk are deliberately never read: keys come only from the issuer's jwks_file.

        var payload = DecodeObject(parts[1], "payload");
        if (!payload.Ok) return payload.Refusal;
        var claims = payload.Value;
        if (!claims.TryGetProperty("iss", out var issElement))
            return Refusal.Denied(Reasons.TokenMissingClaim, "token has no 'iss' string claim");
        if (issElement.ValueKind != JsonValueKind.String)
            return Refusal.Denied(Reasons.TokenMalformed, $"claim 'iss' is {RegisteredClaims.Describe(issElement)}; RFC 7519 requires a string");
        return Outcome.Of(new TokenEnvelope(token, alg, kid, claims, issElement.GetString()!));
    }

    /// <summary>Whether a part is base64url of a JSON object (duplicates are judged later).</summary>
    private static bool ParseObject(string part, out JsonElement obj)
    {
        obj = default;
        byte[] buffer = new byte[Base64Url.GetMaxDecodedLength(part.Length)];
        if (Base64Url.DecodeFromChars(part, buffer, out int consumed, out int written) != System.Buffers.OperationStatus.Done || consumed != part.Length)
            return false;
        try
        {
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, written), new JsonDocumentOptions { MaxDepth = 16 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object) return false;
            obj = doc.RootElement.Clone();
            return true;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static Outcome<JsonElement> DecodeObject(string part, string what)
    {
        byte[] buffer = new byte[Base64Url.GetMaxDecodedLength(part.Length)];
        if (Base64Url.DecodeFromChars(part, buffer, out int consumed, out int written) != System.Buffers.OperationStatus.Done || consumed != part.Length)
            return Refusal.Denied(Reasons.TokenMalformed, $"token {what} is not valid base64url");
        try
        {
            using var doc = JsonDocument.Parse(buffer.AsMemory(0, written), new JsonDocumentOptions { MaxDepth = 16 });
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
                return Refusal.Denied(Reasons.TokenMalformed, $"token {what} is not a JSON object");
            // Two 'iss' or 'sub' members let two parsers see two different tokens.
            if (HasDuplicateMember(doc.RootElement))
                return Refusal.Denied(Reasons.TokenMalformed, $"token {what} has a duplicate member");
            return Outcome.Of(doc.RootElement.Clone());
        }
        catch (JsonException)
        {
            return Refusal.Denied(Reasons.TokenMalformed, $"token {what} is not valid JSON");
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
