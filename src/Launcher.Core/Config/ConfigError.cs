namespace Launcher.Core.Config;

/// <summary>One problem in the configuration: where (file, line, key) and what to change.</summary>
public sealed record ConfigError(string File, int Line, string Key, string Message)
{
    public override string ToString() =>
        Line > 0 ? $"{File}:{Line}: {Key}: {Message}" : $"{File}: {Key}: {Message}";
}
