namespace Launcher.Core.Config;

public sealed class PolicyConfig
{
    public List<RuleConfig> Rules { get; set; } = [];
}

/// <summary>One policy rule. The first rule whose issuer and match hold decides.</summary>
public sealed class RuleConfig
{
    public string Name { get; set; } = "";
    public string Issuer { get; set; } = "";
    /// <summary>Claim name to one pattern or a list of patterns (any of them may match).</summary>
    public Dictionary<string, ClaimPatterns> Match { get; set; } = [];
    public string Action { get; set; } = "";
    public string? RunAs { get; set; }
    /// <summary>Optional bounds of the batch jobs this rule admits (executor.batch).</summary>
    public BatchBoundsConfig? Batch { get; set; }
}
