using System.Buffers.Text;
using System.Text;
using System.Text.Json;

namespace Launcher.Core.Issuing;

/// <summary>
/// Writes a compact JWS. The header is only alg and kid: typ is optional (RFC 7519 5.1) and every
/// byte counts against the 512-byte PAM response limit site tokens must pass through.
/// </summary>
public static class CompactJwt
{
    public static string Sign(SiteKey key, Action<Utf8JsonWriter> writeClaims)
    {
        string header = Base64Url.EncodeToString(Json(w =>
        {
            w.WriteStartObject();
            w.WriteString("alg", key.Algorithm);
            w.WriteString("kid", key.KeyId);
            w.WriteEndObject();
        }));
        string payload = Base64Url.EncodeToString(Json(w =>
        {
            w.WriteStartObject();
            writeClaims(w);
            w.WriteEndObject();
        }));
        string signingInput = header + "." + payload;
        return signingInput + "." + Base64Url.EncodeToString(key.Sign(Encoding.ASCII.GetBytes(signingInput)));
    }

    private static byte[] Json(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        // Claims are copied from CI tokens verbatim; the default encoder (made for HTML) would write
        // '+' and the apostrophe as \u002B and \u0027 and waste bytes. AsciiJsonEncoder escapes only
        // control characters, '"', '\\' and non-ASCII.
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Encoder = Launcher.Core.Audit.AsciiJsonEncoder.Instance }))
            write(w);
        return stream.ToArray();
    }
}
