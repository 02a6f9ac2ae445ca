using Launcher.Core.Authorization;

namespace Launcher.Posix.Launch;

/// <summary>The result of <see cref="UserDirectories.Ensure"/>: ok (created or already the user's), or refused with a reason.</summary>
public sealed record DirectoryOutcome(bool Ok, bool Created, string Reason, string Detail)
{
    public static DirectoryOutcome Refused(string detail) => new(false, false, Reasons.LaunchDirectory, detail);
}
