namespace Launcher.Core.Issuing;

/// <summary>
/// One key of the key ring. Times are Unix seconds. <see cref="MaxLifetimeSeconds"/> is the
/// largest issuing.max_lifetime seen while the key signed, so a later, shorter setting cannot
/// shorten the wait for tokens issued under the longer one.
/// </summary>
public sealed record KeyEntry(string KeyId, string Algorithm, KeyState State, long Created,
    long? SigningSince = null, long? SigningUntil = null, long MaxLifetimeSeconds = 0);
