namespace Launcher.Core.Tokens;

/// <summary>Why a token was refused: a stable reason code and a message that names the fix.</summary>
public sealed record TokenFailure(string Reason, string Message, bool IsSiteError = false);
