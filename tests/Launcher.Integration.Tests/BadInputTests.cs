using System.Text;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests;

/// <summary>
/// The "bad input" list against the published AOT binary: each is ONE line on stderr that
/// names what to fix, the documented exit code (1 denied, 2 usage or configuration), nothing on
/// stdout, and no side effect beyond the audit record a decision always leaves.
/// </summary>
public class BadInputTests
{
    private static string OneLine(ProcResult r)
    {
        Assert.Equal("", r.Stdout);
        string[] lines = r.Stderr.TrimEnd('\n').Split('\n');
        Assert.True(lines.Length == 1, $"expected one line on stderr, got {lines.Length}:\n{r.Stderr}");
        Assert.DoesNotContain("   at ", r.Stderr); // never a stack trace
        return lines[0];
    }

    private static ProcResult Validate(ConfigSite site, string tokenFile) =>
        Proc.Run(Dist.CiLauncher, ["validate", "--config", site.ConfigPath, "--token-file", tokenFile]);

    /// <summary>The one text for input that is not a JWT: it names no byte, length or shape of what was given (it may be a password).</summary>
    private const string NotJwt = "the input is not a JWT: a signed token is three base64url parts joined by dots, with nothing else in it but one final newline";

    /// <summary>Token file contents, and the reason and message fragment of the refusal (null reason = the token is read fine).</summary>
    public static TheoryData<string, Func<ConfigSite, byte[]>, string?, string> TokenFiles => new()
    {
        { "empty", _ => [], "token.missing", "token is empty" },
        { "only a newline", _ => "\n"u8.ToArray(), "token.missing", "token is empty" },
        { "100 KiB", _ => Encoding.ASCII.GetBytes(new string('a', 100 * 1024)), "token.too_large", "larger than the limit of 8192 bytes" },
        { "binary (an ELF header)", _ => [0x7f, (byte)'E', (byte)'L', (byte)'F', 2, 1, 1, 0], "token.malformed", NotJwt },
        { "UTF-8 BOM before the token", s => [0xef, 0xbb, 0xbf, .. Encoding.ASCII.GetBytes(s.Token("clfnd-nouser"))], "token.malformed", NotJwt },
        { "trailing space", s => Encoding.ASCII.GetBytes(s.Token("clfnd-nouser") + " "), "token.malformed", NotJwt },
        { "trailing CRLF", s => Encoding.ASCII.GetBytes(s.Token("clfnd-nouser") + "\r\n"), "token.malformed", NotJwt },
        { "two trailing newlines", s => Encoding.ASCII.GetBytes(s.Token("clfnd-nouser") + "\n\n"), "token.malformed", NotJwt },
        { "leading newline", s => Encoding.ASCII.GetBytes("\n" + s.Token("clfnd-nouser")), "token.malformed", NotJwt },
        { "trailing newline (accepted)", s => Encoding.ASCII.GetBytes(s.Token("clfnd-nouser") + "\n"), null, "account.not_found" },
        { "no trailing newline (accepted)", s => Encoding.ASCII.GetBytes(s.Token("clfnd-nouser")), null, "account.not_found" },
    };

    [Theory]
    [MemberData(nameof(TokenFiles))]
    public void Token_files(string name, Func<ConfigSite, byte[]> content, string? reason, string text)
    {
        using var site = new ConfigSite();
        string file = Path.Combine(site.Dir.Path, "token.jwt");
        byte[] bytes = content(site);
        File.WriteAllBytes(file, bytes);
        var r = Validate(site, file);
        string line = OneLine(r);
        // A readable token for a user that does not exist gets as far as the account lookup: proof it verified.
        Assert.True(line.StartsWith($"ci-launcher: {reason ?? text}: ", StringComparison.Ordinal), $"{name}: {line}");
        Assert.Contains(text, line);
        Assert.Equal(1, r.ExitCode);
        string audit = Assert.Single(File.ReadAllLines(site.AuditPath));
        Assert.Contains($"\"reason\":\"{reason ?? text}\"", audit);
        // The audit trail never holds the token itself (only its jti and sha256).
        foreach (string part in Encoding.ASCII.GetString(bytes).Split('.').Where(p => p.Length > 20))
            Assert.DoesNotContain(part.Trim(), audit);
        // Input that is not a JWT is not even hashed: it may be a password.
        if (text == NotJwt) Assert.DoesNotContain("token_sha256", audit);
    }

