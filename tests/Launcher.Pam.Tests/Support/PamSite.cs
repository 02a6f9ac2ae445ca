using Launcher.TestIssuer;

namespace Launcher.Pam.Tests.Support;

/// <summary>
/// A site for the PAM module in a trusted directory: an EC key (compact tokens, what ssh can
/// carry) and an RSA key (GitLab-size tokens) of one issuer, a foreign key with the same kid
/// (bad signatures), the config, fixture users for nss_wrapper, the C test programs, and a
/// pam_wrapper service directory whose service 'cltest' stacks the module.
/// </summary>
public sealed class PamSite : IDisposable
{
    public const string Issuer = "https://gitlab.example.org";
    public const string Audience = "https://hpc.example.org";
    public const string Service = "cltest";

    /// <summary>Fixture users (nss_wrapper): allowed, another allowed, below min_uid, in deny_users.</summary>
    public const string Alice = "clpamalice", Bob = "clpambob", LowUid = "clpamlow", Denied = "clpamdenied";

    public PamSite()
    {
        Ec = IssuerKey.CreateEc("ec-1");
        Rsa = IssuerKey.CreateRsa("rsa-1");
        Forged = IssuerKey.CreateEc("ec-1");
        Other = IssuerKey.CreateEc("other-1");
        JwksPath = Dir.Write("gitlab.jwks.json", IssuerKey.Jwks(Ec, Rsa));
        Dir.Write("other.jwks.json", IssuerKey.Jwks(Other));
        AuditPath = Path.Combine(Dir.Path, "audit.log");
        ConfigPath = Dir.Write("config.yaml", Config(allowProject: "hpc/**"));
        PasswdPath = Dir.Write("passwd", $"""
            {Alice}:x:2001:2001::/nonexistent:/bin/bash
            {Bob}:x:2002:2002::/nonexistent:/bin/bash
            {LowUid}:x:500:2001::/nonexistent:/bin/bash
            {Denied}:x:2004:2001::/nonexistent:/bin/bash

            """);
        GroupPath = Dir.Write("group", "clpamalice:x:2001:\nclpambob:x:2002:\n");
        ServiceDir = Path.Combine(Dir.Path, "pam.d");
        WriteService(Service, $"config={ConfigPath}");
        PamApp = TestProgram("pam_app.c", "-lpam");
        AbiStress = TestProgram("abi_stress.c", "-ldl", "-pthread");
    }

    public TrustedDir Dir { get; } = new();
    public IssuerKey Ec { get; }
    public IssuerKey Rsa { get; }
    public IssuerKey Forged { get; }
    public IssuerKey Other { get; }
    public string JwksPath { get; }
    public string ConfigPath { get; }
    public string AuditPath { get; }
    public string PasswdPath { get; }
    public string GroupPath { get; }
    public string ServiceDir { get; }
    public string PamApp { get; }
    public string AbiStress { get; }

    public static string Module => Dist.Require(Path.Combine(Dist.Dir, "pam_ci_launcher.so"));
    public static string Library => Dist.Require(Path.Combine(Dist.Dir, "libci-launcher-pam.so"));

    /// <summary>The site config; <paramref name="auditFile"/> null is audit.log in the site directory.</summary>
    public string Config(string allowProject, string denyUsers = Denied, string? auditFile = null, bool syslog = false) => $"""
        issuers:
          - name: gitlab
            issuer: {Issuer}
            audiences: [{Audience}]
            jwks_file: {Path.Combine(Dir.Path, "gitlab.jwks.json")}
            algorithms: [ES256, RS256]
          - name: other
            issuer: https://other.example.org
            audiences: [{Audience}]
            jwks_file: {Path.Combine(Dir.Path, "other.jwks.json")}
            algorithms: [ES256]
        policy:
          rules:
            - name: hpc
              issuer: gitlab
              match: {"{"} project_path: "{allowProject}" {"}"}
              action: allow
              run_as: "{"{user_login}"}"
        accounts:
          min_uid: 1000
          deny_users: [root, {denyUsers}]
        audit:
          file: "{auditFile ?? Path.Combine(Dir.Path, "audit.log")}"
          syslog: {(syslog ? "true" : "false")}

        """;

    /// <summary>pam_wrapper's test module that copies the environment variable PAM_AUTHTOK into the PAM_AUTHTOK item.</summary>
    public const string SetItems = "/usr/lib/x86_64-linux-gnu/pam_wrapper/pam_set_items.so";

    /// <summary>
    /// A pam_wrapper service file stacking the module for auth and account with the given
    /// arguments; <paramref name="earlierModule"/> stacks pam_set_items first (pam_app --authtok).
    /// </summary>
    public void WriteService(string name, string args, bool earlierModule = false) =>
        Dir.Write(Path.Combine("pam.d", name), (earlierModule ? $"auth required {SetItems}\n" : "")
            + $"auth required {Module} {args}\naccount required {Module} {args}\n");

    /// <summary>A compact ES256 token: few claims, small enough for ssh's password prompt.</summary>
    public string Compact(string user, IssuerKey? key = null, string issuer = Issuer, long lifetime = 600, string project = "hpc/solver")
    {
        long now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object?>
        {
            ["iss"] = issuer,
            ["aud"] = Audience,
            ["iat"] = lifetime > 0 ? now : now - 7200,
            ["exp"] = now + lifetime,
            ["jti"] = Guid.NewGuid().ToString("N")[..12],
            ["project_path"] = project,
            ["user_login"] = user,
        };
        return (key ?? Ec).Sign(claims);
    }

    /// <summary>A GitLab-shaped RS256 token (about 1.5 KiB).</summary>
    public string GitLab(string user, Action<Dictionary<string, object?>>? edit = null)
    {
        var claims = GitLabClaims.For(Issuer, Audience, user, DateTimeOffset.UtcNow);
        edit?.Invoke(claims);
        return Rsa.Sign(claims);
    }

    public string File(string content) => Dir.Write($"t-{Guid.NewGuid():N}", content);

    public string FileBytes(byte[] content)
    {
        string path = Path.Combine(Dir.Path, $"b-{Guid.NewGuid():N}");
        System.IO.File.WriteAllBytes(path, content);
        return path;
    }

    /// <summary>Environment for a PAM application under pam_wrapper (no /etc/pam.d) and nss_wrapper (fixture users).</summary>
    public Dictionary<string, string> WrapperEnv() => new()
    {
        ["PAM_WRAPPER"] = "1",
        ["PAM_WRAPPER_SERVICE_DIR"] = ServiceDir,
        ["NSS_WRAPPER_PASSWD"] = PasswdPath,
        ["NSS_WRAPPER_GROUP"] = GroupPath,
        ["LD_PRELOAD"] = "libpam_wrapper.so libnss_wrapper.so",
    };

    /// <summary>A C program of tests/Launcher.Pam.Tests/native built into the site directory.</summary>
    private string TestProgram(string source, params string[] libs) =>
        TestPrograms.Compile(Path.Combine(Dist.Repo, "tests", "Launcher.Pam.Tests", "native", source),
            Path.Combine(Dir.Path, Path.GetFileNameWithoutExtension(source)), [], libs);

    public void Dispose() => Dir.Dispose();
}
