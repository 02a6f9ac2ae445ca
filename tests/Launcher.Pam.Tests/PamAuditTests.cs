using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Launcher.Pam.Tests.Support;

namespace Launcher.Pam.Tests;

/// <summary>
/// The PAM module's audit trail is the CLI's: the same file writer (a symlink at audit.file is
/// refused, a caller's file size limit neither tears a line nor kills the host), the same rule
/// that an allow nobody recorded is refused (audit.unavailable, PAM_AUTHINFO_UNAVAIL), and a
/// password typed at the Token prompt leaves no trace of itself anywhere.
/// </summary>
public class PamAuditTests(PamAuditTests.Fixture fixture) : IClassFixture<PamAuditTests.Fixture>
{
    public sealed class Fixture : IDisposable
    {
        public PamSite Site { get; } = new();
        public void Dispose() => Site.Dispose();
    }

    private const string NotJwt = "the input is not a JWT: a signed token is three base64url parts joined by dots, with nothing else in it but one final newline";

    private PamSite S => fixture.Site;

    private static string Unique() => Guid.NewGuid().ToString("N")[..8];

    private string Config(string? auditFile, bool syslog) => S.Dir.Write($"audit-{Unique()}.yaml", S.Config("hpc/**", auditFile: auditFile, syslog: syslog));

    /// <summary>A pam_wrapper service stacking the module with <paramref name="config"/>.</summary>
    private string Service(string config, string options = "", bool earlierModule = false)
    {
        string name = "cltest-audit-" + Unique();
        S.WriteService(name, $"config={config} {options}".TrimEnd(), earlierModule);
        return name;
    }

    private string AliceToken => S.File(S.Compact(PamSite.Alice));

    /// <summary>Every line of the audit file parses as JSON; returns the records (lines with a "command").</summary>
    private static List<JsonElement> EveryLineIsJson(string path)
    {
        string text = File.ReadAllText(path);
        Assert.EndsWith("\n", text);
        return text[..^1].Split('\n').Select(l => JsonDocument.Parse(l).RootElement.Clone())
            .Where(r => r.TryGetProperty("command", out _)).ToList();
    }

    [Fact]
    public void A_symlink_at_audit_file_is_refused_and_nothing_is_written_through_it()
    {
        string target = S.Dir.Write($"target-{Unique()}.log", "");
        string link = Path.Combine(S.Dir.Path, $"link-{Unique()}.log");
        File.CreateSymbolicLink(link, target);
        var r = PamAppResult.Run(S, PamSite.Alice, AliceToken, Service(Config(link, syslog: false)));
        Assert.Equal(PamCode.AuthInfoUnavail, r.Auth);
        Assert.Equal(PamCode.AuthInfoUnavail, r.Account);
        Assert.Contains($"auth: user={PamSite.Alice} rhost=192.0.2.7: audit.unavailable: ", r.Stderr);
        Assert.Equal("", File.ReadAllText(target));
        Assert.NotNull(new FileInfo(link).LinkTarget);
    }

    public static TheoryData<string, bool> NoDestination => new()
    {
        { "audit.file empty and syslog off", false },
        { "audit.file empty and no syslog daemon", true },
    };

    [RootTheory]
    [MemberData(nameof(NoDestination))]
    public void No_working_audit_destination_refuses_the_login(string name, bool syslog)
    {
        using var devLog = DevLog.Missing(S.Dir.Path);
        var r = PamAppResult.RunUnder(S, devLog.Launcher, null, PamSite.Alice, AliceToken, Service(Config("", syslog)));
        Assert.True(r.Auth == PamCode.AuthInfoUnavail, $"{name}: auth {r.Auth}\n{r.Stderr}");
        Assert.Equal(PamCode.AuthInfoUnavail, r.Account);
        Assert.Contains($"auth: user={PamSite.Alice} rhost=192.0.2.7: audit.unavailable: ", r.Stderr);
        Assert.Contains(syslog ? "syslog socket /dev/log" : "no audit destination is configured", r.Stderr);
    }

    [RootFact]
    public void Syslog_alone_is_enough_when_it_works()
    {
        using var devLog = DevLog.Capture(S.Dir.Path);
        var r = PamAppResult.RunUnder(S, devLog.Launcher, null, PamSite.Alice, AliceToken, Service(Config("", syslog: true)));
        Assert.True(r.Auth == PamCode.Success, r.Stderr);
        Assert.Equal(PamCode.Success, r.Account);
        var lines = devLog.Received();
        // LOG_AUTHPRIV | LOG_INFO, the PAM module's tag, one JSON record per decision.
        Assert.Contains(lines, l => l.StartsWith("<86>pam_ci_launcher[", StringComparison.Ordinal) && l.Contains("\"command\":\"pam-auth\"") && l.Contains("\"decision\":\"allow\""));
        Assert.Contains(lines, l => l.Contains("\"command\":\"pam-account\""));
    }