    [Fact]
    public void A_password_given_as_the_token_leaves_no_trace_of_itself()
    {
        using var site = new ConfigSite();
        foreach (string password in new[] { "correct horse battery staple", "abcde.fghij.klmno", "Hunter2!Summer" })
        {
            ProcResult Run(string command, params string[] more) =>
                Proc.Run(Dist.CiLauncher, [command, .. more, "--config", site.ConfigPath, "--token-file", "-"], stdin: password + "\n");
            var text = Run("validate");
            var json = Run("validate", "--json");
            var explain = Run("explain");
            Assert.Equal([1, 1, 1], new[] { text.ExitCode, json.ExitCode, explain.ExitCode });
            Assert.Equal($"ci-launcher: token.malformed: {NotJwt}", OneLine(text));
            var decision = System.Text.Json.JsonDocument.Parse(json.Stdout).RootElement;
            Assert.Equal("token.malformed", decision.GetProperty("reason").GetString());
            Assert.Equal(NotJwt, decision.GetProperty("detail").GetString());

            string everywhere = string.Join("\n", text.Stdout, text.Stderr, json.Stdout, json.Stderr, explain.Stdout, explain.Stderr, File.ReadAllText(site.AuditPath));
            byte[] bytes = Encoding.UTF8.GetBytes(password);
            Assert.DoesNotContain(password, everywhere);
            foreach (string word in password.Split(' ', '.').Where(w => w.Length >= 5))
                Assert.DoesNotContain(word, everywhere);
            foreach (byte[] input in new[] { bytes, [.. bytes, (byte)'\n'] })
                Assert.DoesNotContain(Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(input)), everywhere, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain("token_sha256", everywhere);
            Assert.DoesNotContain($"{bytes.Length} bytes", everywhere);
        }
    }

    [Fact]
    public void Missing_token_file_is_denied_naming_the_file()
    {
        using var site = new ConfigSite();
        var r = Validate(site, "/nonexistent/clfnd.jwt");
        Assert.Equal(1, r.ExitCode);
        Assert.StartsWith("ci-launcher: token.missing: cannot read token file /nonexistent/clfnd.jwt", OneLine(r));
    }

    [Fact]
    public void Missing_config_names_the_path()
    {
        var r = Proc.Run(Dist.CiLauncher, ["validate", "--config", "/nonexistent/clfnd.yaml", "--token-file", "-"], stdin: "x");
        Assert.Equal(2, r.ExitCode);
        Assert.Equal("ci-launcher: config.invalid: /nonexistent/clfnd.yaml: file: /nonexistent/clfnd.yaml does not exist", OneLine(r));
    }

    [Fact]
    public void Config_that_is_a_directory_is_refused()
    {
        using var dir = new TrustedDir();
        var r = Proc.Run(Dist.CiLauncher, ["check-config", "--config", dir.Path]);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains($"{dir.Path} is a directory, not a file", OneLine(r));
    }

    [Fact]
    public void Config_that_is_not_UTF8_is_refused()
    {
        using var site = new ConfigSite();
        File.WriteAllBytes(site.ConfigPath, [.. File.ReadAllBytes(site.ConfigPath), 0xff, 0xfe, (byte)'\n']);
        var r = Validate(site, site.TokenFile("clfnd-nouser"));
        Assert.Equal(2, r.ExitCode);
        Assert.EndsWith("is not valid UTF-8 text", OneLine(r));
        Assert.False(File.Exists(site.AuditPath));
    }

    [RootFact]
    public void Config_unreadable_by_the_caller_names_the_path()
    {
        using var site = new ConfigSite();
        File.SetUnixFileMode(site.ConfigPath, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        // setpriv drops to nobody without creating an account; the config is root's 0600.
        var r = Proc.Run("/usr/bin/setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", Dist.CiLauncher, "check-config", "--config", site.ConfigPath]);
        Assert.Equal(2, r.ExitCode);
        string line = OneLine(r);
        Assert.StartsWith($"ci-launcher: config.invalid: {site.ConfigPath}: file: cannot read {site.ConfigPath}", line);
    }

    /// <summary>As root: what is made unsafe, and the path and mode or owner the refusal must name.</summary>
    public static TheoryData<string, string> UntrustedConfigs => new()
    {
        { "config world-writable", "config 0666" },
        { "config group-writable", "config 0664" },
        { "config owned by nobody", "config owner" },
        { "parent directory group-writable", "dir 0775" },
        { "parent directory world-writable", "dir 0757" },
        { "parent directory owned by nobody", "dir owner" },
        { "config is a symlink into a world-writable directory", "symlink" },
    };

