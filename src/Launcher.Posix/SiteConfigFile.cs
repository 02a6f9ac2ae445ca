using System.Text;
using Launcher.Core.Config;
using Launcher.Posix.Files;

namespace Launcher.Posix;

/// <summary>Reads the config file (trusted-file rules when privileged) and validates it.</summary>
public static class SiteConfigFile
{
    /// <summary>The config of this installation (<see cref="InstallLayout"/>); the only one a set-id caller gets.</summary>
    public static string DefaultPath { get; } = InstallLayout.ConfigFor(Environment.ProcessPath);

    public const long MaxConfigBytes = 1 << 20;

    /// <summary>The validated config, or the errors; <paramref name="untrusted"/> says the file itself was refused.</summary>
    public static SiteConfig? Load(string path, bool mustBeTrusted, out IReadOnlyList<ConfigError> errors, out bool untrusted)
    {
        byte[]? bytes = TrustedFile.Read(path, mustBeTrusted, MaxConfigBytes, out untrusted, out string? error);
        if (bytes is null)
        {
            errors = [new ConfigError(path, 0, "file", error!)];
            return null;
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            errors = [new ConfigError(path, 0, "file", "is not valid UTF-8 text")];
            return null;
        }
        var (config, parseErrors) = ConfigLoader.Parse(path, text);
        errors = parseErrors;
        return config;
    }
}
