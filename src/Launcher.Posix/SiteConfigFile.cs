using System.Text;
using Launcher.Core.Authorization;
using Launcher.Core.Config;
using Launcher.Posix.Files;

namespace Launcher.Posix;

/// <summary>Reads the config file (trusted-file rules when privileged) and validates it.</summary>
public static class SiteConfigFile
{
    /// <summary>The config of this installation (<see cref="InstallLayout"/>); the only one a set-id caller gets.</summary>
    public static string DefaultPath { get; } = InstallLayout.ConfigFor(Environment.ProcessPath);

    public const long MaxConfigBytes = 1 << 20;

    /// <summary>The validated config, or every error (a refused file itself is config.untrusted).</summary>
    public static (SiteConfig? Config, IReadOnlyList<ConfigError> Errors) Load(string path, bool mustBeTrusted)
    {
        var read = TrustedFile.Read(path, mustBeTrusted, MaxConfigBytes);
        if (!read.Ok)
        {
            // A file or a directory on its path that others could change is config.untrusted (TrustedFile's label).
            var refused = read.Refusal;
            return (null, [new ConfigError(path, 0, "file", refused.Detail, Reason: refused.Reason == Reasons.ConfigUntrusted ? Reasons.ConfigUntrusted : Reasons.ConfigInvalid)]);
        }
        byte[] bytes = read.Value;
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            return (null, [new ConfigError(path, 0, "file", "is not valid UTF-8 text")]);
        }
        return ConfigLoader.Parse(path, text);
    }
}