    public static TheoryData<string, string, bool> Passwords => new()
    {
        { "passphrase", "correct horse battery staple", false },
        { "three dot-separated words", "abcde.fghij.klmno", false },
        { "symbols and digits", "Hunter2!Summer#2026", false },
        { "non-ASCII", "pässwörd-grüße", false },
        { "handed over by an earlier module (try_first_pass)", "Winter$Is#Coming-77", true },
    };

    [RootTheory]
    [MemberData(nameof(Passwords))]
    public void A_typed_password_appears_nowhere(string name, string password, bool fromStack)
    {
        string audit = Path.Combine(S.Dir.Path, $"pw-{Unique()}.log");
        string config = Config(audit, syslog: true);
        string service = fromStack ? Service(config, "try_first_pass", earlierModule: true) : Service(config);
        using var devLog = DevLog.Capture(S.Dir.Path);
        var r = PamAppResult.RunUnder(S, devLog.Launcher, null, PamSite.Alice, S.File(password), service, fromStack ? ["--authtok"] : []);
        Assert.True(r.Auth == PamCode.AuthErr, $"{name}: auth {r.Auth}\n{r.Stderr}");

        string auditText = File.ReadAllText(audit);
        string syslog = string.Join("\n", devLog.Received());
        Assert.Contains("\"command\":\"pam-auth\"", syslog);
        string everywhere = auditText + "\n" + syslog + "\n" + r.Stderr;

        byte[] bytes = Encoding.UTF8.GetBytes(password);
        // Records are ASCII: non-ASCII text would appear there as \uXXXX escapes.
        string escaped = string.Concat(password.Select(c => c < 0x80 ? c.ToString() : $"\\u{(int)c:X4}"));
        Assert.DoesNotContain(password, everywhere);
        Assert.DoesNotContain(escaped, everywhere, StringComparison.OrdinalIgnoreCase);
        foreach (string word in password.Split(' ', '.').Concat(escaped.Split(' ', '.')).Where(w => w.Length >= 5))
            Assert.DoesNotContain(word, everywhere);
        Assert.DoesNotContain(Convert.ToHexStringLower(SHA256.HashData(bytes)), everywhere, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Convert.ToHexStringLower(SHA256.HashData([.. bytes, (byte)'\n'])), everywhere, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("token_sha256", auditText + syslog);
        Assert.DoesNotContain($"{bytes.Length} bytes", everywhere);

        // One fixed text in the PAM log line, the audit record and syslog.
        Assert.Contains($"auth: user={PamSite.Alice} rhost=192.0.2.7: token.malformed: {NotJwt}", r.Stderr);
        var auth = EveryLineIsJson(audit).Where(j => j.GetProperty("command").GetString() == "pam-auth").ToList();
        Assert.Equal(fromStack ? 2 : 1, auth.Count);
        Assert.All(auth, j => Assert.Equal(NotJwt, j.GetProperty("detail").GetString()));
    }

    [Fact]
    public void A_callers_file_size_limit_refuses_the_login_and_neither_tears_a_line_nor_kills_the_host()
    {
        // su and sudo run PAM with their caller's resource limits.
        string audit = Path.Combine(S.Dir.Path, $"fsize-{Unique()}.log");
        string service = Service(Config(audit, syslog: false));
        string token = AliceToken;
        Assert.Equal(PamCode.Success, PamAppResult.Run(S, PamSite.Alice, token, service).Auth);
        byte[] before = File.ReadAllBytes(audit);

        // The room check: nothing written.
        var limited = PamAppResult.RunUnder(S, ["prlimit", $"--fsize={before.Length + 10}"], null, PamSite.Alice, token, service);
        Assert.Equal(PamCode.AuthInfoUnavail, limited.Auth);
        Assert.Contains("RLIMIT_FSIZE", limited.Stderr);
        Assert.Equal("unchanged", limited.Signals);
        Assert.Equal(before, File.ReadAllBytes(audit));

        // The room check fooled (another writer took the room): the write raises SIGXFSZ, which
        // must not kill the host, or comes up short, which must leave whole lines only.
        string fooled = TestPrograms.PreloadLibrary(S.Dir.Path, "Launcher.Integration.Tests/native/room_check_fooled.c");
        var efbig = PamAppResult.RunUnder(S, ["prlimit", $"--fsize={before.Length}"], fooled, PamSite.Alice, token, service);
        Assert.Equal(PamCode.AuthInfoUnavail, efbig.Auth);
        Assert.Contains("File too large", efbig.Stderr);
        Assert.Equal("unchanged", efbig.Signals);
        var torn = PamAppResult.RunUnder(S, ["prlimit", $"--fsize={before.Length + 50}"], fooled, PamSite.Alice, token, service);
        Assert.Equal(PamCode.AuthInfoUnavail, torn.Auth);
        Assert.Contains("the torn bytes were blanked", torn.Stderr);

        var normal = PamAppResult.Run(S, PamSite.Alice, token, service);
        Assert.Equal(PamCode.Success, normal.Auth);
        Assert.Equal(PamCode.Success, normal.Account);
        var records = EveryLineIsJson(audit);
        Assert.Equal(4, records.Count);
        Assert.All(records, j => Assert.Equal("allow", j.GetProperty("decision").GetString()));
    }
}
