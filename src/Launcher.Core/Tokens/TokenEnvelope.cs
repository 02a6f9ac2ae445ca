using System.Buffers;
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
    public static bool IsJwtShaped(string token)
    {
        if (!Split(token, out var parts)) return false;
        var header = ParseHeader(token.AsSpan(parts.Header));
        header.Document?.Dispose();
        return header.Document is not null;
    }

    /// <summary>The base64url alphabet (RFC 7515: no '=' padding) and the dot.</summary>
    private static readonly SearchValues<char> TokenChars =
        SearchValues.Create("-.0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz");

    /// <summary>
    /// Duplicate members are judged by <see cref="HasDuplicateMember"/> on the top level (where the
    /// claims are), not by the parser's AllowDuplicateProperties = false: for objects of more than
    /// a few members the parser keeps a hash set seeded by RandomNumberGenerator, whose first use
    /// loads .NET's whole OpenSSL shim and libssl: 4-5 M instructions in every launch for a
    /// random seed (bench/launch/README.md, cut 16).
    /// </summary>
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 16 };

    /// <summary>Where the parts are: ranges into the token, no copies.</summary>
    private readonly record struct Parts(int Count, Range Header, Range Payload, Range Signature);

    /// <summary>Size, alphabet, and three or five parts with a non-empty first one.</summary>
    private static bool Split(string token, out Parts parts)
    {
        parts = default;
        if (token.Length > MaxBytes) return false;
        var span = token.AsSpan();
        // Only the base64url alphabet and dots: one spelling per token, and an ASCII signing input
        // for the signature check.
        if (span.IndexOfAnyExcept(TokenChars) >= 0) return false;
        int dots = span.Count('.');
        if (dots is not (2 or 4)) return false;
        int first = span.IndexOf('.');
        if (first == 0) return false;
        int second = first + 1 + span[(first + 1)..].IndexOf('.');
        int end = dots == 2 ? token.Length : second + 1 + span[(second + 1)..].IndexOf('.');
        parts = new Parts(dots + 1, ..first, (first + 1)..second, (second + 1)..end);
        return true;
    }

    private static bool IsTokenByte(byte b) =>
        b == '.' || b == '-' || b == '_' || (b >= '0' && b <= '9') || (b >= 'a' && b <= 'z') || (b >= 'A' && b <= 'Z');

    public static Outcome<TokenEnvelope> Open(string token)
    {
        if (token.Length > MaxBytes) return TooLarge;
        if (!Split(token, out var parts)) return NotJwt;
        var (header, headerDuplicate) = ParseHeader(token.AsSpan(parts.Header));
        if (header is null) return NotJwt;
        string alg;
        string? kid = null;
        using (header)
        {
            // From here on the input is a JWT, and the details help whoever minted it.
            if (parts.Count == 5)
                return Refusal.Denied(Reasons.TokenEncrypted, "token is an encrypted JWT (JWE, five parts); only signed JWS tokens are accepted");
            if (token.AsSpan(parts.Payload).IsEmpty)
                return Refusal.Denied(Reasons.TokenMalformed, "token has an empty payload part");
            if (token.AsSpan(parts.Signature).IsEmpty)
                return Refusal.Denied(Reasons.TokenUnsigned, "token has no signature part; unsigned tokens are never accepted");

            var h = header.RootElement;
            if (headerDuplicate)
                return Refusal.Denied(Reasons.TokenMalformed, "token header has a duplicate member");
            if (h.TryGetProperty("enc"u8, out _))
                return Refusal.Denied(Reasons.TokenEncrypted, "token header has 'enc': encrypted tokens (JWE) are not accepted");
            // RFC 7515 4.1.11: a recipient must refuse extensions it does not understand. We understand none.
            if (h.TryGetProperty("crit"u8, out _))
                return Refusal.Denied(Reasons.TokenCrit, "token header has 'crit'; no critical extensions are supported");
            if (!h.TryGetProperty("alg"u8, out var algElement) || algElement.ValueKind != JsonValueKind.String)
                return Refusal.Denied(Reasons.TokenMalformed, "token header has no 'alg' string");
            alg = algElement.GetString()!;
            if (alg.Equals("none", StringComparison.OrdinalIgnoreCase))
                return Refusal.Denied(Reasons.TokenUnsigned, "token header says alg 'none'; unsigned tokens are never accepted");
            if (h.TryGetProperty("kid"u8, out var kidElement))
            {
                if (kidElement.ValueKind != JsonValueKind.String)
                    return Refusal.Denied(Reasons.TokenMalformed, "token header 'kid' is not a string");
                kid = kidElement.GetString();
            }
            // jku, x5u, x5c and jwk are deliberately never read: keys come only from the issuer's jwks_file.
        }

        var payload = DecodePayload(token.AsSpan(parts.Payload));
        if (!payload.Ok) return payload.Refusal;
        var claims = payload.Value;
        if (!claims.TryGetProperty("iss"u8, out var issElement))
            return Refusal.Denied(Reasons.TokenMissingClaim, "token has no 'iss' string claim");
        if (issElement.ValueKind != JsonValueKind.String)
            return Refusal.Denied(Reasons.TokenMalformed, $"claim 'iss' is {RegisteredClaims.Describe(issElement)}; RFC 7519 requires a string");
        return Outcome.Of(new TokenEnvelope(token, alg, kid, claims, issElement.GetString()!));
    }

    /// <summary>
    /// The header as a JSON object (null: it is not base64url of one), and whether it has a
    /// duplicate top-level member. The caller disposes the document.
    /// </summary>
    private static (JsonDocument? Document, bool DuplicateMember) ParseHeader(ReadOnlySpan<char> part)
    {
        // The document keeps the bytes it was parsed from, so they are its own array.
        byte[] buffer = new byte[Base64Url.GetMaxDecodedLength(part.Length)];
        if (!Decode(part, buffer, out int written) || !IsText(buffer.AsSpan(0, written))) return (null, false);
        var json = buffer.AsMemory(0, written);
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json, Options);
        }
        catch (JsonException)
        {
            return (null, false);
        }
        if (doc.RootElement.ValueKind == JsonValueKind.Object) return (doc, HasDuplicateMember(doc.RootElement));
        doc.Dispose();
        return (null, false);
    }

    /// <summary>The payload as a JSON object of its own (it outlives every buffer here), or why not.</summary>
    private static Outcome<JsonElement> DecodePayload(ReadOnlySpan<char> part)
    {
        byte[] rented = ArrayPool<byte>.Shared.Rent(Base64Url.GetMaxDecodedLength(part.Length));
        try
        {
            if (!Decode(part, rented, out int written))
                return Refusal.Denied(Reasons.TokenMalformed, "token payload is not valid base64url");
            var json = rented.AsSpan(0, written);
            if (!IsText(json))
                return Refusal.Denied(Reasons.TokenMalformed, "token payload is not valid JSON");
            JsonElement claims;
            try
            {
                claims = JsonElement.Parse(json, Options);
            }
            catch (JsonException)
            {
                return Refusal.Denied(Reasons.TokenMalformed, "token payload is not valid JSON");
            }
            if (claims.ValueKind != JsonValueKind.Object)
                return Refusal.Denied(Reasons.TokenMalformed, "token payload is not a JSON object");
            // Two 'iss' or 'sub' members let two parsers see two different tokens.
            if (HasDuplicateMember(claims))
                return Refusal.Denied(Reasons.TokenMalformed, "token payload has a duplicate member");
            return Outcome.Of(claims);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    /// <summary>
    /// RFC 8259: JSON text is UTF-8 (8.1), and a \u escape of half a surrogate pair is no
    /// character (8.2). System.Text.Json parses both and throws InvalidOperationException only
    /// when such a string is read (an 'alg', 'iss', a member name, a claim the policy reads),
    /// which would be an exception on attacker input instead of a refusal. UTF-8 is checked
    /// whole (vectorized); strings are read one by one only when the text has a \u escape at all.
    /// </summary>
    private static bool IsText(ReadOnlySpan<byte> json)
    {
        if (!System.Text.Unicode.Utf8.IsValid(json)) return false;
        if (json.IndexOf("\\u"u8) < 0) return true;
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 16 });
        try
        {
            while (reader.Read())
                if (reader.TokenType is JsonTokenType.PropertyName or JsonTokenType.String) reader.GetString();
            return true;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // Not JSON either way: the parse that follows would refuse it with the same words.
            return false;
        }
    }

    private static bool Decode(ReadOnlySpan<char> part, Span<byte> buffer, out int written) =>
        Base64Url.DecodeFromChars(part, buffer, out int consumed, out written) == OperationStatus.Done && consumed == part.Length;

    /// <summary>
    /// Whether two members of the object have the same name once unescaped ("\u0069ss" is "iss").
    /// The ordinal comparer hashes without a random seed until collisions pile up, so no
    /// RandomNumberGenerator (see <see cref="Options"/>).
    /// </summary>
    private static bool HasDuplicateMember(JsonElement obj)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject())
            if (!seen.Add(p.Name)) return true;
        return false;
    }
}
