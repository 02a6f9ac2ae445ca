using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Launcher.Contracts.Tests.Support;

/// <summary>One C# file of the repository, parsed (syntax only: nothing is compiled or bound).</summary>
public sealed record SourceFile(string Path, SyntaxNode Root)
{
    /// <summary>Repository-relative, with '/' separators: src/Launcher.Posix/Interop/Spawn.cs.</summary>
    public bool IsUnder(string folder) => Path.StartsWith(folder, StringComparison.Ordinal);

    public string Where(SyntaxNodeOrToken at) => $"{Path}:{at.GetLocation()!.GetLineSpan().StartLinePosition.Line + 1}";

    /// <summary>Every identifier the code names: declarations and uses, never a comment or the text of a string.</summary>
    public IEnumerable<SyntaxToken> Identifiers() => Root.DescendantTokens().Where(t => t.IsKind(SyntaxKind.IdentifierToken));

    /// <summary>
    /// Methods and local functions (top-level programs declare P/Invokes as those) carrying
    /// [LibraryImport] or [DllImport], with the entry point they bind (EntryPoint=, else the name).
    /// </summary>
    public IEnumerable<(SyntaxNode Method, string EntryPoint, string Library)> NativeImports()
    {
        foreach (var node in Root.DescendantNodes())
        {
            var (attributes, name) = node switch
            {
                MethodDeclarationSyntax m => (m.AttributeLists, m.Identifier.Text),
                LocalFunctionStatementSyntax l => (l.AttributeLists, l.Identifier.Text),
                _ => (default(SyntaxList<AttributeListSyntax>), ""),
            };
            var attribute = attributes.SelectMany(l => l.Attributes).FirstOrDefault(a => IsImport(a.Name.ToString()));
            if (attribute is null) continue;
            var args = attribute.ArgumentList?.Arguments ?? default;
            string library = args.Count > 0 && args[0].NameEquals is null ? args[0].Expression.ToString() : "";
            string entry = args.FirstOrDefault(a => a.NameEquals?.Name.Identifier.Text == "EntryPoint")?.Expression.ToString().Trim('"') ?? name;
            yield return (node, entry, library);
        }
    }

    private static bool IsImport(string name) =>
        name.Split('.')[^1] is "LibraryImport" or "LibraryImportAttribute" or "DllImport" or "DllImportAttribute";
}

/// <summary>The C# files of src/, tests/ and bench/ (not bin/ or obj/), parsed once per test run.</summary>
public static class SourceTree
{
    private static readonly Lazy<IReadOnlyList<SourceFile>> Files = new(Load);

    public static IReadOnlyList<SourceFile> CSharp => Files.Value;

    public static string Read(string relative) => File.ReadAllText(System.IO.Path.Combine(Dist.Repo, relative));

    private static IReadOnlyList<SourceFile> Load()
    {
        var files = new List<SourceFile>();
        foreach (string top in new[] { "src", "tests", "bench" })
        {
            string dir = System.IO.Path.Combine(Dist.Repo, top);
            if (!Directory.Exists(dir)) continue;
            foreach (string path in Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories))
            {
                string relative = System.IO.Path.GetRelativePath(Dist.Repo, path).Replace('\\', '/');
                if (relative.Split('/').Any(part => part is "bin" or "obj")) continue;
                var tree = CSharpSyntaxTree.ParseText(File.ReadAllText(path), CSharpParseOptions.Default.WithLanguageVersion(LanguageVersion.Preview), path);
                files.Add(new SourceFile(relative, tree.GetRoot()));
            }
        }
        Assert.True(files.Count > 100, $"only {files.Count} C# files found under {Dist.Repo}: is CI_LAUNCHER_REPO right?");
        return files;
    }
}
