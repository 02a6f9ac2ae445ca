using System.Buffers.Text;
using System.Text.Json;
using Launcher.Integration.Tests.Support;
using Launcher.TestIssuer;

namespace Launcher.Integration.Tests.Issuing;

/// <summary>
/// A site that issues site tokens, in a trusted directory: a GitLab-like CI issuer, an issuing
/// section with its own key_dir, and the site issuer itself configured for validate (the login
/// node view). token issue runs set-id, where only the default config path is accepted, so each
/// call runs in a private mount namespace with this directory bound over /etc/ci-launcher.
/// </summary>
public sealed class IssuingSite : IDisposable
{
    public const string CiIssuer = "https://gitlab.example.org";
    public const string CiAudience = "https://hpc.example.org";
    public const string SiteIssuer = "https://site.example.org";
    public const string Ssh = "ssh://login.example.org";
    public const string EtcDir = "/etc/ci-launcher";

    public IssuingSite(string maxLifetime = "5m", string clockSkew = "5m")
    {
        CiKey = IssuerKey.CreateRsa("it-ci-1");
        Dir.Write("gitlab.jwks.json", IssuerKey.Jwks(CiKey));
        // Until the first export the site JWKS is an empty key list (validate then reports jwks.invalid).
        Dir.Write("site.jwks.json", "{\"keys\":[]}");
        Dir.Write("config.yaml", $$"""
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
                - name: site-tokens
                  issuer: site
                  match: { project_path: "hpc/**" }
                  action: allow
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
        Directory.CreateDirectory(System.IO.Path.Combine(Dir.Path, "bin"));
        string binary = System.IO.Path.Combine(Dir.Path, "bin", "ci-launcher");
        File.Copy(Dist.CiLauncher, binary);
        Wrapper = System.IO.Path.Combine(Dir.Path, "bin", "ci-launcher-suid");
        var cc = Proc.Run("gcc", ["-O2", "-Wall", $"-DCI_LAUNCHER_PATH=\"{binary}\"", "-o", Wrapper, System.IO.Path.Combine(Dist.Repo, "native", "ci-launcher-suid.c")]);
        if (cc.ExitCode != 0) throw new InvalidOperationException("gcc ci-launcher-suid.c: " + cc.Stderr);
        File.SetUnixFileMode(Wrapper, (UnixFileMode)0b100_111_101_101);
    }

    public TrustedDir Dir { get; } = new();
    public IssuerKey CiKey { get; }
    public string Wrapper { get; }
    public string KeyDir => System.IO.Path.Combine(Dir.Path, "keys");
    public string AuditLog => System.IO.Path.Combine(Dir.Path, "audit.log");

    public string CiToken(string user, Action<Dictionary<string, object?>>? edit = null)
    {
        var claims = GitLabClaims.For(CiIssuer, CiAudience, user, DateTimeOffset.UtcNow);
        edit?.Invoke(claims);
        return CiKey.Sign(claims);
    }

    /// <summary>Root at a root shell, with this site's config at the default path.</summary>
    public ProcResult Root(params string[] args) => InNamespace(null, Dist.CiLauncher, args, null, null);

    public ProcResult RootWithInput(string stdin, params string[] args) => InNamespace(null, Dist.CiLauncher, args, stdin, null);

    /// <summary>As <paramref name="user"/> (setpriv: real and effective ids, groups) through ci-launcher-suid.</summary>
    public ProcResult AsUser(string user, string[] args, string? stdin = null, IDictionary<string, string>? env = null) =>
        InNamespace(user, Wrapper, args, stdin, env);

    private ProcResult InNamespace(string? user, string binary, string[] args, string? stdin, IDictionary<string, string>? env)
    {
        var argv = new List<string> { "-m", "--propagation", "private", "--", "sh", "-c",
            "mount --bind \"$0\" /etc/ci-launcher && exec \"$@\"", Dir.Path };
        if (user is not null) argv.AddRange(["setpriv", "--reuid", user, "--regid", user, "--init-groups", "--"]);
        argv.Add(binary);
        argv.AddRange(args);
        return Proc.Run("unshare", argv, env, stdin);
    }

    public ProcResult Issue(string user, string ciToken, params string[] extra) =>
        AsUser(user, ["token", "issue", "--token-file", "-", .. extra], stdin: ciToken + "\n");

    public string Generate(string alg = "ES256")
    {
        var r = Root("keys", "generate", "--alg", alg);
        Assert.True(r.ExitCode == 0, r.Stderr);
        return r.Stdout.Trim();
    }

    public void Activate(string kid) => Assert.Equal(0, Root("keys", "activate", kid).ExitCode);

    /// <summary>Publishes the key ring where validate (the relying party here) reads the site JWKS.</summary>
    public void Export()
    {
        var r = Root("jwks", "export", "--output", $"{EtcDir}/site.jwks.json");
        Assert.True(r.ExitCode == 0, r.Stderr);
    }

    /// <summary>validate as a relying party would: the site issuer is an ordinary issuer, sub maps to the account.</summary>
    public ProcResult Validate(string token) => InNamespace(null, Dist.CiLauncher, ["validate", "--token-file", "-", "--json"], token, null);

    /// <summary>
    /// The login node's view with real paths (sshd and PAM run outside the test's mount namespace):
    /// only the site issuer, for the ssh audience, sub mapped directly.
    /// </summary>
    public string LoginNodeConfig() => Dir.Write("login.yaml", $$"""
        issuers:
          - name: site
            issuer: {{SiteIssuer}}
            audiences: [{{Ssh}}]
            jwks_file: {{Dir.Path}}/site.jwks.json
            algorithms: [ES256]
            clock_skew: 30s
            username_claim: sub
        policy:
          rules:
            - name: site-tokens
              issuer: site
              match: { project_path: "hpc/**" }
              action: allow
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
