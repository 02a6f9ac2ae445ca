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
    public static Outcome<RegisteredClaims> Read(JsonElement claims)
    {
        var iss = String(claims, "iss");
        if (!iss.Ok) return iss.Refusal;
        var sub = String(claims, "sub");
        if (!sub.Ok) return sub.Refusal;
        var jti = String(claims, "jti");
        if (!jti.Ok) return jti.Refusal;
        var audiences = Audience(claims);
        if (!audiences.Ok) return audiences.Refusal;
        var exp = NumericDate(claims, "exp");
        if (!exp.Ok) return exp.Refusal;
        var nbf = NumericDate(claims, "nbf");
        if (!nbf.Ok) return nbf.Refusal;
        var iat = NumericDate(claims, "iat");
        if (!iat.Ok) return iat.Refusal;
        return Outcome.Of(new RegisteredClaims
        {
            Iss = iss.Value, Sub = sub.Value, Jti = jti.Value, Audiences = audiences.Value,
            Exp = exp.Value, Nbf = nbf.Value, Iat = iat.Value,
        });
    }

    private static Outcome<string?> String(JsonElement claims, string name)
    {
        if (!claims.TryGetProperty(name, out var element)) return Outcome.Of<string?>(null);
        if (element.ValueKind == JsonValueKind.String) return Outcome.Of<string?>(element.GetString());
        return Malformed($"claim '{name}' is {Describe(element)}; RFC 7519 requires a string");
    }

    private static Outcome<IReadOnlyList<string>?> Audience(JsonElement claims)
    {
        if (!claims.TryGetProperty("aud", out var aud)) return Outcome.Of<IReadOnlyList<string>?>(null);
        if (aud.ValueKind == JsonValueKind.String) return Outcome.Of<IReadOnlyList<string>?>([aud.GetString()!]);
        if (aud.ValueKind != JsonValueKind.Array)
            return Malformed($"claim 'aud' is {Describe(aud)}; RFC 7519 requires a string or an array of strings");
        var values = new List<string>();
        int index = 0;
        foreach (var element in aud.EnumerateArray())
        {
            if (element.ValueKind != JsonValueKind.String)
                return Malformed($"claim 'aud' element #{index} is {Describe(element)}; RFC 7519 requires an array of strings");
            values.Add(element.GetString()!);
            index++;
        }
        return Outcome.Of<IReadOnlyList<string>?>(values);
    }

    /// <summary>A NumericDate: a JSON number of seconds since 1970, possibly fractional (floored), before year 10000.</summary>
    private static Outcome<long?> NumericDate(JsonElement claims, string name)
    {
        if (!claims.TryGetProperty(name, out var element)) return Outcome.Of<long?>(null);
        if (element.ValueKind == JsonValueKind.Number && element.TryGetInt64(out long v) && v >= 0 && v < NumericDateLimit)
            return Outcome.Of<long?>(v);
        if (element.ValueKind == JsonValueKind.Number && element.TryGetDouble(out double d) && d >= 0 && d < NumericDateLimit)
            return Outcome.Of<long?>((long)Math.Floor(d));
        return Malformed($"claim '{name}' is {Describe(element)}, not a NumericDate (seconds since 1970 as a JSON number, before year 10000)");
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

    private static Refusal Malformed(string message) => Refusal.Denied(Reasons.TokenMalformed, message);
}
