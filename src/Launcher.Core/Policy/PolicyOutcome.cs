using Launcher.Core.Authorization;

namespace Launcher.Core.Policy;

/// <summary>
/// The policy's answer: the deciding rule (null when none matched; the audit record names it
/// either way) and the user name it maps the token to, or the refusal.
/// </summary>
public sealed record PolicyOutcome(CompiledRule? Rule, Outcome<string> RunAs);