    [RootTheory]
    [MemberData(nameof(UntrustedConfigs))]
    public void Untrusted_config_is_refused_as_root(string name, string change)
    {
        using var site = new ConfigSite();
        string config = site.ConfigPath, expected;
        switch (change)
        {
            case "config 0666": File.SetUnixFileMode(config, (UnixFileMode)0b110_110_110); expected = $"{config} has mode 0666"; break;
            case "config 0664": File.SetUnixFileMode(config, (UnixFileMode)0b110_110_100); expected = $"{config} has mode 0664"; break;
            case "config owner": Chown(config); expected = $"{config} is owned by uid 65534, not root"; break;
            case "dir 0775": File.SetUnixFileMode(site.Dir.Path, (UnixFileMode)0b111_111_101); expected = $"directory {site.Dir.Path} has mode 0775"; break;
            case "dir 0757": File.SetUnixFileMode(site.Dir.Path, (UnixFileMode)0b111_101_111); expected = $"directory {site.Dir.Path} has mode 0757"; break;
            case "dir owner": Chown(site.Dir.Path); expected = $"directory {site.Dir.Path} is owned by uid 65534"; break;
            case "symlink":
            {
                string open = Path.Combine(site.Dir.Path, "open");
                Directory.CreateDirectory(open);
                File.SetUnixFileMode(open, (UnixFileMode)0b111_111_111);
                string target = Path.Combine(open, "config.yaml");
                File.Move(config, target);
                File.CreateSymbolicLink(config, target);
                expected = $"directory {open} has mode 0777";
                break;
            }
            default: throw new ArgumentException(change);
        }
        var r = Validate(site, site.TokenFile("clfnd-nouser"));
        Assert.Equal(2, r.ExitCode);
        string line = OneLine(r);
        Assert.StartsWith("ci-launcher: config.untrusted: ", line);
        Assert.Contains(expected, line);
        Assert.Contains(change.Contains("owner") ? "chown root" : "chmod go-w", line);
        Assert.False(File.Exists(site.AuditPath), $"{name}: an untrusted config must not lead to any decision");
    }

    private static void Chown(string path)
    {
        var r = Proc.Run("/usr/bin/chown", ["65534", path]);
        Assert.Equal(0, r.ExitCode);
    }

    /// <summary>JWKS file problems are the site's, not the job's: exit 2 with the file named, never a denial blamed on the token.</summary>
    public static TheoryData<string, string, string, string> KeySets => new()
    {
        { "not JSON", "<html>maintenance</html>", "jwks.invalid", "is not valid JSON" },
        { "empty file", "", "jwks.invalid", "is not valid JSON" },
        { "no keys array", "{\"issuer\":\"x\"}", "jwks.invalid", "no \"keys\" array" },
        { "only an oct key", "{\"keys\":[{\"kty\":\"oct\",\"kid\":\"it-rsa-1\",\"k\":\"c2VjcmV0\"}]}", "jwks.invalid", "no usable signing key (kid 'it-rsa-1': symmetric (oct) keys are never used)" },
        { "empty key list", "{\"keys\":[]}", "jwks.invalid", "no usable signing key (the key list is empty)" },
    };

    [Theory]
    [MemberData(nameof(KeySets))]
    public void Unusable_jwks_file_is_a_site_error(string name, string jwks, string reason, string text)
    {
        using var site = new ConfigSite();
        File.WriteAllText(site.JwksPath, jwks);
        var r = Validate(site, site.TokenFile("clfnd-nouser"));
        Assert.True(r.ExitCode == 2, $"{name}: exit {r.ExitCode}: {r.Stderr}");
        string line = OneLine(r);
        Assert.StartsWith($"ci-launcher: {reason}: ", line);
        Assert.Contains(site.JwksPath, line);
        Assert.Contains(text, line);

        var check = Proc.Run(Dist.CiLauncher, ["check-config", "--config", site.ConfigPath]);
        Assert.Equal(2, check.ExitCode);
        Assert.Contains($"{reason}: ", check.Stderr);
    }

    [RootFact]
    public void World_writable_jwks_file_is_refused_as_root()
    {
        using var site = new ConfigSite();
        File.SetUnixFileMode(site.JwksPath, (UnixFileMode)0b110_110_110);
        var r = Validate(site, site.TokenFile("clfnd-nouser"));
        Assert.Equal(2, r.ExitCode);
        string line = OneLine(r);
        Assert.StartsWith("ci-launcher: jwks.unavailable: ", line);
        Assert.Contains($"{site.JwksPath} has mode 0666", line);
    }

    [Theory]
    [InlineData("frobnicate")]
    [InlineData("VALIDATE")]
    [InlineData("--config")]
    [InlineData("validate")]
    [InlineData("validate --token-file")]
    [InlineData("validate --token-file - --token-file -")]
    [InlineData("validate --json=yes --token-file -")]
    [InlineData("validate -t -")]
    [InlineData("explain --json --token-file -")]
    [InlineData("check-config --verbose")]
    [InlineData("check-config extra")]
    [InlineData("jwks")]
    [InlineData("jwks frobnicate")]
    [InlineData("jwks refresh --issuer")]
    [InlineData("jwks refresh --force")]
    [InlineData("jwks refresh extra")]
    public void Usage_errors_are_one_line_and_exit_2(string argv)
    {
        var r = Proc.Run(Dist.CiLauncher, argv.Split(' '), stdin: "");
        Assert.Equal(2, r.ExitCode);
        string line = OneLine(r);
        Assert.StartsWith("ci-launcher", line);
        Assert.Contains("'", line); // names the offending command, option or argument
    }
}
