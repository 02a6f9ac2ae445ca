using System.Text.RegularExpressions;
using Launcher.Integration.Tests.Support;

namespace Launcher.Integration.Tests.Packaging;

/// <summary>
/// The man pages against the code they describe: every registered command is in ci-launcher(8)
/// and every configuration key is an entry of ci-launcher.yaml(5), so a key added to a *Config
/// class without documentation fails here instead of surprising a sysadmin.
/// </summary>
public class ManPageTests
{
    private static string ManPage(string name) => File.ReadAllText(Path.Combine(Dist.Repo, "packaging", "man", name));

    public static TheoryData<string> Commands()
    {
        // The one command table: `["name"] = handler` lines in Program.cs.
        string program = File.ReadAllText(Path.Combine(Dist.Repo, "src", "Launcher.Cli", "Program.cs"));
        var data = new TheoryData<string>();
        foreach (Match m in Regex.Matches(program, @"^\s*\[""([a-z-]+)""\]\s*=", RegexOptions.Multiline))
            data.Add(m.Groups[1].Value);
        return data;
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public void Every_command_is_described_in_ci_launcher_8(string command)
    {
        string page = ManPage("ci-launcher.8");
        string name = Regex.Escape(command).Replace("-", @"\\?-");   // roff spells '-' as '\-'
        // Listed in the SYNOPSIS and given an entry (.TP + .B/.BR/.BI line) under COMMANDS.
        Assert.Matches(new Regex($@"^\.B ci-launcher {name}\b", RegexOptions.Multiline), page);
        Assert.Matches(new Regex($@"^\.TP\n\.B[RI]? ""?{name}\b", RegexOptions.Multiline), page);
    }

    public static TheoryData<string, string> ConfigKeys()
    {
        // Every settable property of the YAML model classes, in the YAML spelling (UnderscoredNamingConvention).
        var data = new TheoryData<string, string>();
        var property = new Regex(@"^\s*public\s+[\w<>?,\s\[\]]+?\s+(\w+)\s*\{\s*get;\s*set;\s*\}", RegexOptions.Multiline);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Dist.Repo, "src", "Launcher.Core", "Config"), "*Config.cs").Order())
        {
            string cls = Path.GetFileNameWithoutExtension(file);
            if (cls == "LauncherConfig") continue;   // the sections themselves: checked by Every_section_has_its_own_heading
            foreach (Match m in property.Matches(File.ReadAllText(file)))
                data.Add(cls, Snake(m.Groups[1].Value));
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(ConfigKeys))]
    public void Every_config_key_is_an_entry_of_ci_launcher_yaml_5(string section, string key)
    {
        // An entry is ".TP" then ".BR key" (with its default) or ".B key".
        Assert.True(Regex.IsMatch(ManPage("ci-launcher.yaml.5"), $@"^\.TP\n\.BR? {Regex.Escape(key)}( |$)", RegexOptions.Multiline),
            $"{section}: key '{key}' has no entry in packaging/man/ci-launcher.yaml.5");
    }

    [Fact]
    public void Every_section_has_its_own_heading()
    {
        string model = File.ReadAllText(Path.Combine(Dist.Repo, "src", "Launcher.Core", "Config", "LauncherConfig.cs"));
        var sections = Regex.Matches(model, @"public\s+\S+\s+(\w+)\s*\{\s*get;\s*set;").Select(m => m.Groups[1].Value.ToUpperInvariant()).ToList();
        Assert.NotEmpty(sections);
        string page = ManPage("ci-launcher.yaml.5");
        Assert.All(sections, s => Assert.Matches(new Regex($@"^\.SH {s}$", RegexOptions.Multiline), page));
    }

    [Theory]
    [InlineData("ci-launcher.8")]
    [InlineData("ci-launcher.yaml.5")]
    public void Page_has_a_security_notes_section_and_renders_without_warnings(string name)
    {
        Assert.Matches(new Regex(@"^\.SH SECURITY NOTES$", RegexOptions.Multiline), ManPage(name));
        if (!File.Exists("/usr/bin/groff")) return;   // the content checks above still ran
        var r = Proc.Run("/usr/bin/groff", ["-man", "-Tutf8", "-ww", "-z", Path.Combine(Dist.Repo, "packaging", "man", name)]);
        Assert.Equal(0, r.ExitCode);
        Assert.Equal("", r.Stderr);
    }

    private static string Snake(string pascal) => Regex.Replace(pascal, "(?<=[a-z0-9])([A-Z])", "_$1").ToLowerInvariant();

    [Fact]
    public void The_default_site_token_claims_are_the_ones_the_binary_uses()
    {
        string page = ManPage("ci-launcher.yaml.5");
        var m = Regex.Match(page, @"^\.BR claims "" \(default: "" ""\[([^\]]*)\]"" \)", RegexOptions.Multiline);
        Assert.True(m.Success, "ci-launcher.yaml(5) has no 'claims (default: [...])' entry");
        Assert.Equal(Launcher.Core.Config.IssuingSettings.DefaultClaims, m.Groups[1].Value.Split(", "));
    }
}
