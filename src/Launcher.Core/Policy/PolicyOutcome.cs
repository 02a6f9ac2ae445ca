namespace Launcher.Core.Policy;

/// <summary>The policy's answer: the deciding rule (if any), the reason code and the mapped user name.</summary>
public sealed record PolicyOutcome(bool Allowed, string Reason, string Detail, CompiledRule? Rule, string? RunAs);
