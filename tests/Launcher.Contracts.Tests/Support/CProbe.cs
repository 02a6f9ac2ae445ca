using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Launcher.Contracts.Tests.Support;

/// <summary>
/// What the C compiler says about native/*.h: a probe program is generated from the names in
/// the headers (every CIL_STEP_* of enum cil_step, every #define CIL_PAM_*, every field of the
/// structs), compiled with gcc against the real headers and run. The values are the compiler's,
/// never copied by hand.
/// </summary>
public static class CProbe
{
    private static readonly Lazy<IReadOnlyDictionary<string, long>> Values = new(Run);

    public static string Header(string name) => SourceTree.Read($"native/{name}");

    /// <summary>The names listed in <c>enum <paramref name="name"/> { ... }</c> of a header, in order.</summary>
    public static IReadOnlyList<string> EnumMembers(string header, string name) =>
        Identifiers(Body(header, $"enum {name}"), @"^\s*([A-Z][A-Z0-9_]*)\s*(=|,)");

    /// <summary>The field names of <c>struct <paramref name="name"/> { ... }</c>, in order.</summary>
    public static IReadOnlyList<string> StructFields(string header, string name) =>
        Identifiers(Body(header, $"struct {name}"), @"\b([a-z_][a-z0-9_]*)\s*;");

    /// <summary>The names of <c>#define PREFIX...</c> lines.</summary>
    public static IReadOnlyList<string> Defines(string header, string prefix) =>
        Regex.Matches(header, $@"^#define\s+({Regex.Escape(prefix)}[A-Z0-9_]*)\s+\S", RegexOptions.Multiline).Select(m => m.Groups[1].Value).ToList();

    /// <summary>A value the probe printed: a constant's name, <c>sizeof(struct x)</c> or <c>offsetof(struct x, f)</c>.</summary>
    public static long Value(string expression) =>
        Values.Value.TryGetValue(expression, out long v) ? v : throw new KeyNotFoundException($"the probe printed no '{expression}'");

    private static string Body(string header, string opening)
    {
        var m = Regex.Match(header, Regex.Escape(opening) + @"\s*\{(?<body>[^}]*)\}");
        Assert.True(m.Success, $"'{opening} {{ ... }}' not found in the header");
        // Comments may hold words that look like names.
        return Regex.Replace(m.Groups["body"].Value, @"/\*.*?\*/|//[^\n]*", "", RegexOptions.Singleline);
    }

    private static List<string> Identifiers(string body, string pattern) =>
        body.Split('\n').Select(l => Regex.Match(l, pattern)).Where(m => m.Success).Select(m => m.Groups[1].Value).ToList();

    private static IReadOnlyDictionary<string, long> Run()
    {
        string spawn = Header("cil_spawn.h"), pam = Header("ci_launcher_pam.h");
        var c = new StringBuilder("""
            #include <stddef.h>
            #include <stdio.h>
            #include "cil_spawn.h"
            #include "ci_launcher_pam.h"
            #define V(e) printf("%s\t%lld\n", #e, (long long)(e))
            int main(void)
            {

            """);
        foreach (string name in EnumMembers(spawn, "cil_step").Concat(Defines(pam, "CIL_PAM_")))
            c.Append($"    V({name});\n");
        foreach (string s in new[] { "cil_spawn_request", "cil_spawn_error", "cil_rlimit" })
        {
            c.Append($"    V(sizeof(struct {s}));\n");
            foreach (string field in StructFields(spawn, s))
                c.Append($"    V(offsetof(struct {s}, {field}));\n");
        }
        c.Append("    return 0;\n}\n");

        string dir = Directory.CreateTempSubdirectory("cil-probe-").FullName;
        try
        {
            File.WriteAllText(Path.Combine(dir, "probe.c"), c.ToString());
            string exe = Path.Combine(dir, "probe");
            TestPrograms.Compile(Path.Combine(dir, "probe.c"), exe, ["-std=c11", "-I", Path.Combine(Dist.Repo, "native")]);
            var values = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (string line in Run(exe).Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] parts = line.Split('\t');
                values[Normal(parts[0])] = long.Parse(parts[1], CultureInfo.InvariantCulture);
            }
            return values;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static string Normal(string e) => Regex.Replace(e, @"\s+", " ");

    private static string Run(string probe)
    {
        var r = Proc.Run(probe, []);
        Assert.True(r.ExitCode == 0, $"{probe} failed ({r.ExitCode}): {r.Stderr}");
        return r.Stdout;
    }
}
