using System.Runtime.InteropServices;
using System.Text;
using Launcher.Core.Authorization;

namespace Launcher.Pam;

/// <summary>
/// The C ABI of libci-launcher-pam.so (declared in native/ci_launcher_pam.h). Nothing may
/// unwind across it: an exception escaping an UnmanagedCallersOnly method kills the host
/// (sshd, login), so every entry point catches everything and answers InternalError.
/// </summary>
public static unsafe class NativeExports
{
    /// <summary>Longest token the module reads: the token reader's limit plus a trailing newline (CIL_PAM_MAX_TOKEN_BYTES).</summary>
    internal const nuint MaxPasswordBytes = Launcher.Core.Tokens.TokenEnvelope.MaxBytes + 1;

    /// <summary>CIL_PAM_ABI_VERSION: what this library speaks.</summary>
    internal const int Abi = 1;

    private static readonly UTF8Encoding StrictUtf8 = new(false, throwOnInvalidBytes: true);

    /// <summary>ABI version; the shim refuses a library whose major version it does not know.</summary>
    [UnmanagedCallersOnly(EntryPoint = "cil_pam_abi_version")]
    public static int AbiVersion() => Abi;

    [UnmanagedCallersOnly(EntryPoint = "cil_pam_authenticate")]
    public static int Authenticate(byte* config, byte* user, byte* token, nuint tokenLength, byte* service, byte* rhost, byte* reason, nuint reasonLength)
    {
        PamOutcome outcome;
        try
        {
            outcome = AuthenticateCore(config, user, token, tokenLength, service, rhost);
        }
        catch (Exception e)
        {
            outcome = new PamOutcome(PamResult.InternalError, Reasons.InternalError, e.GetType().Name);
        }
        return Answer(outcome, reason, reasonLength);
    }

    [UnmanagedCallersOnly(EntryPoint = "cil_pam_account")]
    public static int Account(byte* config, byte* user, byte* service, byte* rhost, byte* reason, nuint reasonLength)
    {
        PamOutcome outcome;
        try
        {
            outcome = AccountCore(config, user, service, rhost);
        }
        catch (Exception e)
        {
            outcome = new PamOutcome(PamResult.InternalError, Reasons.InternalError, e.GetType().Name);
        }
        return Answer(outcome, reason, reasonLength);
    }

    private static PamOutcome AuthenticateCore(byte* config, byte* user, byte* token, nuint tokenLength, byte* service, byte* rhost)
    {
        if (!Arguments(config, user, service, rhost, out var args, out var bad)) return bad!;
        if (token is null && tokenLength != 0) return PamOutcome.BadArgument("token is NULL but token_len is not 0");
        // Oversized input is refused by length alone; its bytes are never copied or read.
        var password = tokenLength > MaxPasswordBytes
            ? new ReadOnlySpan<byte>(token, (int)MaxPasswordBytes + 1)
            : new ReadOnlySpan<byte>(token, (int)tokenLength);
        return PamAuthenticator.Authenticate(args.Config, args.User, password, args.Service, args.Rhost);
    }

    private static PamOutcome AccountCore(byte* config, byte* user, byte* service, byte* rhost)
    {
        if (!Arguments(config, user, service, rhost, out var args, out var bad)) return bad!;
        return PamAuthenticator.Account(args.Config, args.User, args.Service, args.Rhost);
    }

    private static bool Arguments(byte* config, byte* user, byte* service, byte* rhost,
        out (string Config, string User, string Service, string Rhost) args, out PamOutcome? bad)
    {
        args = default;
        string? c = Utf8(config, "config", out bad);
        if (c is null) return false;
        if (c.Length == 0 || c[0] != '/')
        {
            bad = PamOutcome.BadArgument($"config= must be an absolute path, got '{c}'");
            return false;
        }
        string? u = Utf8(user, "user", out bad);
        if (u is null) return false;
        if (u.Length == 0)
        {
            bad = PamOutcome.BadArgument("PAM user is empty");
            return false;
        }
        string s = service is null ? "" : Utf8(service, "service", out bad) ?? "";
        if (bad is not null) return false;
        string r = rhost is null ? "" : Utf8(rhost, "rhost", out bad) ?? "";
        if (bad is not null) return false;
        args = (c, u, s, r);
        return true;
    }

    private static string? Utf8(byte* s, string what, out PamOutcome? bad)
    {
        bad = null;
        if (s is null)
        {
            bad = PamOutcome.BadArgument($"{what} is NULL");
            return null;
        }
        var span = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(s);
        if (span.Length > 4096)
        {
            bad = PamOutcome.BadArgument($"{what} is {span.Length} bytes long");
            return null;
        }
        try
        {
            return StrictUtf8.GetString(span);
        }
        catch (DecoderFallbackException)
        {
            bad = PamOutcome.BadArgument($"{what} is not valid UTF-8");
            return null;
        }
    }

    /// <summary>Writes "reason: detail" (control characters replaced, truncated, NUL-terminated) and returns the code.</summary>
    private static int Answer(PamOutcome outcome, byte* reason, nuint reasonLength)
    {
        if (reason is not null && reasonLength > 0)
        {
            var text = new StringBuilder(outcome.Text);
            for (int i = 0; i < text.Length; i++)
                if (char.IsControl(text[i])) text[i] = '?';
            var buffer = new Span<byte>(reason, (int)Math.Min(reasonLength, int.MaxValue));
            int written = Utf8Prefix(text.ToString(), buffer[..^1]);
            buffer[written] = 0;
        }
        return (int)outcome.Result;
    }

    /// <summary>Encodes as much of <paramref name="s"/> as fits without splitting a character.</summary>
    private static int Utf8Prefix(string s, Span<byte> destination)
    {
        int used = 0;
        foreach (var rune in s.EnumerateRunes())
        {
            if (used + rune.Utf8SequenceLength > destination.Length) break;
            used += rune.EncodeToUtf8(destination[used..]);
        }
        return used;
    }
}
