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
            outcome = PamOutcome.For(Refusal.SiteError(Reasons.InternalError, e.GetType().Name), forAccount: false);
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
            outcome = PamOutcome.For(Refusal.SiteError(Reasons.InternalError, e.GetType().Name), forAccount: true);
        }
        return Answer(outcome, reason, reasonLength);
    }

    private static PamOutcome AuthenticateCore(byte* config, byte* user, byte* token, nuint tokenLength, byte* service, byte* rhost)
    {
        var arguments = Arguments(config, user, service, rhost);
        if (!arguments.Ok) return PamOutcome.For(arguments.Refusal, forAccount: false);
        var args = arguments.Value;
        if (token is null && tokenLength != 0) return PamOutcome.BadArgument("token is NULL but token_len is not 0");
        // Oversized input is refused by length alone; its bytes are never copied or read.
        var password = tokenLength > MaxPasswordBytes
            ? new ReadOnlySpan<byte>(token, (int)MaxPasswordBytes + 1)
            : new ReadOnlySpan<byte>(token, (int)tokenLength);
        return PamAuthenticator.Authenticate(args.Config, args.User, password, args.Service, args.Rhost);
    }

    private static PamOutcome AccountCore(byte* config, byte* user, byte* service, byte* rhost)
    {
        var arguments = Arguments(config, user, service, rhost);
        if (!arguments.Ok) return PamOutcome.For(arguments.Refusal, forAccount: true);
        var args = arguments.Value;
        return PamAuthenticator.Account(args.Config, args.User, args.Service, args.Rhost);
    }

    private static Outcome<(string Config, string User, string Service, string Rhost)> Arguments(byte* config, byte* user, byte* service, byte* rhost)
    {
        var c = Utf8(config, "config");
        if (!c.Ok) return c.Refusal;
        if (c.Value.Length == 0 || c.Value[0] != '/') return BadArgument($"config= must be an absolute path, got '{c.Value}'");
        var u = Utf8(user, "user");
        if (!u.Ok) return u.Refusal;
        if (u.Value.Length == 0) return BadArgument("PAM user is empty");
        var s = service is null ? Outcome.Of("") : Utf8(service, "service");
        if (!s.Ok) return s.Refusal;
        var r = rhost is null ? Outcome.Of("") : Utf8(rhost, "rhost");
        if (!r.Ok) return r.Refusal;
        return Outcome.Of((c.Value, u.Value, s.Value, r.Value));
    }

    private static Outcome<string> Utf8(byte* s, string what)
    {
        if (s is null) return BadArgument($"{what} is NULL");
        var span = MemoryMarshal.CreateReadOnlySpanFromNullTerminated(s);
        if (span.Length > 4096) return BadArgument($"{what} is {span.Length} bytes long");
        try
        {
            return Outcome.Of(StrictUtf8.GetString(span));
        }
        catch (DecoderFallbackException)
        {
            return BadArgument($"{what} is not valid UTF-8");
        }
    }

    private static Refusal BadArgument(string detail) => Refusal.SiteError(Reasons.PamBadArgument, detail);

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
