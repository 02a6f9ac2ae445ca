using System.Text;
using Launcher.Integration.Tests.Support;
using Launcher.TestIssuer;

namespace Launcher.Integration.Tests;

/// <summary>
/// <c>ci-launcher jwks refresh</c> against a loopback issuer: plain http under the test flag, and
/// https with a CA made in the test and given as ca_file. Every failure must leave the old
/// jwks_file byte for byte, leave no temporary file behind, and say why in one line.
/// </summary>
public class JwksRefreshTests
{
    private static readonly IssuerKey OldKey = IssuerKey.CreateRsa("old-key");
    private static readonly IssuerKey NewKey = IssuerKey.CreateRsa("new-key");
    private static readonly string OldJwks = IssuerKey.Jwks(OldKey);
    private static readonly string NewJwks = IssuerKey.Jwks(NewKey);

    /// <summary>A jwks_file, a config for one issuer at <paramref name="issuerUrl"/>, and the refresh command's result.</summary>
    private sealed class Refresh : IDisposable
    {
        public TrustedDir Dir { get; } = new();
        public string JwksPath { get; }
        public string ConfigPath { get; }

        public Refresh(string issuerUrl, string extra = "", bool http = false)
        {
            JwksPath = Dir.Write("jwks/gitlab.json", OldJwks);
            ConfigPath = Dir.Write("config.yaml", $"""
                issuers:
                  - name: gitlab
                    issuer: {issuerUrl}
                    audiences: [https://hpc.example.org]
                    jwks_file: {JwksPath}
                    algorithms: [RS256]
                {(http ? "    insecure_allow_http_for_testing_only: true\n" : "")}{extra}
                policy:
                  rules:
                    - name: deny-all
                      issuer: gitlab
                      action: deny
                audit:
                  file: ""
                  syslog: false
                """);
        }

        public string CaFile(string pem) => Dir.Write("ca.pem", pem);

        public ProcResult Run(params string[] more) =>
            Proc.Run(Dist.CiLauncher, ["jwks", "refresh", "--config", ConfigPath, .. more], timeout: TimeSpan.FromSeconds(60));

        public string Current => File.ReadAllText(JwksPath);

        public string[] Leftovers => Directory.GetFiles(Path.GetDirectoryName(JwksPath)!).Where(f => f != JwksPath).ToArray();

        public void Dispose() => Dir.Dispose();
    }

