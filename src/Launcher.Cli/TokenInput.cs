using Launcher.Core.Authorization;
using Launcher.Core.Tokens;
using Launcher.Posix.Privileged;

namespace Launcher.Cli;

/// <summary>Reads the token from <c>--token-file FILE</c> or <c>-</c> (stdin), bounded, before any parsing.</summary>
public static class TokenInput
{
    public static Outcome<string> Read(string source)
    {
        byte[] buffer = new byte[TokenEnvelope.MaxBytes + 2];
        int total = 0;
        try
        {
            // A named file is opened with the caller's rights: root's would let any caller of the wrapper read root-only files.
            Stream stream;
            if (source == "-") stream = Console.OpenStandardInput();
            else
            {
                var opened = CallerAccess.OpenRead(source);
                if (!opened.Ok) return opened.Refusal.AsDenied(Reasons.TokenMissing).In($"cannot read token file {source}");
                stream = opened.Value;
            }
            using var input = stream;
            int n;
            while (total < buffer.Length && (n = input.Read(buffer, total, buffer.Length - total)) > 0) total += n;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return Refusal.Denied(Reasons.TokenMissing, $"cannot read token file {source}: {e.Message}");
        }
        return TokenEnvelope.FromFileText(buffer.AsSpan(0, total));
    }
}
