using Launcher.Core.Authorization;

namespace Launcher.Pam;

/// <summary>What one ABI call answers: the result code and the stable reason code with its detail (never the token).</summary>
public sealed record PamOutcome(PamResult Result, string Reason, string Detail)
{
    public static PamOutcome BadArgument(string detail) => new(PamResult.BadArgument, Reasons.PamBadArgument, detail);

    /// <summary>"reason: detail", the text the shim logs to syslog.</summary>
    public string Text => Detail.Length == 0 ? Reason : $"{Reason}: {Detail}";
}
