using YamlDotNet.Core;
using YamlDotNet.Serialization;
using YamlDotNet.Serialization.NamingConventions;

namespace Launcher.Core.Config;

/// <summary>
/// YAML text to a validated <see cref="SiteConfig"/>, or every error found. Pure: reading the
/// file and checking its ownership is the caller's job (Launcher.Posix.TrustedFile).
/// </summary>
public static partial class ConfigLoader
{
    private static readonly IDeserializer Deserializer = new StaticDeserializerBuilder(new ConfigYamlContext())
        .WithNamingConvention(UnderscoredNamingConvention.Instance)
        .WithTypeConverter(new ClaimPatternsConverter())
        .WithDuplicateKeyChecking()
        .Build();

    public static (SiteConfig? Config, IReadOnlyList<ConfigError> Errors) Parse(string path, string yaml)
    {
        LauncherConfig? raw;
        try
        {
            raw = Deserializer.Deserialize<LauncherConfig>(yaml);
        }
        catch (YamlException e)
        {
            return (null, [new ConfigError(path, (int)e.Start.Line, "yaml", Describe(e), (int)e.Start.Column)]);
        }
        catch (InvalidCastException)
        {
            // The whole document is one plain value (a file that is not a config, /etc/passwd say).
            return (null, [new ConfigError(path, 1, "(document)", WrongKind)]);
        }
        if (raw is null)
            return (null, [new ConfigError(path, 0, "(document)", "the file is empty; see ci-launcher.yaml(5) for a minimal configuration")]);

        var v = new Validator(path, yaml);
        var config = v.Validate(raw);
        return v.Errors.Count == 0 ? (config, []) : (null, v.Errors);
    }

    private const string WrongKind = "a value of the wrong kind: a single value where key: value pairs or a list belong, or the reverse (is this a ci-launcher config? see ci-launcher.yaml(5))";

    private static string Describe(YamlException e)
    {
        // YamlDotNet wraps the real cause; the innermost message names the unknown key or bad value.
        Exception inner = e;
        while (inner.InnerException is not null) inner = inner.InnerException;
        string message = inner.Message;
        int cut = message.IndexOf("): ", StringComparison.Ordinal);
        if (message.StartsWith('(') && cut > 0) message = message[(cut + 3)..];
        if (message.StartsWith("Property '", StringComparison.Ordinal) && message.Contains("not found on type", StringComparison.Ordinal))
        {
            string key = message.Split('\'')[1];
            return $"unknown key '{key}' (a typo? every key is listed in ci-launcher.yaml(5))";
        }
        // The deserializer's own words name .NET types and, in this trimmed build, resource keys: say what the file must hold instead.
        if (inner is InvalidCastException || message.StartsWith("No node deserializer", StringComparison.Ordinal))
            return WrongKind;
        return message;
    }

    /// <summary>
    /// The semantic checks, one way for every section: each section of the file has its own
    /// partial file (<c>ConfigLoader.&lt;Section&gt;.cs</c>) with one <c>Validate&lt;Section&gt;</c>
    /// method that reports every problem it finds through <see cref="Error"/> (so check-config
    /// lists them all, each with its key and line) and returns the section's validated settings,
    /// or null when it reported one.
    /// </summary>
    private sealed partial class Validator(string path, string yaml)
    {
        public List<ConfigError> Errors { get; } = [];
        private readonly List<string> _warnings = [];

        /// <summary>
        /// Line numbers only serve error messages: the text is parsed for them the first time an
        /// error needs one, not on every load (a second YAML parse, a fifth of loading a config).
        /// </summary>
        private YamlLineMap? _lines;

        private void Error(string key, string message) => Errors.Add(new ConfigError(path, (_lines ??= YamlLineMap.Build(yaml)).LineOf(key), key, message));

        public SiteConfig? Validate(LauncherConfig raw)
        {
            var issuers = ValidateIssuers(raw.Issuers, raw.Issuing);
            var rules = ValidateRules(raw.Policy, issuers);
            var accounts = ValidateAccounts(raw.Accounts);
            var audit = ValidateAudit(raw.Audit);
            var launch = ValidateLaunch(raw.Launch, issuers);
            var executor = raw.Executor is null ? null : ValidateExecutor(raw.Executor, issuers);
            var issuing = raw.Issuing is null ? null : ValidateIssuing(raw.Issuing, issuers);

            if (Errors.Count > 0) return null;
            return new SiteConfig
            {
                Path = path,
                Issuers = issuers,
                Rules = rules,
                Accounts = accounts!,
                Audit = audit!,
                Launch = launch!,
                Raw = raw,
                Executor = executor,
                Warnings = _warnings,
                Issuing = issuing,
            };
        }
    }
}
