namespace Launcher.Core.Paths;

/// <summary>
/// A clean absolute path expanded for one user, and where the user's own part of it begins: the
/// first component made from a personal placeholder (<c>{user}</c>, <c>{uid}</c>, the last
/// component of <c>{home}</c>). The components above it are shared by every user of the template
/// (<c>/shared/ci</c> in <c>/shared/ci/{user}</c>): root creates those when missing, owned by
/// root, so the first user's job cannot take a parent every later user needs.
/// </summary>
public sealed record UserPath(string Path, int PersonalFrom)
{
    public string[] Components => CleanPath.Components(Path);

    /// <summary>Whether the component at <paramref name="index"/> (0 is the one below /) is the user's own.</summary>
    public bool IsPersonal(int index) => index >= PersonalFrom;

    public override string ToString() => Path;
}
