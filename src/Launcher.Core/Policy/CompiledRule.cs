namespace Launcher.Core.Policy;

public enum RuleAction
{
    Deny,
    Allow,
}

/// <summary>A rule after config validation: globs parsed, template parsed, position known.</summary>
public sealed class CompiledRule
{
    public required string Name { get; init; }
    public required int Position { get; init; }
    public required string Issuer { get; init; }
    public required IReadOnlyList<(string Claim, IReadOnlyList<Glob> Patterns)> Match { get; init; }
    public required RuleAction Action { get; init; }
    public Templates.Template? RunAs { get; init; }
    /// <summary>Partitions, accounts, QOS and time its batch jobs may use; null bounds nothing.</summary>
    public Launcher.Core.Batch.BatchBounds? Batch { get; init; }
}
