using System.Buffers.Text;
using System.Text.Json;
using Launcher.Integration.Tests.Support;
using Launcher.TestIssuer;

namespace Launcher.Integration.Tests.Issuing;

/// <summary>
/// A site that issues site tokens, in a trusted directory: a GitLab-like CI issuer, an issuing
/// section with its own key_dir, and the site issuer itself configured for validate (the login
/// node view). token issue runs set-id, where only the installation's config is used, so the
/// config becomes the shared installation's (<see cref="InstalledSite"/>), run through its wrapper
/// installed 4755 (any account may ask for a token).
/// </summary>
public sealed class IssuingSite : IDisposable
{
    public const string CiIssuer = "https://gitlab.example.org";
    public const string CiAudience = "https://hpc.example.org";
    public const string SiteIssuer = "https://site.example.org";
    public const string Ssh = "ssh://login.example.org";

    /// <summary>The rule of both views, the issuing host's and the login node's: site tokens of hpc/** projects, sub the account.</summary>
    private const string SiteTokensRule = """
            - name: site-tokens
              issuer: site
              match: { project_path: "hpc/**" }
              action: allow
        """;

    public IssuingSite(InstalledSite installed, string maxLifetime = "5m", string clockSkew = "5m")
    {
        CiKey = IssuerKey.CreateRsa("it-ci-1");
        EtcDir = System.IO.Path.Combine(Dir.Path, "etc", "ci-launcher");
        Dir.Write("etc/ci-launcher/gitlab.jwks.json", IssuerKey.Jwks(CiKey));
        // Until the first export the site JWKS is an empty key list (validate then reports jwks.invalid).
        Dir.Write("etc/ci-launcher/site.jwks.json", "{\"keys\":[]}");
        string config = Dir.Write("etc/ci-launcher/config.yaml", $$"""
            issuers:
              - name: gitlab
                issuer: {{CiIssuer}}
                audiences: [{{CiAudience}}]
                jwks_file: {{EtcDir}}/gitlab.jwks.json
                algorithms: [RS256]
              - name: site
                issuer: {{SiteIssuer}}
                audiences: [{{Ssh}}]
                jwks_file: {{EtcDir}}/site.jwks.json
                algorithms: [ES256, RS256]
                clock_skew: 0s
                username_claim: sub
            policy:
              rules:
                - name: hpc
                  issuer: gitlab
                  match: { project_path: "hpc/**" }
                  action: allow
                  run_as: "{user_login}"
            {{SiteTokensRule}}
            accounts:
              min_uid: 1000
            audit:
              file: {{EtcDir}}/audit.log
              syslog: false
            issuing:
              issuer: {{SiteIssuer}}
              key_dir: {{EtcDir}}/keys
              audiences: [{{Ssh}}, https://data.example.org]
              from_issuers: [gitlab]
              max_lifetime: {{maxLifetime}}
              clock_skew: {{clockSkew}}
            """);
        // The installed shape: ci-launcher-suid (setuid root) execs the AOT binary at a path fixed
        // when the wrapper was compiled, so the caller's real uid reaches token issue as the job's.
        installed.Install(config);
        Binary = installed.Binary;
        Wrapper = installed.WrapperWithMode("4755");
    }

    public TrustedDir Dir { get; } = new();
    public IssuerKey CiKey { get; }
    public string Wrapper { get; }
    public string Binary { get; }
    public string EtcDir { get; }
    public string KeyDir => System.IO.Path.Combine(EtcDir, "keys");
    public string AuditLog => System.IO.Path.Combine(EtcDir, "audit.log");

    public string CiToken(string user, Action<Dictionary<string, object?>>? edit = null)
    {
        var claims = GitLabClaims.For(CiIssuer, CiAudience, user, DateTimeOffset.UtcNow);
        edit?.Invoke(claims);
        return CiKey.Sign(claims);
    }

    /// <summary>Root at a root shell, running the installed binary (its default config is this site's).</summary>
    public ProcResult Root(params string[] args) => Proc.Run(Binary, args);

    public ProcResult RootWithInput(string stdin, params string[] args) => Proc.Run(Binary, args, null, stdin);

    /// <summary>As <paramref name="user"/> (setpriv: real and effective ids, groups) through ci-launcher-suid.</summary>
    public ProcResult AsUser(string user, string[] args, string? stdin = null, IDictionary<string, string>? env = null) =>
        Proc.Run("setpriv", ["--reuid", user, "--regid", user, "--init-groups", "--", Wrapper, .. args], env, stdin);

    public ProcResult Issue(string user, string ciToken, params string[] extra) =>
        AsUser(user, ["token", "issue", "--token-file", "-", .. extra], stdin: ciToken + "\n");

    public string Generate(string alg = "ES256")
    {
        var r = Root("keys", "generate", "--alg", alg);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r.Stdout.Trim();
    }

    public void Activate(string kid)
    {
        var r = Root("keys", "activate", kid);
        Assert.True(r.ExitCode == 0, $"keys activate {kid}: exit {r.ExitCode}: {r.Stderr}");
    }

    /// <summary>Publishes the key ring where validate (the relying party here) reads the site JWKS.</summary>
    public void Export()
    {
        var r = Root("jwks", "export", "--output", $"{EtcDir}/site.jwks.json");
        Assert.True(r.ExitCode == 0, r.Stderr);
    }

    /// <summary>validate as a relying party would: the site issuer is an ordinary issuer, sub maps to the account.</summary>
    public ProcResult Validate(string token) => RootWithInput(token, "validate", "--token-file", "-", "--json");

    /// <summary>
    /// The login node's view, a config of its own:
    /// only the site issuer, for the ssh audience, sub mapped directly.
    /// </summary>
    public string LoginNodeConfig() => Dir.Write("login.yaml", $$"""
        issuers:
          - name: site
            issuer: {{SiteIssuer}}
            audiences: [{{Ssh}}]
            jwks_file: {{EtcDir}}/site.jwks.json
            algorithms: [ES256]
            clock_skew: 30s
            username_claim: sub
        policy:
          rules:
        {{SiteTokensRule}}
        accounts:
          min_uid: 1000
        audit:
          file: {{Dir.Path}}/login-audit.log
          syslog: false
        """);

    public static JsonElement Header(string jwt) => JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[0])).RootElement.Clone();

    public static JsonElement Payload(string jwt) => JsonDocument.Parse(Base64Url.DecodeFromChars(jwt.Split('.')[1])).RootElement.Clone();

    public void Dispose() => Dir.Dispose();
}
