using Launcher.Core.Authorization;

namespace Launcher.Core.Policy;

/// <summary>
/// What a mapped name must look like before it is ever passed to getpwnam: claims are
/// attacker-influenced text, and NSS backends (LDAP, SSSD) have had injection bugs.
/// </summary>
public static class PosixUserName
{
    public const int MaxBytes = 32;

    /// <summary>Null when valid, else why not (for the caller to label).</summary>
    public static Refusal? Check(string name) => Problem(name) is { } problem ? Refusal.Unlabelled(problem) : null;

    private static string? Problem(string name)
    {
        if (name.Length == 0) return "is empty";
        if (System.Text.Encoding.UTF8.GetByteCount(name) > MaxBytes) return $"is longer than {MaxBytes} bytes";
        if (name[0] == '-') return "starts with '-'";
        if (name == "." || name.Contains("..", StringComparison.Ordinal)) return "contains '..'";
        bool allDigits = true;
        foreach (char c in name)
        {
            if (!char.IsAsciiDigit(c)) allDigits = false;
            if (c == '/' || c == ':' || c == ',' || c == '\\') return $"contains '{c}'";
            if (char.IsWhiteSpace(c)) return "contains whitespace";
            if (char.IsControl(c)) return "contains a control character";
            // Portable user names (POSIX 3.437) plus '$' for Samba machine accounts is what
            // useradd accepts; anything else is refused rather than guessed at.
            if (!(char.IsAsciiLetterOrDigit(c) || c == '.' || c == '_' || c == '-' || c == '$'))
                return $"contains the character '{c}' (U+{(int)c:X4})";
        }
        if (allDigits) return "is all digits (would be read as a uid)";
        return null;
    }
}
