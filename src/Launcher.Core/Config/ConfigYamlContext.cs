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
[YamlSerializable(typeof(IssuingConfig))]
[YamlSerializable(typeof(LaunchConfig))]
public partial class ConfigYamlContext : StaticContext
{
}
