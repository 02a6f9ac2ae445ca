using System.Net;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Tokens;

namespace Launcher.Cli.Jwks;

/// <summary>
/// Bounded HTTP GET for one issuer's discovery document and JWKS. Everything an attacker on the
/// network or a compromised web server could abuse is bounded: total time, response size,
/// redirects (few, and never to another scheme), and the trust anchors (only ca_file when set).
/// </summary>
public sealed class HttpFetcher : IDisposable
{
    /// <summary>The same bound the key source applies when reading the jwks_file back.</summary>
    public const int MaxBytes = 1 << 20;
    public const int MaxRedirects = 3;
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    public static readonly TimeSpan TotalTimeout = TimeSpan.FromSeconds(15);

    private readonly HttpClient _client;
    private readonly IssuerSettings _issuer;

    private HttpFetcher(HttpClient client, IssuerSettings issuer)
    {
        _client = client;
        _issuer = issuer;
    }

    /// <summary>
    /// A fetcher for <paramref name="issuer"/>. <paramref name="caBundle"/> (the PEM text of the
    /// issuer's ca_file) replaces the system trust store entirely: with a site CA configured, a
    /// certificate from any public CA must not be accepted for this issuer.
    /// </summary>
    public static Outcome<HttpFetcher> Create(IssuerSettings issuer, string? caBundle)
    {
        var ssl = new SslClientAuthenticationOptions
        {
            EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        };
        if (caBundle is not null)
        {
            var roots = new X509Certificate2Collection();
            try
            {
                roots.ImportFromPem(caBundle);
            }
            catch (System.Security.Cryptography.CryptographicException e)
            {
                return Failed($"issuers '{issuer.Name}' ca_file {issuer.CaFile} is not a PEM certificate bundle ({e.Message})");
            }
            if (roots.Count == 0)
                return Failed($"issuers '{issuer.Name}' ca_file {issuer.CaFile} holds no PEM certificate");
            var policy = new X509ChainPolicy
            {
                TrustMode = X509ChainTrustMode.CustomRootTrust,
                // No CRL/OCSP fetches: the refresh must not reach out to hosts other than the issuer.
                RevocationMode = X509RevocationMode.NoCheck,
            };
            policy.CustomTrustStore.AddRange(roots);
            ssl.CertificateChainPolicy = policy;
        }
        var handler = new SocketsHttpHandler
        {
            // Redirects are followed by hand (FollowRedirects) so each hop is checked like the first URL.
            AllowAutoRedirect = false,
            // https_proxy/http_proxy from the environment would route key material through a host of the caller's choosing.
            UseProxy = false,
            UseCookies = false,
            ConnectTimeout = ConnectTimeout,
            MaxResponseHeadersLength = 64, // KiB
            AutomaticDecompression = DecompressionMethods.None,
            SslOptions = ssl,
        };
        var client = new HttpClient(handler, disposeHandler: true)
        {
            // The per-fetch deadline in Get bounds the headers and the body together.
            Timeout = System.Threading.Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = MaxBytes,
        };
        client.DefaultRequestHeaders.UserAgent.ParseAdd($"ci-launcher/{CommandLine.Version}");
        client.DefaultRequestHeaders.Accept.ParseAdd("application/json");
        return Outcome.Of(new HttpFetcher(client, issuer));
    }

    /// <summary>The body of a 200 response to GET <paramref name="url"/>, at most <see cref="MaxBytes"/>; else why not.</summary>
    public Outcome<byte[]> Get(string url)
    {
        // One deadline for every hop and the body: a server that trickles bytes cannot stall the refresh.
        using var deadline = new CancellationTokenSource(TotalTimeout);
        string current = url;
        for (int hop = 0; ; hop++)
        {
            if (JwksLocation.CheckUrl(current, _issuer) is { } refused)
                return Failed(hop == 0 ? $"cannot fetch {refused.Detail}" : $"{url} redirects to {refused.Detail}");
            try
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                using var response = _client.Send(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                int status = (int)response.StatusCode;
                if (status is >= 300 and < 400 && response.Headers.Location is { } location)
                {
                    if (hop >= MaxRedirects)
                        return Failed($"{url}: more than {MaxRedirects} redirects");
                    var next = location.IsAbsoluteUri ? location : new Uri(new Uri(current), location);
                    // A redirect may not leave https, even when the test flag would permit http in the config.
                    if (current.StartsWith("https:", StringComparison.OrdinalIgnoreCase) && next.Scheme != Uri.UriSchemeHttps)
                        return Failed($"{current} redirects to {next.Scheme} URL {next}; a redirect may not leave https");
                    current = next.AbsoluteUri;
                    continue;
                }
                if (status != 200)
                    return Failed($"GET {current} answered HTTP {status} {response.ReasonPhrase}");
                if (response.Content.Headers.ContentLength is > MaxBytes)
                    return Failed($"GET {current}: the response is {response.Content.Headers.ContentLength} bytes, more than the {MaxBytes} allowed");
                return ReadBounded(response.Content.ReadAsStream(deadline.Token), current, deadline.Token);
            }
            catch (HttpRequestException e)
            {
                return Failed($"GET {current}: {Describe(e)}");
            }
            catch (OperationCanceledException)
            {
                return Failed($"GET {current}: no complete answer within {TotalTimeout.TotalSeconds:0}s");
            }
            catch (IOException e)
            {
                return Failed($"GET {current}: {e.Message}");
            }
        }
    }

    private static Outcome<byte[]> ReadBounded(Stream body, string url, CancellationToken deadline)
    {
        // Chunked responses carry no length: count while reading, stop one chunk past the limit.
        using (body)
        {
            var buffer = new MemoryStream();
            var chunk = new byte[16 * 1024];
            int n;
            while ((n = body.ReadAsync(chunk, deadline).AsTask().GetAwaiter().GetResult()) > 0)
            {
                buffer.Write(chunk, 0, n);
                if (buffer.Length > MaxBytes)
                    return Failed($"GET {url}: the response is larger than the {MaxBytes} bytes allowed");
            }
            return Outcome.Of(buffer.ToArray());
        }
    }

    private string Describe(HttpRequestException e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
            if (x is AuthenticationException)
                return $"TLS handshake failed; the server certificate must chain to {(_issuer.CaFile is null ? "the system trust store (or set ca_file)" : $"ca_file {_issuer.CaFile}")} and name the host ({x.Message})";
        // The innermost message names the real cause (connection refused, certificate chain, name mismatch).
        Exception inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        return ReferenceEquals(inner, e) ? e.Message : $"{e.Message} ({inner.Message})";
    }

    private static Refusal Failed(string message) => Refusal.SiteError(Reasons.JwksFetchFailed, message);

    public void Dispose() => _client.Dispose();
}
