using System.Text;
using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Core.Tokens;

namespace Launcher.Core.Tests;

/// <summary>Where jwks refresh may fetch from: URL rules and the OpenID discovery document.</summary>
public class JwksLocationTests
{
    private static IssuerSettings Issuer(bool allowHttp = false, string iss = "https://gitlab.example.org") => new()
    {
        Name = "gitlab",
        Issuer = iss,
        Audiences = ["https://hpc.example.org"],
        JwksFile = "/var/lib/ci-launcher/jwks/gitlab.json",
        Algorithms = new HashSet<string> { "RS256" },
        ClockSkew = TimeSpan.FromSeconds(30),
        UsernameClaim = "user_login",
        TokenVariable = "CI_LAUNCHER_ID_TOKEN",
        AllowHttp = allowHttp,
    };

    public static TheoryData<string, string, bool, string?> Urls => new()
    {
        { "https", "https://gitlab.example.org/oauth/discovery/keys", false, null },
        { "http without the flag", "http://gitlab.example.org/keys", false, "uses http" },
        { "http with the flag", "http://127.0.0.1:8080/keys", true, null },
        { "file", "file:///etc/passwd", true, "scheme 'file'" },
        { "ftp", "ftp://gitlab.example.org/keys", true, "scheme 'ftp'" },
        { "relative", "/oauth/discovery/keys", true, "not an absolute" },
        { "whitespace", "https://gitlab.example.org/ keys", false, "not an absolute" },
        { "no host", "https:///keys", false, "not an absolute" },
    };

    [Theory]
    [MemberData(nameof(Urls))]
    public void Judges_urls(string name, string url, bool allowHttp, string? problem)
    {
        string? got = JwksLocation.CheckUrl(url, Issuer(allowHttp))?.Detail;
        if (problem is null) Assert.True(got is null, $"{name}: {got}");
        else Assert.True(got?.Contains(problem, StringComparison.Ordinal) == true, $"{name}: expected '{problem}', got '{got}'");
    }

    [Theory]
    [InlineData("https://gitlab.example.org", "https://gitlab.example.org/.well-known/openid-configuration")]
    [InlineData("https://gitlab.example.org/", "https://gitlab.example.org/.well-known/openid-configuration")]
    [InlineData("https://token.actions.githubusercontent.com", "https://token.actions.githubusercontent.com/.well-known/openid-configuration")]
    [InlineData("https://sso.example.org/realms/hpc", "https://sso.example.org/realms/hpc/.well-known/openid-configuration")]
    public void Builds_the_discovery_url(string iss, string expected) =>
        Assert.Equal(expected, JwksLocation.DiscoveryUrl(Issuer(iss: iss)));

    public static TheoryData<string, string, string?> Documents => new()
    {
        { "GitLab's shape", "{\"issuer\":\"https://gitlab.example.org\",\"jwks_uri\":\"https://gitlab.example.org/oauth/discovery/keys\"}", null },
        { "issuer with a trailing slash", "{\"issuer\":\"https://gitlab.example.org/\",\"jwks_uri\":\"https://gitlab.example.org/keys\"}", "names issuer 'https://gitlab.example.org/'" },
        { "another issuer", "{\"issuer\":\"https://evil.example\",\"jwks_uri\":\"https://evil.example/keys\"}", "names issuer 'https://evil.example'" },
        { "no issuer", "{\"jwks_uri\":\"https://gitlab.example.org/keys\"}", "names issuer '(none)'" },
        { "no jwks_uri", "{\"issuer\":\"https://gitlab.example.org\"}", "no \"jwks_uri\"" },
        { "jwks_uri a number", "{\"issuer\":\"https://gitlab.example.org\",\"jwks_uri\":1}", "no \"jwks_uri\"" },
        { "jwks_uri over http", "{\"issuer\":\"https://gitlab.example.org\",\"jwks_uri\":\"http://gitlab.example.org/keys\"}", "uses http" },
        { "jwks_uri a file", "{\"issuer\":\"https://gitlab.example.org\",\"jwks_uri\":\"file:///etc/shadow\"}", "scheme 'file'" },
        { "a JSON array", "[]", "not a JSON object" },
        { "not JSON", "<html>", "not valid JSON" },
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void Reads_discovery_documents(string name, string json, string? problem)
    {
        var uri = JwksLocation.FromDiscovery(Encoding.UTF8.GetBytes(json), Issuer(), "discovery");
        if (problem is null)
        {
            Assert.True(uri.Ok, $"{name}: {uri}");
            return;
        }
        Assert.False(uri.Ok, name);
        Assert.Equal(Reasons.JwksDiscoveryFailed, uri.Refusal.Reason);
        Assert.True(uri.Refusal.IsSiteError, name);
        Assert.True(uri.Refusal.Detail.Contains(problem, StringComparison.Ordinal), $"{name}: {uri}");
    }
}
