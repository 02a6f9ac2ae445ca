using YamlDotNet.Serialization;

namespace Launcher.Core.Config;

/// <summary>Compile-time YAML type information: the reflection-based deserializer does not survive native AOT.</summary>
[YamlStaticContext]
[YamlSerializable(typeof(LauncherConfig))]
[YamlSerializable(typeof(IssuerConfig))]
[YamlSerializable(typeof(PolicyConfig))]
[YamlSerializable(typeof(RuleConfig))]
[YamlSerializable(typeof(ClaimPatterns))]
[YamlSerializable(typeof(AccountsConfig))]
[YamlSerializable(typeof(AuditConfig))]
[YamlSerializable(typeof(LaunchConfig))]
[YamlSerializable(typeof(ExecutorConfig))]
[YamlSerializable(typeof(IssuingConfig))]
[YamlSerializable(typeof(BatchConfig))]
[YamlSerializable(typeof(BatchBoundsConfig))]
public partial class ConfigYamlContext : StaticContext
{
}
