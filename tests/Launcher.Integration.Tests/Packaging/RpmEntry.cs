namespace Launcher.Integration.Tests.Packaging;

/// <summary>One file of the package: what it will create, with its recorded mode and owner.</summary>
public sealed record RpmEntry(string Mode, string Owner, string Group, string Path)
{
    /// <summary>The query format <see cref="Parse"/> reads: 'rpm -qlv' columns, with untruncated names.</summary>
    public const string QueryFormat = "[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILENAMES}\\n]";

    /// <summary>Parses "-rwsr-x--- root ci-launcher /usr/libexec/..." (the packaged paths contain no spaces).</summary>
    public static RpmEntry Parse(string line)
    {
        var f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (f.Length != 4 || !f[3].StartsWith('/'))
            throw new FormatException($"unexpected rpm query line: '{line}'");
        return new RpmEntry(f[0], f[1], f[2], f[3]);
    }

    /// <summary>
    /// Whether a line of 'rpm -qlvp' ("-rwsr-x---  1 root  ci-launc  17192 Nov 28 02:11 /usr/...")
    /// shows this entry. That listing cuts user and group names to 8 characters.
    /// </summary>
    public bool IsShownBy(string qlvLine)
    {
        var f = qlvLine.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return f.Length == 9 && f[8] == Path && f[0] == Mode
            && Owner.StartsWith(f[2], StringComparison.Ordinal) && Group.StartsWith(f[3], StringComparison.Ordinal);
    }

    public override string ToString() => $"{Mode} {Owner}:{Group} {Path}";
}