    private static void Discovery(LoopbackServer server, string? jwksUri = null, string? issuer = null) =>
        server.Routes["/.well-known/openid-configuration"] = LoopbackResponse.Json(IssuerKey.Json(new Dictionary<string, object?>
        {
            ["issuer"] = issuer ?? server.BaseUrl,
            ["jwks_uri"] = jwksUri ?? server.BaseUrl + "/oauth/discovery/keys",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));

    private static void AssertRefreshed(Refresh refresh, ProcResult r)
    {
        Assert.True(r.ExitCode == 0, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Contains("wrote 1 signing key(s) (new-key)", r.Stdout);
        Assert.Equal(NewJwks, refresh.Current);
        Assert.Equal((UnixFileMode)0b110_100_100, File.GetUnixFileMode(refresh.JwksPath));
        Assert.Empty(refresh.Leftovers);
        if (RootFactAttribute.IsRoot())
        {
            Assert.Equal("root", Proc.Run("/usr/bin/stat", ["-c", "%U:%G", refresh.JwksPath]).Stdout.Trim().Split(':')[0]);
        }
    }

    private static void AssertKeptOldFile(Refresh refresh, ProcResult r, string reason, string? detail = null)
    {
        Assert.True(r.ExitCode == 1, $"expected exit 1, got {r.ExitCode}: {r.Stderr}");
        string line = Assert.Single(r.Stderr.TrimEnd('\n').Split('\n'));
        Assert.StartsWith($"ci-launcher: {reason}: issuer 'gitlab': ", line);
        Assert.EndsWith($"kept the old {refresh.JwksPath}", line);
        if (detail is not null) Assert.Contains(detail, line);
        Assert.Equal("", r.Stdout);
        Assert.Equal(OldJwks, refresh.Current);
        Assert.Empty(refresh.Leftovers);
    }

    [Fact]
    public void Http_with_the_test_flag_refreshes_through_discovery()
    {
        using var server = new LoopbackServer();
        Discovery(server);
        server.Routes["/oauth/discovery/keys"] = LoopbackResponse.Json(NewJwks);
        using var refresh = new Refresh(server.BaseUrl, http: true);
        AssertRefreshed(refresh, refresh.Run());
        Assert.Equal(["/.well-known/openid-configuration", "/oauth/discovery/keys"], server.Requested);
    }

    [Fact]
    public void Https_with_ca_file_refreshes_from_jwks_uri_without_discovery()
    {
        var ca = new TestCa("clfnd test CA");
        using var server = new LoopbackServer(ca.ServerCertificate());
        server.Routes["/keys"] = LoopbackResponse.Json(NewJwks);
        using var refresh = new Refresh(server.BaseUrl);
        string caFile = refresh.CaFile(ca.CertificatePem);
        File.WriteAllText(refresh.ConfigPath, File.ReadAllText(refresh.ConfigPath).Replace(
            "    algorithms: [RS256]\n", $"    algorithms: [RS256]\n    jwks_uri: {server.BaseUrl}/keys\n    ca_file: {caFile}\n"));
        AssertRefreshed(refresh, refresh.Run("--issuer", "gitlab"));
        Assert.Equal(["/keys"], server.Requested);
    }

    [Fact]
    public void Https_with_ca_file_refreshes_through_discovery()
    {
        var ca = new TestCa("clfnd test CA");
        using var server = new LoopbackServer(ca.ServerCertificate());
        Discovery(server);
        server.Routes["/oauth/discovery/keys"] = LoopbackResponse.Json(NewJwks);
        using var refresh = new Refresh(server.BaseUrl);
        string caFile = refresh.CaFile(ca.CertificatePem);
        File.WriteAllText(refresh.ConfigPath, File.ReadAllText(refresh.ConfigPath).Replace(
            "    algorithms: [RS256]\n", $"    algorithms: [RS256]\n    ca_file: {caFile}\n"));
        AssertRefreshed(refresh, refresh.Run());
    }

    /// <summary>Each case: what the loopback issuer serves, and the reason and detail the refusal must name.</summary>
    public static TheoryData<string, string, string> HttpFailures => new()
    {
        { "jwks is not JSON", Reason.Invalid, "not valid JSON" },
        { "jwks is a JSON object without keys", Reason.Invalid, "no \"keys\" array" },
        { "jwks has only an oct key", Reason.Invalid, "no usable signing key" },
        { "jwks has only a 1024-bit RSA key", Reason.Invalid, "below 2048" },
        { "jwks answers HTTP 500", Reason.Fetch, "HTTP 500" },
        { "jwks is 2 MiB with Content-Length", Reason.Fetch, "more than the 1048576 allowed" },
        { "jwks is 2 MiB without Content-Length", Reason.Fetch, "larger than the 1048576 bytes allowed" },
        { "discovery answers HTTP 404", Reason.Fetch, "HTTP 404" },
        { "discovery is not JSON", Reason.Discovery, "not valid JSON" },
        { "discovery names another issuer", Reason.Discovery, "names issuer 'https://evil.example'" },
        { "discovery has no jwks_uri", Reason.Discovery, "no \"jwks_uri\"" },
        { "discovery points jwks_uri at file:", Reason.Discovery, "scheme 'file'" },
        { "discovery points jwks_uri at a 404", Reason.Fetch, "HTTP 404" },
        { "discovery points jwks_uri at a closed port", Reason.Fetch, "GET http://127.0.0.1:1/keys" },
        { "jwks redirects to file:", Reason.Fetch, "redirects to" },
        { "jwks redirects in a loop", Reason.Fetch, "more than 3 redirects" },
    };

    private static class Reason
    {
        public const string Invalid = "jwks.invalid";
        public const string Fetch = "jwks.fetch_failed";
        public const string Discovery = "jwks.discovery_failed";
    }

    [Theory]
    [MemberData(nameof(HttpFailures))]
    public void A_failed_refresh_keeps_the_old_file(string name, string reason, string detail)
    {
        using var server = new LoopbackServer();
        string keys = "/oauth/discovery/keys";
        byte[] big = Encoding.ASCII.GetBytes("{\"keys\":[" + new string(' ', 2 << 20) + "]}");
        var weakKey = IssuerKey.CreateRsa("weak", bits: 1024);
        switch (name)
        {
            case "jwks is not JSON": Discovery(server); server.Routes[keys] = new(200, Encoding.ASCII.GetBytes("<html>login</html>")); break;
            case "jwks is a JSON object without keys": Discovery(server); server.Routes[keys] = LoopbackResponse.Json("{\"issuer\":\"x\"}"); break;
            case "jwks has only an oct key": Discovery(server); server.Routes[keys] = LoopbackResponse.Json("{\"keys\":[{\"kty\":\"oct\",\"kid\":\"h\",\"k\":\"c2VjcmV0\"}]}"); break;
            case "jwks has only a 1024-bit RSA key": Discovery(server); server.Routes[keys] = LoopbackResponse.Json(IssuerKey.Jwks(weakKey)); break;
            case "jwks answers HTTP 500": Discovery(server); server.Routes[keys] = new(500, Encoding.ASCII.GetBytes(NewJwks)); break;
            case "jwks is 2 MiB with Content-Length": Discovery(server); server.Routes[keys] = new(200, big); break;
            case "jwks is 2 MiB without Content-Length": Discovery(server); server.Routes[keys] = new(200, big, Chunked: true); break;
            case "discovery answers HTTP 404": break;
            case "discovery is not JSON": server.Routes["/.well-known/openid-configuration"] = new(200, Encoding.ASCII.GetBytes("not json")); break;
            case "discovery names another issuer": Discovery(server, issuer: "https://evil.example"); server.Routes[keys] = LoopbackResponse.Json(NewJwks); break;
            case "discovery has no jwks_uri": server.Routes["/.well-known/openid-configuration"] = LoopbackResponse.Json($"{{\"issuer\":\"{server.BaseUrl}\"}}"); break;
            case "discovery points jwks_uri at file:": Discovery(server, jwksUri: "file:///etc/passwd"); break;
            case "discovery points jwks_uri at a 404": Discovery(server, jwksUri: server.BaseUrl + "/nowhere"); break;
            case "discovery points jwks_uri at a closed port": Discovery(server, jwksUri: "http://127.0.0.1:1/keys"); break;
            case "jwks redirects to file:": Discovery(server); server.Routes[keys] = new(302, [], Location: "file:///etc/shadow"); break;
            case "jwks redirects in a loop": Discovery(server); server.Routes[keys] = new(302, [], Location: keys); break;
            default: throw new ArgumentException(name);
        }
        using var refresh = new Refresh(server.BaseUrl, http: true);
        AssertKeptOldFile(refresh, refresh.Run(), reason, detail);
    }

    [Fact]
    public void Https_from_a_CA_other_than_ca_file_is_refused()
    {
        var serverCa = new TestCa("clfnd server CA");
        var otherCa = new TestCa("clfnd other CA");
        using var server = new LoopbackServer(serverCa.ServerCertificate());
        server.Routes["/keys"] = LoopbackResponse.Json(NewJwks);
        using var refresh = new Refresh(server.BaseUrl);
        string caFile = refresh.CaFile(otherCa.CertificatePem);
        File.WriteAllText(refresh.ConfigPath, File.ReadAllText(refresh.ConfigPath).Replace(
            "    algorithms: [RS256]\n", $"    algorithms: [RS256]\n    jwks_uri: {server.BaseUrl}/keys\n    ca_file: {caFile}\n"));
        var r = refresh.Run();
        AssertKeptOldFile(refresh, r, Reason.Fetch, $"GET {server.BaseUrl}/keys");
        Assert.Empty(server.Requested); // the certificate was refused before any request was sent
        Console.WriteLine(r.Stderr);
    }

    [Fact]
    public void Https_from_a_private_CA_without_ca_file_is_refused()
    {
        var ca = new TestCa("clfnd test CA");
        using var server = new LoopbackServer(ca.ServerCertificate());
        Discovery(server);
        using var refresh = new Refresh(server.BaseUrl);
        AssertKeptOldFile(refresh, refresh.Run(), Reason.Fetch);
        Assert.Empty(server.Requested);
    }

    [Fact]
    public void Https_discovery_may_not_point_at_http()
    {
        var ca = new TestCa("clfnd test CA");
        using var server = new LoopbackServer(ca.ServerCertificate());
        Discovery(server, jwksUri: $"http://127.0.0.1:{server.Port}/keys");
        using var refresh = new Refresh(server.BaseUrl);
        string caFile = refresh.CaFile(ca.CertificatePem);
        File.WriteAllText(refresh.ConfigPath, File.ReadAllText(refresh.ConfigPath).Replace(
            "    algorithms: [RS256]\n", $"    algorithms: [RS256]\n    ca_file: {caFile}\n"));
        AssertKeptOldFile(refresh, refresh.Run(), Reason.Discovery, "only https is fetched");
    }

    [Fact]
    public void Https_redirect_to_http_is_refused_even_with_the_test_flag()
    {
        var ca = new TestCa("clfnd test CA");
        using var plain = new LoopbackServer();
        plain.Routes["/keys"] = LoopbackResponse.Json(NewJwks);
        using var server = new LoopbackServer(ca.ServerCertificate());
        server.Routes["/keys"] = new(301, [], Location: plain.BaseUrl + "/keys");
        using var refresh = new Refresh(server.BaseUrl, http: true);
        string caFile = refresh.CaFile(ca.CertificatePem);
        File.WriteAllText(refresh.ConfigPath, File.ReadAllText(refresh.ConfigPath).Replace(
            "    algorithms: [RS256]\n", $"    algorithms: [RS256]\n    jwks_uri: {server.BaseUrl}/keys\n    ca_file: {caFile}\n"));
        AssertKeptOldFile(refresh, refresh.Run(), Reason.Fetch, "may not leave https");
        Assert.Empty(plain.Requested);
    }

    [Fact]
    public void Unknown_issuer_name_is_a_usage_error()
    {
        using var refresh = new Refresh("https://gitlab.example.org");
        var r = refresh.Run("--issuer", "nope");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("issuer 'nope' is not in", Assert.Single(r.Stderr.TrimEnd('\n').Split('\n')));
        Assert.Equal(OldJwks, refresh.Current);
    }

    [RootFact]
    public void As_root_a_group_writable_jwks_directory_is_refused_before_fetching()
    {
        using var server = new LoopbackServer();
        Discovery(server);
        server.Routes["/oauth/discovery/keys"] = LoopbackResponse.Json(NewJwks);
        using var refresh = new Refresh(server.BaseUrl, http: true);
        string dir = Path.GetDirectoryName(refresh.JwksPath)!;
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_111_101);
        AssertKeptOldFile(refresh, refresh.Run(), "jwks.write_failed", $"directory {dir} has mode 0775");
        Assert.Empty(server.Requested);
    }
}
