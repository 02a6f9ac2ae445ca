using System.Reflection;
using System.Runtime.InteropServices;
using System.Xml.Linq;
using Launcher.Contracts.Tests.Support;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Launcher.Contracts.Tests;

/// <summary>
/// What the folders promise, checked on the source itself (src/Launcher.Posix/Privileged/README.md,
/// src/Launcher.Posix/Interop/README.md): root's power is used in one folder, and every native
/// call of the tree is declared once, in one folder, bound at link time.
/// </summary>
public class ArchitectureTests
{
    private const string Privileged = "src/Launcher.Posix/Privileged/";
    private const string Interop = "src/Launcher.Posix/Interop/";
    /// <summary>The libcrypto binding: native calls that compute, and touch no file, identity or privilege.</summary>
    private const string Crypto = "src/Launcher.Core/Crypto/";

    /// <summary>Calls that act with root's power on someone's behalf: identity changes, giving files away, starting a job as its user.</summary>
    public static TheoryData<string> RootPowers() => new() { "setfsuid", "setfsgid", "fchown", "setresuid", "setresgid", "setgroups", "cil_spawn" };

    [Theory]
    [MemberData(nameof(RootPowers))]
    public void Roots_power_is_named_only_in_the_privileged_folder(string call)
    {
        var outside = SourceTree.CSharp
            .Where(f => !f.IsUnder(Privileged) && !f.IsUnder(Interop))
            .SelectMany(f => f.Identifiers().Where(t => t.Text == call).Select(t => f.Where(t)))
            .ToList();
        Assert.True(outside.Count == 0, $"{call} is used outside {Privileged}: {string.Join(", ", outside)}; move the code there (or call the primitive that lives there)");
    }

    [Fact]
    public void Every_native_import_is_in_the_interop_folder()
    {
        var outside = SourceTree.CSharp
            .Where(f => !f.IsUnder(Interop) && !f.IsUnder(Crypto))
            .SelectMany(f => f.NativeImports().Select(i => $"{f.Where(i.Method)} ({i.EntryPoint})"))
            .ToList();
        Assert.True(outside.Count == 0, $"P/Invokes outside {Interop}: {string.Join(", ", outside)}; declare them there, once");
    }

    /// <summary>Launcher.Core stays free of libc: its one native library is libcrypto, declared in one file.</summary>
    [Fact]
    public void The_crypto_folder_calls_libcrypto_and_nothing_else()
    {
        var imports = SourceTree.CSharp.Where(f => f.IsUnder(Crypto))
            .SelectMany(f => f.NativeImports().Select(i => (i.Library, i.EntryPoint, Where: f.Where(i.Method))))
            .ToList();
        Assert.NotEmpty(imports);
        var other = imports.Where(i => i.Library != "Library").Select(i => $"{i.EntryPoint} from {i.Library} ({i.Where})").ToList();
        Assert.True(other.Count == 0, $"{Crypto} binds libcrypto only (LibCrypto.Library): {string.Join(", ", other)}");
        Assert.Equal("libcrypto.so.3", LibCryptoName);
    }

    private static string LibCryptoName =>
        (string)typeof(Launcher.Core.Crypto.PublicKey).Assembly.GetType("Launcher.Core.Crypto.LibCrypto", throwOnError: true)!
            .GetField("Library")!.GetRawConstantValue()!;

    [Fact]
    public void Every_entry_point_is_declared_once()
    {
        var twice = OwnImports()
            .GroupBy(i => i.EntryPoint)
            .Where(g => g.Count() > 1)
            .Select(g => $"{g.Key} ({string.Join(", ", g.Select(i => i.Where))})")
            .ToList();
        Assert.True(twice.Count == 0, $"declared more than once: {string.Join("; ", twice)}");
    }

    [Fact]
    public void No_own_declaration_of_a_call_TmdsLibC_binds()
    {
        var bound = TmdsImports().Select(m => m.EntryPoint).ToHashSet(StringComparer.Ordinal);
        var redundant = OwnImports().Where(i => bound.Contains(i.EntryPoint)).Select(i => $"{i.EntryPoint} ({i.Where})").ToList();
        Assert.True(redundant.Count == 0, $"Tmds.Linux.LibC already binds: {string.Join(", ", redundant)}; call LibC.<name> instead");
    }

    /// <summary>
    /// Every library a call of the tree goes to is bound at link time in the AOT binaries: else
    /// NativeAOT resolves it on first use (dlopen+dlsym), unseen by LD_PRELOAD interposers and
    /// after probing the binary's own directory for a library of that name (Interop/README.md).
    /// </summary>
    [Fact]
    public void Every_library_called_is_bound_at_link_time()
    {
        var direct = DirectPInvokes("src/Launcher.Posix/Interop/DirectPInvoke.props")
            .Concat(DirectPInvokes("src/Launcher.Cli/Launcher.Cli.csproj")).ToHashSet(StringComparer.Ordinal);
        var libraries = typeof(Launcher.Posix.Interop.Libraries).GetFields(BindingFlags.Public | BindingFlags.Static)
            .ToDictionary(f => "Libraries." + f.Name, f => (string)f.GetRawConstantValue()!);
        var needed = new SortedSet<string>(StringComparer.Ordinal);
        libraries["Library"] = LibCryptoName;
        foreach (var import in OwnImports())
            needed.Add(libraries.TryGetValue(import.Library, out var name) ? name : import.Library.Trim('"'));
        var tmds = TmdsImports().ToLookup(m => m.Method, m => m.Library);
        foreach (string call in TmdsCalls())
            foreach (string library in tmds[call])
                needed.Add(library);
        Assert.Contains("libc.so.6", needed);
        Assert.Contains("libcrypto.so.3", needed);
        var missing = needed.Where(l => !direct.Contains(l)).ToList();
        Assert.True(missing.Count == 0, $"called but not in any <DirectPInvoke>: {string.Join(", ", missing)} (add it to src/Launcher.Posix/Interop/DirectPInvoke.props)");
    }

    private static IEnumerable<(string EntryPoint, string Library, string Where)> OwnImports() =>
        SourceTree.CSharp.SelectMany(f => f.NativeImports().Select(i => (i.EntryPoint, i.Library, f.Where(i.Method))));

    private static IEnumerable<(string Method, string EntryPoint, string Library)> TmdsImports() =>
        typeof(Tmds.Linux.LibC).GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)
            .Select(m => (m.Name, Import: m.GetCustomAttribute<DllImportAttribute>()))
            .Where(m => m.Import is not null)
            .Select(m => (m.Name, m.Import!.EntryPoint ?? m.Name, m.Import.Value));

    /// <summary>The Tmds.Linux.LibC methods the tree calls: <c>LibC.name(...)</c> in files that use Tmds.Linux.</summary>
    private static IEnumerable<string> TmdsCalls() =>
        SourceTree.CSharp
            .Where(f => f.Root.DescendantNodes().OfType<UsingDirectiveSyntax>().Any(u => u.Name?.ToString() == "Tmds.Linux"))
            .SelectMany(f => f.Root.DescendantNodes().OfType<InvocationExpressionSyntax>())
            .Select(i => i.Expression)
            .OfType<MemberAccessExpressionSyntax>()
            .Where(m => m.Expression is IdentifierNameSyntax { Identifier.Text: "LibC" })
            .Select(m => m.Name.Identifier.Text)
            .Distinct();

    private static IEnumerable<string> DirectPInvokes(string project) =>
        XDocument.Parse(SourceTree.Read(project)).Descendants("DirectPInvoke").Select(e => (string)e.Attribute("Include")!);
}
