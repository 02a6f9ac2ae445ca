using Launcher.Core.Tokens;

namespace Launcher.Cli;

/// <summary>Reads the token from <c>--token-file FILE</c> or <c>-</c> (stdin), bounded, before any parsing.</summary>
public static class TokenInput
{
    public static string? Read(string source, out TokenFailure? failure)
    {
        byte[] buffer = new byte[TokenEnvelope.MaxBytes + 2];
        int total = 0;
        try
        {
            // Set-id, the file is opened with the caller's rights: root's would let any caller read root-only files.
            using Stream stream = source == "-" ? Console.OpenStandardInput()
                : Launcher.Posix.ProcessIdentity.IsSetId ? Launcher.Posix.Launch.CallerFiles.OpenRead(source)
                : new FileStream(source, FileMode.Open, FileAccess.Read, FileShare.Read, 1);
            int n;
            while (total < buffer.Length && (n = stream.Read(buffer, total, buffer.Length - total)) > 0) total += n;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            failure = new TokenFailure(Launcher.Core.Authorization.Reasons.TokenMissing, $"cannot read token file {source}: {e.Message}");
            return null;
        }
        return TokenEnvelope.FromFileText(buffer.AsSpan(0, total), out failure);
    }
}
