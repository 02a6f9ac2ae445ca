namespace Launcher.Integration.Tests.Packaging;

/// <summary>One line of <c>rpm -qlvp</c>: what the package will create, with its recorded mode and owner.</summary>
public sealed record RpmEntry(string Mode, string Owner, string Group, string Path)
{
    /// <summary>
    /// Parses "-rwsr-x---    1 root     ci-launcher   12345 Nov 28 01:44 /usr/libexec/...": mode, links,
    /// owner, group, size, three date fields, path (the packaged paths contain no spaces).
    /// </summary>
    public static RpmEntry Parse(string line)
    {
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length != 9 || !f[8].StartsWith('/'))
            throw new FormatException($"unexpected 'rpm -qlvp' line: '{line}'");
        return new RpmEntry(f[0], f[2], f[3], f[8]);
    }

    public override string ToString() => $"{Mode} {Owner}:{Group} {Path}";
}
