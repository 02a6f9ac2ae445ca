using System.Text;
using System.Text.Json;

namespace Launcher.Core.Issuing;

/// <summary>
/// The static documents relying parties fetch: the public JWKS of every published key, and an
/// OpenID discovery document that points at it (what 'jwks refresh' and most JWT libraries read).
/// </summary>
public static class SiteJwks
{
    public const string JwksPath = "/.well-known/jwks.json";
    public const string DiscoveryPath = "/.well-known/openid-configuration";

    public static string Jwks(IEnumerable<SiteKey> keys) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteStartArray("keys");
        foreach (var key in keys) key.WritePublicJwk(w);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    public static string OpenIdConfiguration(string issuer, IEnumerable<string> algorithms, IEnumerable<string> claims) => Write(w =>
    {
        w.WriteStartObject();
        w.WriteString("issuer", issuer);
        w.WriteString("jwks_uri", issuer + JwksPath);
        // Site tokens are issued by 'ci-launcher token issue', not through an authorization
        // endpoint; these members say only what a verifier needs.
        w.WriteStartArray("id_token_signing_alg_values_supported");
        foreach (var alg in algorithms.Distinct().Order(StringComparer.Ordinal)) w.WriteStringValue(alg);
        w.WriteEndArray();
        w.WriteStartArray("subject_types_supported");
        w.WriteStringValue("public");
        w.WriteEndArray();
        w.WriteStartArray("response_types_supported");
        w.WriteStringValue("id_token");
        w.WriteEndArray();
        w.WriteStartArray("claims_supported");
        foreach (var c in new[] { "iss", "sub", "aud", "iat", "nbf", "exp", "jti" }.Concat(claims)) w.WriteStringValue(c);
        w.WriteEndArray();
        w.WriteEndObject();
    });

    private static string Write(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
            write(w);
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }
}
