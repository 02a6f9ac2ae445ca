using System.Text.Json;
using Launcher.Core.Authorization;
using Launcher.Core.Config;

namespace Launcher.Core.Tokens;

/// <summary>
/// Where an issuer's JWKS is fetched from, decided without any I/O: the configured jwks_uri, or
/// the jwks_uri named by the issuer's OpenID discovery document. The fetching itself lives in the
/// CLI; these rules are shared so that a URL is judged the same way wherever it comes from.
/// </summary>
public static class JwksLocation
{
    public const string DiscoveryPath = "/.well-known/openid-configuration";

    /// <summary>OpenID Connect Discovery 1.0, section 4: the issuer URL without a trailing slash, plus the well-known path.</summary>
    public static string DiscoveryUrl(IssuerSettings issuer) => issuer.Issuer.TrimEnd('/') + DiscoveryPath;

    /// <summary>
    /// Null when <paramref name="url"/> may be fetched for <paramref name="issuer"/>: an absolute
    /// https URL, or http only under the issuer's loudly named test flag. Anything else (file:,
    /// ftp:, a relative path) would let a discovery document or a redirect point the fetch at
    /// something that is not the issuer's web server. The refusal is unlabelled: a URL from a
    /// discovery document is a discovery failure, the same URL on a redirect a fetch failure.
    /// </summary>
    public static Refusal? CheckUrl(string url, IssuerSettings issuer) =>
        UrlProblem(url, issuer) is { } problem ? Refusal.Unlabelled(problem) : null;

    private static string? UrlProblem(string url, IssuerSettings issuer)
    {
        // "/path" parses as an absolute file: URI on Unix; require the scheme to be written out.
        if (!url.Contains("://", StringComparison.Ordinal) || !Uri.TryCreate(url, UriKind.Absolute, out var uri) || url.Any(char.IsWhiteSpace))
            return $"'{Printable(url)}' is not an absolute http(s) URL";
        if (uri.Scheme != Uri.UriSchemeHttps && uri.Scheme != Uri.UriSchemeHttp)
            return $"'{Printable(url)}' has scheme '{Printable(uri.Scheme)}'; only https is fetched";
        if (uri.Host.Length == 0)
            return $"'{Printable(url)}' names no host";
        if (uri.Scheme == Uri.UriSchemeHttp && !issuer.AllowHttp)
            return $"'{Printable(url)}' uses http; only https is fetched (issuer '{issuer.Name}' does not set insecure_allow_http_for_testing_only)";
        return null;
    }

    /// <summary>
    /// The jwks_uri of a discovery document, or null with a jwks.discovery_failed failure. The
    /// document's "issuer" must equal the configured issuer exactly (Discovery 1.0, 4.3): a
    /// document that names someone else was not published by this issuer.
    /// </summary>
    public static Outcome<string> FromDiscovery(ReadOnlySpan<byte> json, IssuerSettings issuer, string source)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(json.ToArray(), new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException)
        {
            return Discovery($"{source} is not valid JSON; is the issuer URL '{issuer.Issuer}' right?");
        }
        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
                return Discovery($"{source} is not a JSON object");
            string? named = root.TryGetProperty("issuer", out var i) && i.ValueKind == JsonValueKind.String ? i.GetString() : null;
            if (!string.Equals(named, issuer.Issuer, StringComparison.Ordinal))
                return Discovery($"{source} names issuer '{Printable(named ?? "(none)")}', not '{issuer.Issuer}'; fix issuers '{issuer.Name}' issuer or set jwks_uri");
            if (!root.TryGetProperty("jwks_uri", out var u) || u.ValueKind != JsonValueKind.String || string.IsNullOrEmpty(u.GetString()))
                return Discovery($"{source} has no \"jwks_uri\" string; set jwks_uri for issuer '{issuer.Name}'");
            string uri = u.GetString()!;
            if (CheckUrl(uri, issuer) is { } refused)
                return Discovery($"{source} points jwks_uri at {refused.Detail}");
            return Outcome.Of(uri);
        }
    }

    private static Refusal Discovery(string message) => Refusal.SiteError(Reasons.JwksDiscoveryFailed, message);

    private static string Printable(string value) => Policy.PolicyEngine.Printable(value);
}
