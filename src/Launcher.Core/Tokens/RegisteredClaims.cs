using System.Text.Json;
using Launcher.Core.Authorization;

namespace Launcher.Core.Tokens;

/// <summary>
/// The registered claims of RFC 7519 section 4.1, read once with their exact types: iss, sub and
/// jti strings; aud a string or an array of strings; exp, nbf and iat NumericDates (JSON numbers).
/// A claim of any other shape is token.malformed naming the claim. Lenient readers let a token
/// mean different things to different consumers: an aud of [1, "https://hpc.example.org"] passes
/// a check that skips non-strings, and a sub or jti that is an object is logged and compared by
/// whatever text some other component makes of it.
/// </summary>
public sealed class RegisteredClaims
{
    /// <summary>Year 10000 (exclusive): beyond it a date cannot be printed, so nothing meaningful is.</summary>
    private const long NumericDateLimit = 253402300800;

    private RegisteredClaims()
    {
    }

    public string? Iss { get; private init; }
    public string? Sub { get; private init; }
    public string? Jti { get; private init; }
    /// <summary>The audiences (one for a string aud), or null when aud is absent.</summary>
    public IReadOnlyList<string>? Audiences { get; private init; }
    public long? Exp { get; private init; }
    public long? Nbf { get; private init; }
    public long? Iat { get; private init; }

    /// <summary>Absent claims are null here; deciding which are required is the verifier's job.</summary>
    public static RegisteredClaims? Read(JsonElement claims, out TokenFailure? failure)
    {
        failure = null;
        if (!String(claims, "iss", out var iss, out failure)
            || !String(claims, "sub", out var sub, out failure)
            || !String(claims, "jti", out var jti, out failure)
            || !Audience(claims, out var audiences, out failure)
            || !NumericDate(claims, "exp", out var exp, out failure)
            || !NumericDate(claims, "nbf", out var nbf, out failure)
            || !NumericDate(claims, "iat", out var iat, out failure))
            return null;
        return new RegisteredClaims { Iss = iss, Sub = sub, Jti = jti, Audiences = audiences, Exp = exp, Nbf = nbf, Iat = iat };
    }

    private static bool String(JsonElement claims, string name, out string? value, out TokenFailure? failure)
    {
        value = null;
        failure = null;
        if (!claims.TryGetProperty(name, out var element)) return true;
        if (element.ValueKind == JsonValueKind.String)
        {
            value = element.GetString();
            return true;
        }
        failure = Malformed($"claim '{name}' is {Describe(element)}; RFC 7519 requires a string");
        return false;
    }

    private static bool Audience(JsonElement claims, out IReadOnlyList<string>? audiences, out TokenFailure? failure)
    {
        audiences = null;
        failure = null;
        if (!claims.TryGetProperty("aud", out var aud)) return true;
        if (aud.ValueKind == JsonValueKind.String)
        {
            audiences = [aud.GetString()!];
            return true;
        }
        if (aud.ValueKind != JsonValueKind.Array)
        {
            failure = Malformed($"claim 'aud' is {Describe(aud)}; RFC 7519 requires a string or an array of strings");
            return false;
        }
        var values = new List<string>();
        int index = 0;
        foreach (var element in aud.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.String)
            {
                failure = Malformed($"claim 'aud' element #{index} is {Describe(element)}; RFC 7519 requires an array of strings");
                return false;
            }
            values.Add(element.GetString()!);
            index++;
        }
        audiences = values;
        return true;
    }

    /// <summary>A NumericDate: a JSON number of seconds since 1970, possibly fractional (floored), before year 10000.</summary>
    private static bool NumericDate(JsonElement claims, string name, out long? value, out TokenFailure? failure)
    {
        value = null;
        failure = null;
        if (!claims.TryGetProperty(name, out var element)) return true;
        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out long v) && v >= 0 && v < NumericDateLimit)
        {
            value = v;
            return true;
        }
        if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out double d) && d >= 0 && d < NumericDateLimit)
        {
            value = (long)Math.Floor(d);
            return true;
        }
        failure = Malformed($"claim '{name}' is {Describe(element)}, not a NumericDate (seconds since 1970 as a JSON number, before year 10000)");
        return false;
    }

    /// <summary>The JSON type and a short printable rendering of a value, for the refusal message.</summary>
    internal static string Describe(JsonElement element)
    {
        string kind = element.ValueKind switch
        {
            JsonValueKind.Object => "an object",
            JsonValueKind.Array => "an array",
            JsonValueKind.String => "a string",
            JsonValueKind.Number => "a number",
            JsonValueKind.True or JsonValueKind.False => "a boolean",
            _ => "null",
        };
        if (element.ValueKind == JsonValueKind.Null) return kind;
        string raw = element.GetRawText();
        return $"{kind} ({Policy.PolicyEngine.Printable(raw.Length > 40 ? raw[..40] + "..." : raw)})";
    }

    private static TokenFailure Malformed(string message) => new(Reasons.TokenMalformed, message);
}
