namespace Launcher.Testing;

/// <summary>A theory that needs root (ownership and mode rules only apply to a privileged process). Skipped, with the reason printed, otherwise.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        if (!RootFactAttribute.IsRoot())
            Skip = "needs root (CI runs as root): the trusted-file rules apply only to a privileged process";
    }
}
