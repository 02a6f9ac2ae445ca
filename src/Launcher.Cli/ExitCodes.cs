namespace Launcher.Cli;

/// <summary>The process exit codes of the command contract (DESIGN.md). Scripts depend on them.</summary>
public static class ExitCodes
{
    public const int Allowed = 0;
    public const int Denied = 1;
    public const int UsageOrConfig = 2;
}
